"""Request and response models of the search API (the HTTP contract in API.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10
# Deepest result reachable by paging (page * size); deep paging is costly and never useful to a reader.
MAX_RESULT_DEPTH = 1000
MAX_SOURCE_FILTERS = 20

Sort = Literal["relevance", "newest", "oldest"]


class SearchRequest(BaseModel):
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    page: int = Field(1, ge=1)
    size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    source: list[str] = Field(default_factory=list, max_length=MAX_SOURCE_FILTERS)
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort = "relevance"
    group: bool = True  # copies of one story as one result (see grouping.py)

    @model_validator(mode="after")
    def _check_bounds(self) -> SearchRequest:
        if self.page * self.size > MAX_RESULT_DEPTH:
            raise ValueError(
                f"page * size must not exceed {MAX_RESULT_DEPTH}; narrow the query rather than page deeper"
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


class Copy(BaseModel):
    """Another copy of a result's story (the same story published elsewhere)."""

    id: str
    source: str | None = None
    published_at: str | None = None
    url: str | None = Field(None, description="the copy's canonical web address, when known")
    view: str = Field(description="where to read this copy (the search page's document view)")


class SearchHit(BaseModel):
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
    more_copies: int = Field(0, description="how many other copies of this story are indexed (grouped into this one)")
    copies: list[Copy] = Field(default_factory=list, description="up to five of those copies, oldest first")


class FacetValue(BaseModel):
    value: str = Field(description="the source's display name; any spelling of it filters the same")
    count: int


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    size: int
    took_ms: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    groups: int = Field(0, description="results to page through: stories when grouping, else documents")


class Document(BaseModel):
    """A stored document (GET /documents/{id})."""

    id: str
    key: str
    title: str
    source: str | None = None
    published_at: str | None = None
    author: str | None = None
    body: str
    indexed_at: str | None = None
    url: str | None = Field(None, description="the article's canonical web address, when known")
    view: str = Field("", description="where to read it on the search page")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    engine: str


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
