"""Request and response models of the search API (the HTTP contract: docs/search.md, docs/openapi.json).

``SearchRequest`` is the one place its parameters are constrained: the search function takes it
as its query parameters (and the OpenAPI document is generated from it); the CLI validates with it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10
# Deepest result reachable by paging (page * size); deep paging is costly and never useful to a reader.
MAX_RESULT_DEPTH = 1000
MAX_SOURCE_FILTERS = 20

Sort = Literal["relevance", "newest", "oldest"]
Undated = Literal["include", "exclude"]
Mode = Literal["lexical", "hybrid"]
# The mode a search runs in unless it names one: hybrid, above lexical on every measured set and never
# below it (docs/relevance.md, "Hybrid"; decision 0015). Lexical wherever no model runs.
DEFAULT_MODE: Mode = "hybrid"


class _Model(BaseModel):
    # Validators and serializers are built at a model's first use, not at import: a cold start
    # builds only what its first request needs (docs/performance.md, "Cold start").
    model_config = ConfigDict(defer_build=True)


class SearchRequest(_Model):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUERY_CHARS)] = Field(
        description='words (ranked), "quoted phrases" (exact), -word or -"phrase" (excluded)'
    )
    page: int = Field(1, ge=1, description="1-based page number")
    size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="results per page")
    source: list[str] = Field(
        default_factory=list, max_length=MAX_SOURCE_FILTERS, description="only these sources; may repeat"
    )
    date_from: date | None = Field(None, description="published on or after, YYYY-MM-DD")
    date_to: date | None = Field(None, description="published on or before, YYYY-MM-DD")
    undated: Undated | None = Field(
        None,
        description="articles whose date is not known: include or exclude them"
        " (default: excluded when date_from or date_to is given, included otherwise)",
    )
    sort: Sort = Field("relevance", description="relevance, newest or oldest")
    group: bool = Field(True, description="copies of one story as one result (false: every copy)")
    mode: Mode = Field(
        DEFAULT_MODE,
        description="lexical (the words) or hybrid (the words and their meaning: a multilingual model's ranking "
        "fused in, so 'Menkeu' also finds 'Menteri Keuangan'); lexical where no model runs",
    )
    story: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")] | None = Field(
        None, description="only the copies of this story (a result's `story`): what the result grouped"
    )

    @field_validator("source", mode="after")
    @classmethod
    def _named_sources(cls, names: list[str]) -> list[str]:
        """Blank names are dropped (HTTP API v2 joins a repeated parameter with commas; it is split back)."""
        return [name.strip() for name in names if name.strip()]

    @model_validator(mode="after")
    def _check_bounds(self) -> SearchRequest:
        if self.page * self.size > MAX_RESULT_DEPTH:
            raise ValueError(
                f"page * size must not exceed {MAX_RESULT_DEPTH}; narrow the query rather than page deeper"
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


class Copy(_Model):
    """Another copy of a result's story (the same story published elsewhere)."""

    id: str
    title: str = Field("", description="the copy's own title (copies may be retitled)")
    source: str | None = None
    published_at: str | None = None
    url: str | None = Field(None, description="the copy's canonical web address, when known")
    view: str = Field(description="where to read this copy (the search page's document view)")


class SearchHit(_Model):
    id: str
    key: str
    title: str
    source: str | None = None
    published_at: str | None = None
    score: float | None = None
    snippets: list[str] = Field(default_factory=list)
    title_html: str = Field("", description="the title, HTML-escaped, with <mark> around matched words")
    url: str | None = Field(None, description="the article's canonical web address, when known")
    view: str = Field("", description="where to read the stored document (the search page's document view)")
    story: str | None = Field(None, description="the story this result is a copy of (search with story=… for all)")
    more_copies: int = Field(0, description="how many other copies of this story are indexed (grouped into this one)")
    copies: list[Copy] = Field(default_factory=list, description="up to five of those copies, oldest first")


class Suggestion(_Model):
    """ "Mungkin maksud Anda: …": the query with its likely misspellings replaced by words of the index."""

    text: str = Field(description="the suggested query, to search as it is")
    html: str = Field(description="the same, HTML-escaped, with <mark> around the words that were replaced")


class FacetValue(_Model):
    value: str = Field(description="the source's display name; any spelling of it filters the same")
    count: int


class SearchResponse(_Model):
    query: str
    total: int
    page: int
    size: int
    took_ms: int
    partial: bool = Field(
        False,
        description="true if the engine stopped at its time budget, or the page was trimmed to the response"
        " budget: results and total may be incomplete",
    )
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    groups: int = Field(0, description="results to page through: stories when grouping, else documents")
    mode: Mode = Field("lexical", description="the mode that ranked these results")
    relaxed: bool = Field(
        False,
        description="true if nothing matched the query as typed and these results match it loosely "
        "(any one of its words, typos forgiven as usual)",
    )
    suggestion: Suggestion | None = Field(
        None, description="a likely intended spelling of the query, when it found few or no results"
    )


class Document(_Model):
    """A stored document (GET /documents/{id})."""

    id: str
    key: str
    title: str
    source: str | None = None
    published_at: str | None = None
    author: str | None = None
    body: str
    body_truncated: bool = Field(
        False, description="true if the body was longer than an answer may carry and is cut (search finds all of it)"
    )
    indexed_at: str | None = None
    url: str | None = Field(None, description="the article's canonical web address, when known")
    view: str = Field("", description="where to read it on the search page")


class Health(_Model):
    status: Literal["ok"] = "ok"
    engine: str


class ErrorDetail(_Model):
    code: str
    message: str


class ErrorBody(_Model):
    error: ErrorDetail
