"""Search API: HTTP API (payload 2.0) -> validated request -> docsearch -> JSON."""

from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import TransportError
from pydantic import ValidationError

from docsearch.engine import UNAVAILABLE_STATUS, EngineUnavailable, get_client
from docsearch.observability import logger, metrics
from docsearch.search.documents import DocumentNotFound, get_document
from docsearch.search.models import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    Document,
    ErrorBody,
    ErrorDetail,
    Health,
    SearchRequest,
    SearchResponse,
    Sort,
)
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


@app.get("/search", summary="Search the articles", description="Query syntax: see the README, 'Searching'.")
def get_search(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            description='words (ranked), "quoted phrases" (exact), -word or -"phrase" (excluded)',
        ),
    ],
    page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="results per page")] = DEFAULT_PAGE_SIZE,
    source: Annotated[list[str] | None, Query(description="only these sources, any spelling; may repeat")] = None,
    date_from: Annotated[date | None, Query(description="published on or after, YYYY-MM-DD")] = None,
    date_to: Annotated[date | None, Query(description="published on or before, YYYY-MM-DD")] = None,
    sort: Annotated[Sort, Query(description="relevance, newest or oldest")] = "relevance",
    group: Annotated[bool, Query(description="copies of one story as one result; false: every copy")] = True,
) -> SearchResponse:
    request = SearchRequest(
        q=q.strip(),
        page=page,
        size=size,
        source=repeated_values("source", source),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        group=group,
    )
    return search(get_client(), get_settings().index_alias, request)


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
    return get_document(get_client(), get_settings().index_alias, doc_id)


@app.get("/health", summary="Service and engine health")
def get_health() -> Health:
    return Health(engine=engine_status(get_client()))


@app.get("/openapi.json", include_in_schema=False)
def get_openapi() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_json())


def openapi_json() -> str:
    """The OpenAPI document of this API, as committed in docs/openapi.json (a test compares them)."""
    return app.get_openapi_json_schema(title=API_TITLE, version=API_VERSION)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    body = ErrorBody(error=ErrorDetail(code=code, message=message)).model_dump_json()
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


@app.exception_handler(RequestValidationError)
def on_invalid_parameter(error: RequestValidationError) -> Response[Any]:
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
    return _error(400, "invalid_parameter", f"{where}: {first.get('msg', 'invalid value')}")


@app.exception_handler(ValidationError)
def on_invalid_request(error: ValidationError) -> Response[Any]:
    """The request model's own checks (e.g. a query that is only whitespace)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "request"
    return _error(400, "invalid_parameter", f"{where}: {first['msg']}")


@app.exception_handler(EngineUnavailable)
def on_engine_down(error: EngineUnavailable) -> Response[Any]:
    logger.warning("engine unavailable", extra={"error": str(error)})
    return _engine_unavailable()


@app.exception_handler(EngineConnectionError)  # ConnectionTimeout included: a route that did not translate it
def on_engine_unreachable(error: EngineConnectionError) -> Response[Any]:
    logger.warning("engine unreachable", extra={"error": type(error).__name__})
    return _engine_unavailable()


@app.exception_handler(TransportError)
def on_engine_error(error: TransportError) -> Response[Any]:
    """Engine overload answers 503 + Retry-After; any other engine error is our bug: 500, no engine text."""
    if error.status_code in UNAVAILABLE_STATUS:
        logger.warning("engine busy", extra={"status": error.status_code})
        return _engine_unavailable()
    logger.error("engine rejected a request", extra={"status": error.status_code, "error": str(error.error)})
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


def _engine_unavailable() -> Response[Any]:
    return _error(
        503, "engine_unavailable", "the search engine is unavailable, retry shortly", {"Retry-After": RETRY_AFTER_S}
    )


def _internal_error() -> Response[Any]:
    return _error(500, "internal_error", "the server failed to answer this request")


@app.exception_handler(DocumentNotFound)
def on_unknown_document(error: DocumentNotFound) -> Response[Any]:
    return _error(404, "not_found", "no such document")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
