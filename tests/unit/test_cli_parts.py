"""The CLI's pure parts: snippet rendering, upload planning, where it points, and its wiring to the library."""

from __future__ import annotations

import io
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from docsearch_cli import main as cli
from docsearch_cli import render
from docsearch_cli.target import resolve
from docsearch_cli.uploads import content_type, plan


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _render(text: Any, stream: io.StringIO) -> str:
    console = render.console(stream)
    console.print(text)
    return stream.getvalue()


def test_snippet_marks_become_bold_on_a_terminal_and_plain_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    snippet = "harga <mark>beras</mark> naik &amp; &lt;b&gt;pedagang&lt;/b&gt;   mengeluh\n"
    text = render.snippet_text(snippet)
    assert text.plain == "harga beras naik & <b>pedagang</b> mengeluh"
    assert [(text.plain[s.start : s.end], s.style) for s in text.spans] == [("beras", render.MARK_STYLE)]
    on_terminal = _render(text, FakeTerminal())
    assert "\x1b[1;33mberas\x1b[0m" in on_terminal and "<mark>" not in on_terminal
    piped = _render(text, io.StringIO())
    assert piped.strip() == "harga beras naik & <b>pedagang</b> mengeluh" and "\x1b" not in piped


def test_no_color_is_respected_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = _render(render.snippet_text("<mark>banjir</mark> Jakarta"), FakeTerminal())
    assert "banjir" in out and "Jakarta" in out
    assert "33m" not in out  # no colour; bold alone still marks the match (NO_COLOR is about colour)


def test_document_text_cannot_drive_the_terminal() -> None:
    hostile = "judul\x1b[2J\x1b]0;pwned\x07 berita"
    assert "\x1b" not in render.clean(hostile) and "\x07" not in render.clean(hostile)
    assert "\x1b" not in render.snippet_text(f"<mark>{hostile}</mark>").plain


def test_result_listing() -> None:
    answer = {
        "query": "banjir",
        "total": 12,
        "page": 2,
        "size": 10,
        "took_ms": 4,
        "results": [
            {
                "title": "Banjir &amp; Longsor",
                "key": "a.txt",
                "source": "kabar.id",
                "published_at": "2024-06-19",
                "snippets": ["<mark>banjir</mark> besar"],
                "more_copies": 2,
                "copies": [{"source": "Kompas.com"}, {"source": "Warta Timur, Jakarta"}],
            },
        ],
        "facets": {"source": [{"value": "kabar.id", "count": 12}]},
    }
    lines = [line.plain for line in render.search_results(answer)]
    assert lines[0].startswith("12 results for “banjir” (showing 11-11")
    assert "11. Banjir & Longsor" in lines
    assert "   kabar.id · 2024-06-19 · a.txt" in lines
    assert "   … banjir besar …" in lines
    assert "   +2 more copies:" in lines
    assert lines[lines.index("   +2 more copies:") + 1 :][:2] == ["     - Kompas.com", "     - Warta Timur, Jakarta"]
    assert lines[-1] == "sources: kabar.id (12)"
    assert render.search_results({**answer, "total": 0, "results": []})[0].plain == "No results for “banjir”."
    assert render.human_bytes(126333) == "123.4 KiB" and render.human_bytes(12) == "12 B"


def test_upload_plan_keys_types_and_hidden_files(tmp_path: Path) -> None:
    folder = tmp_path / "berita"
    (folder / "2024").mkdir(parents=True)
    for name in ("a.txt", "2024/b.md", "2024/c.HTML", "d.json", "e.bin", ".git/config", "2024/.draft.txt"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    single = tmp_path / "satu.txt"
    single.write_text("y")
    items = {i.key: i.content_type for i in plan([folder, single], prefix="/masuk/")}
    assert items == {
        "masuk/berita/2024/b.md": "text/markdown; charset=utf-8",
        "masuk/berita/2024/c.HTML": "text/html; charset=utf-8",
        "masuk/berita/a.txt": "text/plain; charset=utf-8",
        "masuk/berita/d.json": "application/json",
        "masuk/berita/e.bin": "application/octet-stream",
        "masuk/satu.txt": "text/plain; charset=utf-8",
    }
    assert content_type(Path("x.htm")) == "text/html; charset=utf-8"
    assert content_type(Path("arsip.html.gz")) == "application/gzip"  # the gzip reader claims it, not HTML
    with pytest.raises(FileNotFoundError):
        plan([tmp_path / "nope"])


def _args(*argv: str) -> Any:
    return cli.build_parser().parse_args(["stats", *argv])


def test_local_stack_by_default_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCSEARCH_API_PORT", "3999")
    monkeypatch.setenv("DOCSEARCH_INDEX_ALIAS", "berita")
    target = resolve(_args())
    assert target.local and target.api_url == "http://127.0.0.1:3999" and target.index_alias == "berita"
    assert not target.signs_opensearch
    target = resolve(_args("--api-url", "https://x.example/", "--index", "lain", "--bucket", "ember"))
    assert target.api_url == "https://x.example" and target.index_alias == "lain" and target.bucket == "ember"


def test_aws_with_a_profile_signs_opensearch(fake_aws: None) -> None:
    target = resolve(
        _args(
            "--profile",
            "prod",
            "--region",
            "ap-southeast-1",
            "--bucket",
            "b",
            "--opensearch-url",
            "https://abc.ap-southeast-1.aoss.amazonaws.com",
        )
    )
    assert not target.local and target.profile == "prod" and target.region == "ap-southeast-1"
    assert target.signs_opensearch and target.opensearch_service == "aoss"
    es = resolve(_args("--profile", "p", "--opensearch-url", "https://search-d.ap-southeast-3.es.amazonaws.com"))
    assert es.opensearch_service == "es" and es.region == "ap-southeast-3"


def test_redrive_command_calls_the_queue_helper(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[str, str]] = []

    def redrive(sqs: Any, dlq_url: str, queue_url: str) -> int:
        seen.append((dlq_url, queue_url))
        return 3

    monkeypatch.setitem(sys.modules, "docsearch_cli.queues", types.SimpleNamespace(redrive=redrive))
    code = cli.main(["redrive", "--queue-url", "http://q/ingest", "--dlq-url", "http://q/dlq"])
    assert code == 0 and seen == [("http://q/dlq", "http://q/ingest")]
    assert "moved 3 messages" in capsys.readouterr().out


def test_failures_are_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["stats", "--opensearch-url", "http://127.0.0.1:9", "--json"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert json.loads(captured.out)["error"]["code"] == "failed"


def test_aws_without_the_values_a_command_needs_is_a_usage_error(
    fake_aws: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("x")
    assert cli.main(["upload", str(tmp_path / "a.txt"), "--profile", "p"]) == 2
    assert "--bucket" in capsys.readouterr().err
    assert cli.main(["search", "banjir", "--profile", "p"]) == 2
    assert "--api-url" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["serach", "banjir"], "unknown command 'serach'; did you mean 'search'?"),
        (["stat"], "did you mean 'stats'?"),
        (["search", "banjir", "--szie", "5"], "unknown option '--szie'; did you mean '--size'?"),
        (["upload", "a.txt", "--prefx=berita"], "did you mean '--prefix'?"),
        (["reindex", "--keep-olds"], "did you mean '--keep-old'?"),
        (["frobnicate"], "choose from aliases, backfill, redrive, reindex, search, stats, status, upload"),
    ],
)
def test_typos_get_a_suggestion_and_exit_2(argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        cli.main(argv)
    assert exit.value.code == 2 and hint in capsys.readouterr().err


def test_a_closed_output_pipe_is_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`docsearch stats --json | head`: the reader leaves early; the command ends quietly, exit 1."""

    def closed_pipe(*args: Any) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "cmd_redrive", closed_pipe)
    monkeypatch.setattr(cli, "_reader_gone", lambda: cli.EXIT_FAILURE)  # keep pytest's own stdout
    assert cli.main(["redrive", "--queue-url", "http://q/ingest", "--dlq-url", "http://q/dlq"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "BrokenPipe" not in captured.err


def test_upload_that_cannot_read_the_index_says_so_and_how_to_skip_the_wait(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """On AWS without engine access the upload is done but its outcome unknown: one line, exit 1, the way out."""
    put: list[str] = []
    s3 = types.SimpleNamespace(put_object=lambda **kw: put.append(kw["Key"]))
    monkeypatch.setattr(cli.Target, "client", lambda self, service: s3)
    (tmp_path / "a.txt").write_text("Judul\nIsi berita.")
    code = cli.main(["upload", str(tmp_path / "a.txt"), "--bucket", "ember", "--opensearch-url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 1 and put == ["a.txt"] and "Traceback" not in err
    assert "uploaded 1 files" in err and "--no-wait" in err
    assert cli.main(["upload", str(tmp_path / "a.txt"), "--bucket", "ember", "--no-wait"]) == 0
