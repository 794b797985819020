"""Markdown -> plain lines: headings, emphasis, links, images, rules and quotes undone."""

from __future__ import annotations

import re

# Every pattern runs in linear time on a line of any length (a line may be megabytes long): no span may
# cross its own delimiter, so each start scans at most to the next delimiter and no two starts rescan the
# same text; the closing "#"s of a heading are stripped in Python, not by a lazy group before "\s*#*\s*$".
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
LINK = re.compile(r"\[([^\[\]]+)\]\([^()]*\)")
STAR_EMPHASIS = re.compile(r"(\*\*?)(?=[^\s*])([^*]+)(?<=\S)\1(?!\w)")
UNDERSCORE_EMPHASIS = re.compile(r"(__|(?<!\w)_)(?=[^\s_])([^_]+)(?<=\S)\1(?!\w)")
QUOTE = re.compile(r"^\s{0,3}>\s?")
CODE = re.compile(r"`([^`]*)`")


def markdown_lines(text: str) -> tuple[list[str], str | None]:
    """The text as plain lines, and the first level-1 (else any) heading as the headline."""
    lines: list[str] = []
    headings: list[tuple[int, str]] = []
    for raw in text.splitlines():
        if RULE.match(raw):
            lines.append("")
            continue
        line = QUOTE.sub("", raw)
        heading = HEADING.match(line)
        if heading:
            line = heading[2].rstrip().rstrip("#").rstrip()
        line = IMAGE.sub("", line)
        line = LINK.sub(r"\1", line)
        line = CODE.sub(r"\1", line)
        for _ in range(2):  # nested emphasis: ***x*** or **_x_**
            line = UNDERSCORE_EMPHASIS.sub(r"\2", STAR_EMPHASIS.sub(r"\2", line))
        if heading:
            headings.append((len(heading[1]), line.strip()))
        lines.append(line)
    title = min(headings, key=lambda h: h[0])[1] if headings else None
    return lines, title or None
