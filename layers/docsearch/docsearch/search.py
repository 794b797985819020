"""Running a search and the health check against the engine."""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from docsearch.engine import EngineUnavailable
from docsearch.models import SearchRequest, SearchResponse
from docsearch.query import build_search
from docsearch.results import shape_response

UNAVAILABLE = (EngineConnectionError, ConnectionTimeout)
# Engine answers that mean "busy or down, retry later" rather than "your request is wrong".
UNAVAILABLE_STATUS = (429, 502, 503, 504)


def search(client: OpenSearch, index: str, request: SearchRequest) -> SearchResponse:
    try:
        response = client.search(index=index, body=build_search(request))
    except NotFoundError:  # no index yet: nothing has been uploaded
        return shape_response(request, {})
    except UNAVAILABLE as error:
        raise EngineUnavailable(str(error)) from error
    except TransportError as error:
        if error.status_code in UNAVAILABLE_STATUS:
            raise EngineUnavailable(str(error)) from error
        raise
    return shape_response(request, response)


def engine_status(client: OpenSearch) -> str:
    try:
        health = client.cluster.health()
    except (*UNAVAILABLE, TransportError) as error:
        raise EngineUnavailable(str(error)) from error
    status = str(health.get("status", "red"))
    if status == "red":
        raise EngineUnavailable("cluster status is red")
    return status
