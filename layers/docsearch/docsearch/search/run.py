"""Running a search and the health check against the engine."""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError, TransportError

from docsearch.engine import EngineUnavailable, unavailable_as_retry_later
from docsearch.search.grouping import copies_by_story, copies_query
from docsearch.search.models import SearchRequest, SearchResponse
from docsearch.search.query import build_search
from docsearch.search.results import shape_response


def search(client: OpenSearch, index: str, request: SearchRequest) -> SearchResponse:
    try:
        with unavailable_as_retry_later():
            response = client.search(index=index, body=build_search(request))
            copies = copies_query(response)  # grouped: the other copies of this page's stories
            stories = copies_by_story(client.search(index=index, body=copies)) if copies else {}
    except NotFoundError:  # no index yet: nothing has been uploaded
        return shape_response(request, {})
    return shape_response(request, response, stories)


def engine_status(client: OpenSearch) -> str:
    try:
        with unavailable_as_retry_later():
            health = client.cluster.health()
    except TransportError as error:  # any other engine answer: not healthy either
        raise EngineUnavailable(str(error)) from error
    status = str(health.get("status", "red"))
    if status == "red":
        raise EngineUnavailable("cluster status is red")
    return status
