"""Markdown -> plain lines: headings, emphasis, links, images, rules and quotes undone."""

from __future__ import annotations

import re

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
EMPHASIS = re.compile(r"(\*\*|__|\*|(?<!\w)_)(?=\S)(.+?)(?<=\S)\1(?!\w)")
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
            line = heading[2]
        line = IMAGE.sub("", line)
        line = LINK.sub(r"\1", line)
        line = CODE.sub(r"\1", line)
        for _ in range(2):  # nested emphasis: ***x*** or **_x_**
            line = EMPHASIS.sub(r"\2", line)
        if heading:
            headings.append((len(heading[1]), line.strip()))
        lines.append(line)
    title = min(headings, key=lambda h: h[0])[1] if headings else None
    return lines, title or None
