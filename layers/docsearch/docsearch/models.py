"""Request and response models of the search API (the HTTP contract in API.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10


class SearchRequest(BaseModel):
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    page: int = Field(1, ge=1)
    size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    source: list[str] = Field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    sort: Literal["relevance", "newest", "oldest"] = "relevance"


class SearchHit(BaseModel):
    id: str
    key: str
    title: str
    source: str | None = None
    published_at: str | None = None
    score: float | None = None
    snippets: list[str] = Field(default_factory=list)


class FacetValue(BaseModel):
    value: str
    count: int


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    size: int
    took_ms: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    engine: str


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
