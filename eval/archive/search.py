"""Searching the real archives: known items, names with typos, and judged newsroom queries (P@5).

All three index the archives' source records (headline and body, the same documents for every system)
in our pipeline and in the plain baselines of ``eval.systems``, so the ranking is compared, not the
extraction (``eval.archive.fields`` measures that).

- Known items: a detik article's human summary, first sentence, must find that article (MRR@10 and the
  paired randomization test of ``eval.report``), split into the tuning part and the held-out part
  (``Record.held_out``). CNBC Indonesia's archive has no summaries: 30 of its headlines paraphrased by
  hand stand in for them.
- Names with typos: each name of ``eval/data/archive_names.txt`` with two letters changed; found when an
  article naming the person correctly is in the top 5.
- Judged queries: ``eval/data/archive_queries.jsonl``, judged by hand on the pooled top 5 of docsearch and
  the built-in ``indonesian`` index, shuffled so the judge cannot tell the systems apart
  (``python -m eval.archive pool`` writes the unjudged pairs to the cache folder, with headlines and
  leads to read); the judgements (ids and grades only) are in ``eval/data/archive_judgements.jsonl``.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from eval.archive.corpus import Record, cache_dir
from eval.corpus import Doc, LabelledSet, Query
from eval.metrics import paired_randomization
from eval.report import Scores, score_system, table
from eval.systems import HYBRID, PIPELINE, System

DATA = Path(__file__).resolve().parent.parent / "data"
NAMES = DATA / "archive_names.txt"
QUERIES = DATA / "archive_queries.jsonl"
PARAPHRASES = DATA / "archive_paraphrases.jsonl"
JUDGEMENTS = DATA / "archive_judgements.jsonl"
TOP = 5
BASELINE = "indonesian (built-in)"
JUDGED_SYSTEMS = (PIPELINE, HYBRID, BASELINE)  # the plain index each mode of ours is judged against
VOWELS = "aeiou"
CONSONANTS = "bcdfghjklmnprstwy"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def docs_of(records: list[Record]) -> list[Doc]:
    return [Doc(id=record.id, title=record.title, body=record.body) for record in records]


def known_items(records: list[Record]) -> LabelledSet:
    """A query per summarised article: the summary's first sentence."""
    queries = []
    for record in records:
        if record.summary:
            sentence = SENTENCE_END.split(record.summary)[0]
            queries.append(Query(id=f"ki-{record.id}", text=sentence, relevant={record.id: 1}))
    return LabelledSet("archive known items", docs_of(records), queries)


def paraphrased_headlines(records: list[Record]) -> LabelledSet:
    """CNBC Indonesia's archive has no summaries: 30 of its headlines paraphrased by hand
    (``eval/data/archive_paraphrases.jsonl``, written for this project), each to find its article."""
    known = {record.id for record in records}
    items = [json.loads(line) for line in PARAPHRASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [Query(id=f"ph-{i['doc']}", text=i["query"], relevant={i["doc"]: 1}) for i in items if i["doc"] in known]
    return LabelledSet("archive paraphrased headlines", docs_of(records), queries)


def known_item_tables(labelled: LabelledSet, results: list[Scores], held_out: set[str]) -> str:
    parts = [table(labelled, results)]
    for title, keep in (("tuning part", False), ("held-out part (URL SHA-1 ends in 0-2)", True)):

        def wanted(query_id: str, keep: bool = keep) -> bool:
            return (query_id.removeprefix("ki-") in held_out) == keep

        part = [scores.subset(wanted) for scores in results]
        parts.append(table(labelled, part, title=f"{labelled.name}, {title}"))
    baselines = [s for s in results if s.system not in (PIPELINE, HYBRID) and s.mrr]
    for ours in (s for s in results if s.system in (PIPELINE, HYBRID)):
        ratios = ", ".join(f"{s.system} {ours.mrr / s.mrr:.3f}x" for s in baselines)
        parts.append(f"{ours.system} MRR@10 / baseline MRR@10: {ratios}")
    return "\n\n".join(parts)


def two_typos(name: str) -> str:
    """``name`` with two letters changed (a vowel for another vowel, a consonant for another), never the
    first letter of a word, chosen by a generator seeded with the name: the same typos every run."""
    rng = random.Random(name)  # noqa: S311 - reproducible typos, not security
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    # Two letters of the longest word when it is long enough, else one letter in each of two words.
    if len(words[longest]) >= 6 or len(words) == 1:
        targets = [(longest, p) for p in rng.sample(range(1, len(words[longest])), 2)]
    else:
        second = max((i for i in range(len(words)) if i != longest), key=lambda i: len(words[i]))
        targets = [(longest, rng.randrange(1, len(words[longest]))), (second, rng.randrange(1, len(words[second])))]
    letters = [list(word) for word in words]
    for index, position in targets:
        old = letters[index][position].lower()
        pool = VOWELS if old in VOWELS else CONSONANTS
        letters[index][position] = rng.choice([ch for ch in pool if ch != old])
    return " ".join("".join(word) for word in letters)


def names() -> list[str]:
    lines = NAMES.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def typo_report(systems: list[System], records: list[Record]) -> str:
    text = {record.id: f"{record.title}\n{record.body}".casefold() for record in records}
    rows = []
    found = dict.fromkeys((system.name for system in systems), 0)
    misses: dict[str, list[str]] = {system.name: [] for system in systems}
    for name in names():
        typo = two_typos(name)
        for system in systems:
            top = system.rank(typo)[:TOP]
            if any(name.casefold() in text.get(doc_id, "") for doc_id in top):
                found[system.name] += 1
            else:
                misses[system.name].append(typo)
        rows.append(typo)
    total = len(rows)
    lines = [f"names with two wrong letters: {total} names, found = an article naming the person in the top {TOP}"]
    lines += [f"  {system}: {count}/{total} ({100 * count / total:.0f} %)" for system, count in found.items()]
    lines.append(f"  docsearch misses: {', '.join(misses[PIPELINE]) or 'none'}")
    return "\n".join(lines)


def newsroom_queries() -> list[tuple[str, str]]:
    items = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(item["id"], item["query"]) for item in items]


def judgements() -> dict[tuple[str, str], int]:
    if not JUDGEMENTS.exists():
        return {}
    items = [json.loads(line) for line in JUDGEMENTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(item["query"], item["doc"]): int(item["relevant"]) for item in items}


def pool_path() -> Path:
    return cache_dir() / "archive-pool.jsonl"


def write_pool(systems: list[System], records: list[Record]) -> tuple[Path, int]:
    """The unjudged (query, article) pairs of the judged systems' top 5, shuffled, with what a judge reads."""
    by_id = {record.id: record for record in records}
    judged = judgements()
    pairs: set[tuple[str, str]] = set()
    for query_id, text in newsroom_queries():
        for system in systems:
            if system.name in JUDGED_SYSTEMS:
                pairs.update((query_id, doc) for doc in system.rank(text)[:TOP] if (query_id, doc) not in judged)
    ordered = sorted(pairs)
    random.Random(20).shuffle(ordered)  # noqa: S311 - blind order, not security
    queries = dict(newsroom_queries())
    path = pool_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for query_id, doc in ordered:
            record = by_id[doc]
            lead = " ".join(record.body.split())[:400]
            row = {"query": query_id, "text": queries[query_id], "doc": doc, "title": record.title, "lead": lead}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path, len(ordered)


def precision_report(systems: list[System]) -> str:
    judged = judgements()
    queries = newsroom_queries()
    lines = [f"newsroom queries: {len(queries)}, P@{TOP} judged by hand on the pooled, shuffled top {TOP}"]
    per_system: dict[str, list[float]] = {}
    for system in systems:
        if system.name not in JUDGED_SYSTEMS:
            continue
        unjudged = 0
        scores = []
        for query_id, text in queries:
            top = system.rank(text)[:TOP]
            unjudged += sum(1 for doc in top if (query_id, doc) not in judged)
            scores.append(sum(judged.get((query_id, doc), 0) for doc in top) / TOP)
        per_system[system.name] = scores
        mean = sum(scores) / max(len(scores), 1)
        lines.append(f"  {system.name}: mean P@{TOP} {mean:.3f} ({unjudged} results unjudged, counted not relevant)")
    theirs = per_system.get(BASELINE)
    for name in (PIPELINE, HYBRID):
        ours = per_system.get(name)
        if ours and theirs:
            lines.append(
                f"  {name} vs {BASELINE}, paired randomization test: p={paired_randomization(ours, theirs):.3f}"
            )
    return "\n".join(lines)


def scored(systems: list[System], labelled: LabelledSet) -> list[Scores]:
    return [score_system(system, labelled.queries) for system in systems]
