"""Search API: HTTP API (payload 2.0) -> validated request -> docsearch -> JSON."""

from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from docsearch.documents import DocumentNotFound, get_document
from docsearch.engine import EngineUnavailable, get_client
from docsearch.models import (
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
from docsearch.observability import logger, metrics, tracer
from docsearch.search import engine_status, search
from docsearch.settings import get_settings

RETRY_AFTER_S = "5"

API_TITLE = "docsearch"
API_VERSION = "1.0.0"

app = APIGatewayHttpResolver(enable_validation=True)


@app.get("/search", summary="Search the articles", description="Query syntax: see the README, 'Searching'.")
@tracer.capture_method
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
    source: Annotated[list[str] | None, Query(description="only these sources; may repeat")] = None,
    date_from: Annotated[date | None, Query(description="published on or after, YYYY-MM-DD")] = None,
    date_to: Annotated[date | None, Query(description="published on or before, YYYY-MM-DD")] = None,
    sort: Annotated[Sort, Query(description="relevance, newest or oldest")] = "relevance",
) -> SearchResponse:
    # HTTP API v2 joins a repeated parameter with commas; Powertools splits it back into the list.
    sources = [name.strip() for name in source or [] if name.strip()]
    request = SearchRequest(
        q=q.strip(), page=page, size=size, source=sources, date_from=date_from, date_to=date_to, sort=sort
    )
    return search(get_client(), get_settings().index_alias, request)


@app.get("/documents/<doc_id>", summary="One stored document")
@tracer.capture_method
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
    return _error(
        503, "engine_unavailable", "the search engine is unavailable, retry shortly", {"Retry-After": RETRY_AFTER_S}
    )


@app.exception_handler(DocumentNotFound)
def on_unknown_document(error: DocumentNotFound) -> Response[Any]:
    return _error(404, "not_found", "no such document")


@app.not_found
def on_not_found(error: NotFoundError) -> Response[Any]:
    return _error(404, "not_found", "no such resource")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
