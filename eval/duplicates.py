"""How well the ingest fingerprints group copies of a story, offline (no engine): `python -m eval.duplicates`.

Copies are made from the sample articles the way syndication changes a story (a dateline added, a local
paragraph added, the last paragraph or the lead dropped, re-typed case and punctuation), run through
the real extraction, and compared with their original the two ways ingest can meet them: found in the
index (``same_story``) and, when they arrive at the same moment, by their own story (``own_story``).
Distinct articles (the samples, plus a BEIR-style ``--corpus`` folder if given) must never be grouped.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

from docsearch.ingest.extract import read_article
from docsearch.ingest.fingerprint import own_story, paragraph_hashes, same_story
from eval.corpus import SAMPLES_DIR

LOCAL = "Pemerintah daerah setempat menyatakan akan memantau perkembangan situasi ini bersama aparat terkait."


def _paragraphs(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.strip()]


VARIANTS: dict[str, Callable[[list[str]], list[str]]] = {
    "dateline added": lambda ps: [f"JAKARTA, KABARLAIN.com - {ps[0]}", *ps[1:]],
    "local paragraph added": lambda ps: [*ps, LOCAL],
    "last paragraph dropped": lambda ps: ps[:-1],
    "lead dropped": lambda ps: ps[1:],
    "re-typed (case, quotes, dashes)": lambda ps: [
        p.upper().replace("“", '"').replace("”", '"').replace("-", " ") for p in ps
    ],
}


def _copy(title: str, paragraphs: list[str]) -> list[str]:
    text = f"Salinan: {title}\n\n" + "\n\n".join(paragraphs)
    return paragraph_hashes(read_article(text.encode(), key="salinan.txt").body)


def measure(corpus: Path | None) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Per kind of copy: copies made, grouped via the index, grouped when concurrent; then the distinct set."""
    originals = {}
    for path in sorted(SAMPLES_DIR.iterdir()):
        article = read_article(path.read_bytes(), key=path.name)
        originals[path.name] = (article.title, _paragraphs(article.body), paragraph_hashes(article.body))
    rows = {}
    for name, change in VARIANTS.items():
        found = concurrent = tried = 0
        for doc_id, (title, paragraphs, hashes) in originals.items():
            if len(paragraphs) < 3:
                continue
            tried += 1
            copy = _copy(title, change(paragraphs))
            found += same_story(hashes, copy)
            concurrent += own_story(hashes, doc_id) == own_story(copy, "copy")
        rows[name] = {"copies": tried, "grouped via the index": found, "grouped when concurrent": concurrent}
    distinct = {doc_id: hashes for doc_id, (_, _, hashes) in originals.items()}
    if corpus is not None:
        for line in (corpus / "corpus.jsonl").open(encoding="utf-8"):
            doc = json.loads(line)
            distinct[doc.get("_id") or doc["id"]] = paragraph_hashes(f"{doc.get('text', '')}")
    wrong = sum(same_story(a, b) for a, b in combinations(distinct.values(), 2) if set(a) & set(b))
    stories: dict[str, int] = {}
    for doc_id, hashes in distinct.items():
        stories[own_story(hashes, doc_id)] = stories.get(own_story(hashes, doc_id), 0) + 1
    return rows, {
        "distinct documents": len(distinct),
        "distinct pairs grouped via the index": wrong,
        "distinct documents sharing an own story": sum(n for n in stories.values() if n > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a BEIR-style folder (corpus.jsonl) of distinct documents")
    rows, distinct = measure(parser.parse_args().corpus)
    print(f"{'copy made by':34} {'copies':>6} {'via index':>10} {'concurrent':>11}")
    for name, row in rows.items():
        print(f"{name:34} {row['copies']:>6} {row['grouped via the index']:>10} {row['grouped when concurrent']:>11}")
    for key, value in distinct.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
