"""Boilerplate removal measured on hand-labelled samples (tests/fixtures/boilerplate)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docsearch.ingest.extract import extract_article

SAMPLES = Path(__file__).parent.parent / "fixtures" / "boilerplate"
MIN_BOILERPLATE_REMOVED = 0.95  # share of boilerplate and header lines that leave the body
MAX_CONTENT_LOST = 0.0  # no content line may be lost on these samples


@dataclass
class Measurement:
    boilerplate: int = 0
    removed: int = 0
    content: int = 0
    lost: int = 0
    missed: list[str] | None = None
    dropped: list[str] | None = None


def _kept(line: str, body_lines: list[str]) -> bool:
    """A line survives if the body holds it, allowing a cut dateline or trailing initials."""
    text = line.strip()
    return any(out and out in text and len(out) >= 0.5 * len(text) for out in body_lines)


def measure() -> Measurement:
    result = Measurement(missed=[], dropped=[])
    for path in sorted(SAMPLES.glob("*.*")):
        if path.name == "README.md":
            continue
        labelled = [(line[:1], line[3:]) if line[1:2] == "|" else ("", line) for line in path.read_text().splitlines()]
        text = "\n".join(line for _, line in labelled)
        article = extract_article(text.encode(), key=f"samples/{path.name}")
        body_lines = [line.strip() for line in article.body.splitlines()]
        seen_content: set[str] = set()
        for label, line in labelled:
            if not line.strip():
                continue
            kept = _kept(line, body_lines)
            if label in ("B", "M"):
                result.boilerplate += 1
                duplicate_of_content = line.strip() in seen_content
                if not kept or (duplicate_of_content and article.body.count(line.strip()) == 1):
                    result.removed += 1
                else:
                    assert result.missed is not None
                    result.missed.append(f"{path.name}: {line}")
            else:
                result.content += 1
                seen_content.add(line.strip())
                if not kept:
                    result.lost += 1
                    assert result.dropped is not None
                    result.dropped.append(f"{path.name}: {line}")
    return result


def test_boilerplate_removed_and_content_kept_on_labelled_samples() -> None:
    m = measure()
    print(f"boilerplate/header lines removed: {m.removed}/{m.boilerplate}; content lines lost: {m.lost}/{m.content}")
    assert m.boilerplate >= 60 and m.content >= 25  # the samples are big enough to mean something
    assert m.removed / m.boilerplate >= MIN_BOILERPLATE_REMOVED, m.missed
    assert m.lost / m.content <= MAX_CONTENT_LOST, m.dropped
