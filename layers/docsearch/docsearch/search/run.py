"""Running a search and the health check against the engine."""

from __future__ import annotations

from typing import Any

from docsearch.errors import EngineRejected, EngineUnavailable, IndexMissing
from docsearch.search.client import SearchClient
from docsearch.search.grouping import copies_by_story, copies_query
from docsearch.search.models import SearchRequest, SearchResponse
from docsearch.search.query import build_search
from docsearch.search.results import shape_response
from docsearch.settings import DEFAULT_DOCUMENT_VIEW_URL


def search(
    client: SearchClient, index: str, request: SearchRequest, view_url: str = DEFAULT_DOCUMENT_VIEW_URL
) -> SearchResponse:
    """``request``'s page of results; ``view_url``: where each result's view link points (Settings')."""
    try:
        response, stories = engine_answers(client, index, build_search(request))
    except IndexMissing:  # no index yet: nothing has been uploaded
        return shape_response(request, {}, view_url=view_url)
    return shape_response(request, response, stories, view_url)


def engine_answers(
    client: SearchClient, index: str, body: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, tuple[int, list[dict[str, Any]]]]]:
    """What a search asks of the engine: the page for ``body``, then (when it is grouped) one search for the
    other copies of the page's stories."""
    response = client.search(index, body)
    copies = copies_query(response)
    return response, copies_by_story(client.search(index, copies)) if copies else {}


# What /health reports for a Serverless collection that answered: it has no cluster status to give
# (AWS keeps its copies), and an answered, authorised read is the state the API contract calls green.
SERVERLESS_ANSWERED = "green"


def engine_status(client: SearchClient, index: str) -> str:
    """The engine's state for /health (``green``/``yellow``); EngineUnavailable when it cannot serve.

    A managed domain reports its cluster health. Serverless has no ``_cluster/health``: there the
    check is a count on ``index``, the one kind of call the search role may make (no index yet still
    means the collection answered).
    """
    if client.serverless:
        return _serverless_status(client, index)
    try:
        health = client.cluster_health()
    except EngineRejected as error:  # any other engine answer: not healthy either
        raise EngineUnavailable(str(error)) from error
    status = str(health.get("status", "red"))
    if status == "red":
        raise EngineUnavailable("cluster status is red")
    return status


def _serverless_status(client: SearchClient, index: str) -> str:
    try:
        client.count(index)
    except IndexMissing:  # no index yet: the collection answered all the same
        pass
    except EngineRejected as error:  # e.g. 403: the data access policy does not let this role read
        raise EngineUnavailable(f"the collection refused a count on {index}: {error.status} {error.reason}") from error
    return SERVERLESS_ANSWERED
