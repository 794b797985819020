"""Running a search and the health check against the engine."""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError

from docsearch.engine import engine_errors
from docsearch.errors import EngineRejected, EngineUnavailable
from docsearch.search.models import SearchRequest, SearchResponse
from docsearch.search.query import build_search
from docsearch.search.results import shape_response


def search(client: OpenSearch, index: str, request: SearchRequest) -> SearchResponse:
    with engine_errors():
        try:
            response = client.search(index=index, body=build_search(request))
        except NotFoundError:  # no index yet: nothing has been uploaded
            return shape_response(request, {})
    return shape_response(request, response)


def engine_status(client: OpenSearch) -> str:
    try:
        with engine_errors():
            health = client.cluster.health()
    except EngineRejected as error:  # any other engine answer: not healthy either
        raise EngineUnavailable(str(error)) from error
    status = str(health.get("status", "red"))
    if status == "red":
        raise EngineUnavailable("cluster status is red")
    return status
