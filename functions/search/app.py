"""Search API: HTTP API (payload 2.0) -> validated request -> docsearch -> JSON."""

from datetime import date
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from docsearch.engine import EngineUnavailable, get_client
from docsearch.models import (
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    ErrorBody,
    ErrorDetail,
    Health,
    SearchRequest,
    SearchResponse,
)
from docsearch.observability import logger, metrics, tracer
from docsearch.search import engine_status, search
from docsearch.settings import get_settings

RETRY_AFTER_S = "5"

app = APIGatewayHttpResolver(enable_validation=True)


@app.get("/search")
@tracer.capture_method
def get_search(
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS)],
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    source: Annotated[list[str] | None, Query()] = None,
    date_from: Annotated[date | None, Query()] = None,
    date_to: Annotated[date | None, Query()] = None,
    sort: Annotated[Literal["relevance", "newest", "oldest"], Query()] = "relevance",
) -> SearchResponse:
    request = SearchRequest(
        q=q.strip(), page=page, size=size, source=source or [], date_from=date_from, date_to=date_to, sort=sort
    )
    return search(get_client(), get_settings().index_alias, request)


@app.get("/health")
def get_health() -> Health:
    return Health(engine=engine_status(get_client()))


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


@app.not_found
def on_not_found(error: NotFoundError) -> Response[Any]:
    return _error(404, "not_found", "no such resource")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
