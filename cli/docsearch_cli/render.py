"""Terminal output: highlighted snippets, result lists, tables; colour only on a terminal.

Nothing from the bucket or the index is trusted: every printed line goes through ``safe``, which writes
control characters (C0, DEL, C1: ESC sequences could move the cursor, recolour or retitle the terminal)
and bidirectional overrides (which reorder what is shown) as visible escapes (``\x1b``, ``\u202e``), so
a key holding them is shown as what it is. Document text additionally has its HTML entities unescaped
for display. ``<mark>`` becomes bold colour on a terminal and plain text otherwise.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

MARK_STYLE = "bold yellow"
_MARK = re.compile(r"(</?mark>)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What ``safe`` escapes: every C0 control (a tab or newline inside a key is as hostile as ESC),
# DEL, C1, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Inside JSON strings the same characters but C0 (which json.dumps escapes itself).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """``text`` with every character that could act on a terminal written as a visible escape."""
    return UNSAFE.sub(_escape, text)


def safe_line(line: Any) -> Any:
    """A line about to be printed, made safe: a string through ``safe``, a styled Text span by span."""
    if isinstance(line, Text):
        if not UNSAFE.search(line.plain):
            return line
        return Text(safe(line.plain), style=line.style)  # an escape is longer: the spans would shift, so they go
    return safe(str(line))


def console(file: TextIO | None = None) -> Console:
    """A console that colours only a terminal, and never when NO_COLOR is set."""
    stream = file or sys.stdout
    terminal = stream.isatty()
    return Console(
        file=stream,
        force_terminal=terminal,
        no_color=bool(os.environ.get("NO_COLOR")) or not terminal,
        highlight=False,
        soft_wrap=not terminal,
        emoji=False,
        markup=False,
    )


def clean(text: str | None) -> str:
    """Entities unescaped, control characters dropped, whitespace runs folded."""
    return " ".join(_CONTROL.sub(" ", html.unescape(text or "")).split())


def snippet_text(snippet: str) -> Text:
    """A server snippet (escaped text + ``<mark>``) -> styled text; the tags themselves never show."""
    text = Text()
    marked = False
    for part in _MARK.split(snippet):
        if part in ("<mark>", "</mark>"):
            marked = part == "<mark>"
            continue
        piece = re.sub(r"\s+", " ", _CONTROL.sub(" ", html.unescape(part)))
        if not text.plain or text.plain.endswith(" "):
            piece = piece.lstrip()
        if piece:
            text.append(piece, style=MARK_STYLE if marked else None)
    text.rstrip()
    return text


def search_results(answer: dict[str, Any]) -> list[Text]:
    """The lines a person sees for one search response."""
    total, page, size = int(answer.get("total", 0)), int(answer.get("page", 1)), int(answer.get("size", 10))
    results = answer.get("results", [])
    query = clean(str(answer.get("query", "")))
    suggestion = answer.get("suggestion") or {}
    offer = Text("Mungkin maksud Anda: ")  # "Did you mean"
    offer.append_text(snippet_text(str(suggestion.get("html", ""))))
    if not results:
        return [Text(f"No results for “{query}”."), *([offer] if suggestion else [])]
    first = (page - 1) * size + 1
    header = Text(f"{total} result{'' if total == 1 else 's'} for “{query}”", style="bold")
    header.append(f" (showing {first}-{first + len(results) - 1}, {answer.get('took_ms', 0)} ms)", style="dim")
    lines = [header]
    if answer.get("relaxed"):
        lines.append(Text("No result holds all the words: these hold some of them.", style="dim"))
    if suggestion:
        lines.append(offer)
    for rank, hit in enumerate(results, first):
        lines += _hit_lines(rank, hit)
    sources = answer.get("facets", {}).get("source", [])
    if sources:
        facets = ", ".join(f"{clean(str(f['value']))} ({f['count']})" for f in sources)
        lines += [Text(""), Text(f"sources: {facets}", style="dim")]
    return lines


def _hit_lines(rank: int, hit: dict[str, Any]) -> list[Text]:
    """One result: a blank line, its rank and title, where it is from, its copies and up to three snippets."""
    title = Text(f"{rank}. ")
    title.append(clean(hit.get("title")) or "(untitled)", style="bold cyan")
    where = hit.get("url") or hit.get("key")  # the article's own address when known
    meta = " · ".join(clean(str(v)) for v in (hit.get("source"), hit.get("published_at"), where) if v)
    lines = [Text(""), title, Text(f"   {meta}", style="dim")]
    if hit.get("more_copies"):
        story = f" (--story {hit['story']} lists them all)" if hit.get("story") else ""
        lines.append(Text(f"   +{hit['more_copies']} more copies{story}:", style="dim"))
        for copy in hit.get("copies", []):
            about = (clean(str(copy.get(k) or "")) for k in ("source", "published_at", "title"))
            lines.append(Text("     - " + " · ".join(part for part in about if part), style="dim"))
    for snippet in hit.get("snippets", [])[:3]:
        line = Text("   … ")
        line.append_text(snippet_text(str(snippet)))
        line.append(" …")
        lines.append(line)
    return lines


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def print_json(data: Any, file: TextIO | None = None) -> None:
    """JSON with every string's C1 and bidi characters as ``\\u`` escapes (json.dumps escapes C0 already)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    print(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text), file=file or sys.stdout)
