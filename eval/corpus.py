"""Labelled sets: documents, queries and their relevant documents (qrels)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from docsearch.ingest.extract import read_article

REPO = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO / "samples" / "articles"
SAMPLES_QUERIES = Path(__file__).resolve().parent / "data" / "samples_queries.jsonl"
# Natural questions (question words, a trailing '?') whose answers are in the sample articles.
SAMPLES_QUESTIONS = Path(__file__).resolve().parent / "data" / "samples_questions.jsonl"


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    body: str


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    relevant: dict[str, int]
    # Precision probes: documents that must not be returned at all.
    excluded: frozenset[str] = frozenset()
    note: str = ""


@dataclass
class LabelledSet:
    name: str
    docs: list[Doc]
    queries: list[Query] = field(default_factory=list)


def sample_set(queries_file: Path = SAMPLES_QUERIES, name: str = "samples") -> LabelledSet:
    """Our own sample articles (extracted by the real extraction code) and labelled queries over them.

    The default is the keyword set (with its precision probes); ``question_set`` asks questions instead.
    """
    docs = []
    for path in sorted(SAMPLES_DIR.iterdir()):
        if path.name.startswith("."):
            continue
        article = read_article(path.read_bytes())
        docs.append(Doc(id=path.stem, title=article.title, body=article.body))
    queries = []
    prefix = name[0]
    for number, line in enumerate(queries_file.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        item = json.loads(line)
        queries.append(
            Query(
                id=f"{prefix}{number:03d}",
                text=item["query"],
                relevant={doc_id: 1 for doc_id in item["relevant"]},
                excluded=frozenset(item.get("excluded", [])),
                note=item.get("note", ""),
            )
        )
    return LabelledSet(name, docs, queries)


def question_set() -> LabelledSet:
    """The sample articles asked natural questions (the other query style next to the keyword set)."""
    return sample_set(SAMPLES_QUESTIONS, name="questions")


VOCABULARY_DOCS = Path(__file__).resolve().parent / "data" / "vocabulary_docs.jsonl"
VOCABULARY_QUERIES = Path(__file__).resolve().parent / "data" / "vocabulary_queries.jsonl"


def vocabulary_set() -> LabelledSet:
    """Vocabulary mismatch: each query names its passage in other words (abbreviations, synonyms, loanwords,
    nicknames, paraphrases), among distractors sharing the query's surface words and the sample articles.
    Passages and queries written for this set (eval/data/vocabulary_*.jsonl)."""
    docs = [sample for sample in sample_set().docs]
    for line in VOCABULARY_DOCS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            docs.append(Doc(id=item["id"], title=item["title"], body=item["body"]))
    queries = []
    for number, line in enumerate(VOCABULARY_QUERIES.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            item = json.loads(line)
            relevant = {doc_id: 1 for doc_id in item["relevant"]}
            queries.append(Query(id=f"v{number:03d}", text=item["query"], relevant=relevant, note=item.get("note", "")))
    return LabelledSet("vocabulary", docs, queries)


def query_number(query_id: str) -> int:
    """The number at the end of a query id (``facqa-q0042`` -> 42): how FacQA is split into halves."""
    match = re.search(r"(\d+)$", query_id)
    return int(match.group(1)) if match else 0


def facqa_set(folder: Path, limit: int | None = None, seed: int = 13) -> LabelledSet:
    """A BEIR-style folder: corpus.jsonl, queries.jsonl, qrels.tsv; ``limit`` samples queries reproducibly."""
    docs = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as corpus:
        for line in corpus:
            item = json.loads(line)
            docs.append(Doc(id=item["id"], title=item.get("title") or "", body=item["text"]))
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels.tsv").open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) == 4 and parts[3].lstrip("-").isdigit():
                qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    queries = []
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item["id"] in qrels:
                queries.append(Query(id=item["id"], text=item["query"], relevant=qrels[item["id"]]))
    if limit is not None and limit < len(queries):
        sampled = random.Random(seed).sample(queries, limit)  # noqa: S311 - a reproducible sample, not security
        queries = sorted(sampled, key=lambda query: query.id)
    return LabelledSet(folder.name, docs, queries)
