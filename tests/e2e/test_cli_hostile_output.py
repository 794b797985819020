"""A hostile key and title cannot drive the terminal of whoever runs `docsearch` on them (issue 21)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from docsearch_local.paths import StackConfig
from tests.e2e.test_cli_commands import run
from tests.support import eventually

pytestmark = pytest.mark.e2e
ESCAPES = ("\x1b", "\x07", "\x9b", "\u202e")


def test_status_and_search_print_escapes_not_control_characters(local_stack: StackConfig, s3: Any) -> None:
    word = f"kapuas{uuid.uuid4().hex[:6]}"
    key = f"hostile/{word}\x1b]0;pwned\x07\x1b[2J\u202enosj.json"
    title = f"Banjir {word} \x1b[31mMERAH\x9b0m <script>x</script>"  # JSON escapes: the bytes are plain text
    body = f"Banjir {word} merendam permukiman di tepi sungai; warga mengungsi ke posko.\n\x1b[2J"
    s3.put_object(Bucket=local_stack.bucket, Key=key, Body=json.dumps({"title": title, "body": body}).encode())
    eventually(lambda: run("status", key).returncode == 0, "the hostile key indexed", timeout_s=60)

    for args in (("status", key), ("search", word), ("search", word, "--direct")):
        shown = run(*args)
        assert shown.returncode == 0, shown.stderr
        assert not any(char in shown.stdout + shown.stderr for char in ESCAPES), (args, shown.stdout)
        as_json = run(*args, "--json")
        assert not any(char in as_json.stdout for char in ESCAPES)
        json.loads(as_json.stdout)
    printed = run("status", key).stdout
    assert "\\x1b]0;pwned\\x07" in printed and "\\u202e" in printed
    found = json.loads(run("search", word, "--json").stdout)["results"][0]
    assert "<script>" not in found["title"] and "<script>" not in found["title_html"]
