"""Search API: HTTP API (payload 2.0) -> validated request -> docsearch -> JSON.

Errors are mapped here, once: request validation -> 400, DocumentNotFound -> 404,
EngineUnavailable -> 503 + Retry-After, EngineRejected and anything else -> a bare 500.
"""

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from docsearch.embed import embedder_from_env
from docsearch.errors import DocumentNotFound, EngineRejected, EngineUnavailable
from docsearch.observability import logger
from docsearch.search.alias_store import get_alias_store
from docsearch.search.client import get_search_client
from docsearch.search.documents import get_document
from docsearch.search.models import Document, ErrorBody, ErrorDetail, Health, SearchRequest, SearchResponse
from docsearch.search.run import engine_status, search
from docsearch.settings import get_settings

RETRY_AFTER_S = "5"
ERROR_CODES = {
    400: "invalid_parameter",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
}

API_TITLE = "docsearch"
API_VERSION = "1.0.0"

app = APIGatewayHttpResolver(enable_validation=True)
REQUEST_PARAMETER = "request"  # the name get_search gives its SearchRequest


@app.get("/search", summary="Search the articles", description="Query syntax: see docs/search.md.")
def get_search(request: Annotated[SearchRequest, Query()]) -> SearchResponse:
    # Powertools splits a repeated parameter back on every comma: read the raw values, so a source
    # whose name holds a comma can still be filtered on.
    request = request.model_copy(update={"source": repeated_values("source", request.source)})
    settings = get_settings()
    aliases = get_alias_store().current()
    return search(
        get_search_client(),
        settings.index_alias,
        request,
        settings.document_view_url,
        aliases=aliases,
        embedder=embedder_from_env(),
    )


def repeated_values(name: str, parsed: list[str] | None) -> list[str]:
    """Every value of a repeated query parameter, commas and all.

    HTTP API v2 joins a repeated parameter's values with commas and Powertools splits them back on every
    comma, so "Tempo, Jakarta" would become two sources; the raw query string keeps the values apart.
    """
    raw = app.current_event.raw_query_string
    values = [v for k, v in parse_qsl(raw, keep_blank_values=True) if k == name] if raw else (parsed or [])
    return [value.strip() for value in values if value.strip()]


@app.get("/documents/<doc_id>", summary="One stored document")
def get_document_by_id(doc_id: Annotated[str, Path(description="the id from a search result")]) -> Document:
    settings = get_settings()
    return get_document(get_search_client(), settings.index_alias, doc_id, settings.document_view_url)


@app.get("/health", summary="Service and engine health")
def get_health() -> Health:
    return Health(engine=engine_status(get_search_client(), get_settings().index_alias))


@app.get("/openapi.json", include_in_schema=False)
def get_openapi() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_json())


def openapi_json() -> str:
    """The OpenAPI document of this API, as committed in docs/openapi.json (a test compares them).

    Powertools lists a model's fields as query parameters but leaves out their constraints;
    each /search parameter gets its schema from SearchRequest, so the document states them too.
    """
    document = json.loads(app.get_openapi_json_schema(title=API_TITLE, version=API_VERSION))
    fields = SearchRequest.model_json_schema()["properties"]
    for parameter in document["paths"]["/search"]["get"]["parameters"]:
        parameter["schema"] = fields[parameter["name"]]
    return json.dumps(document, indent=2)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    body = ErrorBody(error=ErrorDetail(code=code, message=message)).model_dump_json()
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


@app.exception_handler(RequestValidationError)
def on_invalid_parameter(error: RequestValidationError) -> Response[Any]:
    first = error.errors()[0] if error.errors() else {}
    parts = [str(part) for part in first.get("loc", ())[1:]]  # ("query", "request", "q") -> q
    if len(parts) > 1 and parts[0] == REQUEST_PARAMETER:
        parts = parts[1:]
    where = ".".join(parts) or "request"
    return _error(400, "invalid_parameter", f"{where}: {first.get('msg', 'invalid value')}")


@app.exception_handler(EngineUnavailable)
def on_engine_down(error: EngineUnavailable) -> Response[Any]:
    logger.warning("engine unavailable", extra={"error": str(error)})
    return _error(
        503, "engine_unavailable", "the search engine is unavailable, retry shortly", {"Retry-After": RETRY_AFTER_S}
    )


@app.exception_handler(EngineRejected)
def on_engine_error(error: EngineRejected) -> Response[Any]:
    """Any engine refusal but overload is our bug: 500, and no engine text in the answer."""
    logger.error("engine rejected a request", extra={"status": error.status, "error": error.reason})
    return _internal_error()


@app.exception_handler(ServiceError)
def on_service_error(error: ServiceError) -> Response[Any]:
    """Powertools' HTTP errors (raised by routes), in the contract's error shape."""
    if error.status_code >= 500:
        return _internal_error()
    return _error(error.status_code, ERROR_CODES.get(error.status_code, "bad_request"), str(error.msg))


@app.exception_handler(Exception)
def on_bug(error: Exception) -> Response[Any]:
    """A genuine server bug: logged with its trace, answered with a bare JSON 500 (no trace, no detail)."""
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return _internal_error()


@app.not_found
def on_not_found(error: NotFoundError) -> Response[Any]:
    """404 for unknown paths and documents; 405 (with ``Allow``) for a known path and another method."""
    if str(error.msg) not in ("", "Not found"):  # raised by a route, e.g. an unknown document
        return _error(404, "not_found", str(error.msg))
    event = app.current_event
    allowed = _methods_for(event.path)
    if allowed and event.http_method.upper() not in allowed:
        return _error(
            405,
            "method_not_allowed",
            f"{event.http_method.upper()} is not allowed here; use {', '.join(allowed)}",
            {"Allow": ", ".join(allowed)},
        )
    return _error(404, "not_found", "no such resource")


def _methods_for(path: str) -> list[str]:
    # Powertools keeps no public route table; these lists are what its own resolver matches against.
    routes = [*app._static_routes, *app._dynamic_routes]
    return sorted({route.method for route in routes if route.rule.match(path)})


def _internal_error() -> Response[Any]:
    return _error(500, "internal_error", "the server failed to answer this request")


@app.exception_handler(DocumentNotFound)
def on_unknown_document(error: DocumentNotFound) -> Response[Any]:
    return _error(404, "not_found", "no such document")


# No metrics decorator: this function adds no metric of its own (API Gateway counts and times its requests),
# and an empty flush costs every request.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
