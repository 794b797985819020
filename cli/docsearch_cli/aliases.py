"""`docsearch aliases list|add|remove`: the newsroom's alias list in the bucket (``_config/aliases.txt``).

The search function reads it at query time (``docsearch.search.alias_store``): a change is live within
its reload period, with no reindex. Lines are validated as the search function parses them before they
are written; the file is never deleted (``remove`` of the last line leaves it empty).
"""

from __future__ import annotations

from typing import Any

from docsearch.search.aliases import AliasError, parse_rule, words_of
from docsearch.settings import ALIASES_KEY

HEADER = (
    "# The newsroom's aliases, applied by the search function at query time (no reindex): one line per alias,\n"
    "# 'a, b, c' (each means the others) or 'a, b => c' (a or b also means c). Edit with `docsearch aliases`.\n"
)


def read_list(s3: Any, bucket: str) -> str:
    """The list's text ('' when there is none yet)."""
    try:
        answer = s3.get_object(Bucket=bucket, Key=ALIASES_KEY)
    except s3.exceptions.NoSuchKey:
        return ""
    return str(answer["Body"].read().decode("utf-8", errors="replace"))


def write_list(s3: Any, bucket: str, text: str) -> None:
    s3.put_object(Bucket=bucket, Key=ALIASES_KEY, Body=text.encode(), ContentType="text/plain; charset=utf-8")


def rules(text: str) -> list[str]:
    """The list's alias lines (comments and blank lines left out)."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def added(text: str, line: str) -> tuple[str, bool]:
    """The list with ``line`` appended (AliasError if it is not a usable alias line); False if already there."""
    rule = parse_rule(line)
    if rule is None:
        raise AliasError("an alias line needs two or more terms ('a, b' or 'a => b')")
    if any(parse_rule(existing) == rule for existing in rules(text)):
        return text, False
    base = text if text.strip() else HEADER
    return base.rstrip("\n") + "\n" + line.strip() + "\n", True


def removed(text: str, term: str) -> tuple[str, list[str]]:
    """The list without the lines that hold ``term`` (compared by its words, case aside), and those lines."""
    wanted = words_of(term)
    kept: list[str] = []
    gone: list[str] = []
    for line in text.splitlines():
        left, _, right = line.partition("=>")
        terms = {words_of(part) for part in (*left.split(","), *right.split(","))}
        is_rule = line.strip() and not line.lstrip().startswith("#")
        (gone if is_rule and wanted in terms else kept).append(line)
    return "\n".join(kept) + ("\n" if kept else ""), gone
