"""The installed `docsearch` command, run as a subprocess against the local stack."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch_local.events import s3_notification
from docsearch_local.paths import StackConfig
from tests.support import eventually

pytestmark = pytest.mark.e2e
DOCSEARCH = Path(sys.executable).parent / "docsearch"
COMMANDS = ["upload", "status", "backfill", "search", "stats", "reindex", "redrive", "aliases", "smoke"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert DOCSEARCH.exists(), "`make venv` installs the project and its `docsearch` command"
    return subprocess.run(
        [str(DOCSEARCH), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd="/",  # works from anywhere, not only the repo
    )


def run_json(*args: str) -> Any:
    done = run(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_everywhere_and_usage_errors_exit_2() -> None:
    top = run("--help")
    assert top.returncode == 0 and all(c in top.stdout for c in COMMANDS)
    for command in COMMANDS:
        helped = run(command, "--help")
        assert helped.returncode == 0 and "--json" in helped.stdout and "--profile" in helped.stdout
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2
    bad_size = run("search", "banjir", "--size", "99")
    assert bad_size.returncode == 2 and "between 1 and 50" in bad_size.stderr
    assert run("search", "banjir", "--date-from", "2024-13-01").returncode == 2
    missing = run("upload", "/nonexistent/berita.txt")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_upload_then_search_with_snippets(local_stack: StackConfig, s3: Any, tmp_path: Path) -> None:
    token = f"zq{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "kiriman"
    (folder / "2024").mkdir(parents=True)
    (folder / "satu.txt").write_text(f"Harga Beras Naik\nHarga beras {token} naik & <b>pedagang</b> mengeluh.\n")
    (folder / "2024" / "dua.md").write_text(f"# Harga Cabai\nHarga cabai {token} ikut naik di pasar.\n")
    (folder / ".tersembunyi").write_text("not uploaded")
    prefix = f"cli-{token}"

    uploaded = run_json("upload", str(folder), "--prefix", prefix)
    keys = {f"{prefix}/kiriman/satu.txt", f"{prefix}/kiriman/2024/dua.md"}
    assert set(uploaded["uploaded"]) == keys and uploaded["failed"] == []
    head = s3.head_object(Bucket=local_stack.bucket, Key=f"{prefix}/kiriman/2024/dua.md")
    assert head["ContentType"] == "text/markdown; charset=utf-8"

    eventually(lambda: run_json("search", token, "--mode", "lexical")["total"] >= 2, "uploads searchable")

    answer = run_json("search", f"beras {token}", "--mode", "lexical")
    assert answer["total"] == 1 and answer["results"][0]["key"] == f"{prefix}/kiriman/satu.txt"
    # adjacent matches may share one <mark> ("<mark>beras zq…</mark>")
    assert any(re.search(f"<mark>[^<]*{token}[^<]*</mark>", s) for s in answer["results"][0]["snippets"])

    plain = run("search", f"beras {token}")  # not a terminal: no colour codes, no tags, entities unescaped
    assert plain.returncode == 0
    assert "Harga Beras Naik" in plain.stdout and token in plain.stdout
    assert "<mark>" not in plain.stdout and "\x1b[" not in plain.stdout
    assert "& <b>pedagang</b>" in plain.stdout and "&amp;" not in plain.stdout

    nothing = run("search", f"{token}tidakada")
    assert nothing.returncode == 0 and "No results" in nothing.stdout

    for key in keys:
        s3.delete_object(Bucket=local_stack.bucket, Key=key)


def test_upload_names_the_outlet_and_date_of_files_that_carry_none(
    local_stack: StackConfig, s3: Any, tmp_path: Path
) -> None:
    """``upload --source detikJabar --date …``: S3 metadata the worker reads; the outlet's filter finds the channel."""
    token = f"zq{uuid.uuid4().hex[:8]}"
    (tmp_path / "cabai.txt").write_text(f"Harga Cabai Naik\nHarga cabai {token} naik di pasar induk kota.\n")
    prefix = f"cli-meta-{token}"
    uploaded = run_json(
        "upload", str(tmp_path / "cabai.txt"), "--prefix", prefix, "--source", "detikJabar", "--date", "2025-10-21"
    )
    key = f"{prefix}/cabai.txt"
    assert uploaded["uploaded"] == [key]
    head = s3.head_object(Bucket=local_stack.bucket, Key=key)
    assert head["Metadata"] == {"source": "detikJabar", "published-at": "2025-10-21"}
    eventually(
        lambda: run_json("search", token, "--source", "detik", "--mode", "lexical")["total"] == 1,
        "found under its outlet",
    )
    hit = run_json("search", token, "--source", "detik", "--date-from", "2025-10-01", "--mode", "lexical")["results"][0]
    assert (hit["source"], hit["published_at"]) == ("detikJabar", "2025-10-21")
    s3.delete_object(Bucket=local_stack.bucket, Key=key)


def test_upload_waits_and_reports_each_files_outcome(local_stack: StackConfig, s3: Any, tmp_path: Path) -> None:
    """Skipped files are no longer "uploaded 3 of 3, exit 0": each one's reason is shown, and the exit is 1."""
    token = f"zq{uuid.uuid4().hex[:8]}"
    folder = tmp_path / f"campur-{token}"
    folder.mkdir()
    (folder / "laporan.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    (folder / "arsip.gz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    (folder / "kosong.txt").write_bytes(b"")
    (folder / "berita.txt").write_text(f"Panen Raya\nPanen raya {token} dimulai di Karawang pekan ini.\n")

    done = run("upload", str(folder), "--json")
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout)
    outcomes = {Path(o["key"]).name: o for o in answer["outcomes"]}
    assert outcomes["berita.txt"]["state"] == "indexed"
    for name in ("laporan.pdf", "arsip.gz", "kosong.txt"):
        assert outcomes[name]["state"] == "skipped", outcomes[name]
        assert outcomes[name]["reason"], outcomes[name]
    assert outcomes["kosong.txt"]["reason"] == "empty"

    plain = run("status", f"{folder.name}/berita.txt", f"{folder.name}/laporan.pdf")
    assert plain.returncode == 1  # one of them was skipped
    assert "berita.txt: indexed at" in plain.stdout and "Panen Raya" in plain.stdout
    assert f"{folder.name}/laporan.pdf: skipped at" in plain.stdout

    # Re-uploading the same bytes settles at once (nothing to re-index), and --no-wait does not wait.
    again = run_json("upload", str(folder / "berita.txt"), "--prefix", folder.name)
    assert again["outcomes"][0]["state"] == "indexed"
    assert "outcomes" not in run_json("upload", str(folder / "berita.txt"), "--prefix", folder.name, "--no-wait")

    s3.delete_object(Bucket=local_stack.bucket, Key=f"{folder.name}/berita.txt")
    # With S3's sequencer the delete leaves a tombstone ("deleted"); moto sends none, so it is removed outright.
    eventually(
        lambda: run_json_any("status", f"{folder.name}/berita.txt")["keys"][0]["state"] in ("deleted", "not_in_bucket"),
        "the delete recorded",
    )


def test_status_of_keys_never_indexed(local_stack: StackConfig, sqs: Any) -> None:
    token = f"zq{uuid.uuid4().hex[:8]}"
    missing = run_json_any("status", f"tidak-ada/{token}.txt")
    assert missing["keys"][0]["state"] == "not_in_bucket"

    # A change whose message died in the DLQ: the key is reported as dead-lettered, with what to do.
    dlq_url = sqs.get_queue_url(QueueName=local_stack.dlq)["QueueUrl"]
    key = f"mati/{token}.txt"
    sqs.send_message(QueueUrl=dlq_url, MessageBody=s3_notification(local_stack.bucket, key))
    try:
        dead = run("status", key)
        assert dead.returncode == 1
        assert "dead-letter queue" in dead.stdout and "redrive" in dead.stdout
    finally:
        _drop_dlq_messages(sqs, dlq_url, token)


def run_json_any(*args: str) -> Any:
    """JSON of a command whose exit code says "not all fine" (1), which the caller checks by content."""
    done = run(*args, "--json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _drop_dlq_messages(sqs: Any, dlq_url: str, token: str) -> None:
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            if token in message["Body"]:
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
        if not messages:
            return


def test_stats(local_stack: StackConfig) -> None:
    stats = run_json("stats")
    assert stats["alias"] == local_stack.index_alias
    assert stats["documents"] >= 0 and isinstance(stats["sources"], int)
    assert stats["dlq"] is not None and stats["queue"] is not None
    human = run("stats")
    assert human.returncode == 0 and "documents" in human.stdout and "DLQ" in human.stdout


def test_output_into_a_pipe_closed_early_ends_quietly(local_stack: StackConfig) -> None:
    """`docsearch stats --json | head -0`: head is gone before the first write."""
    done = subprocess.run(
        ["sh", "-c", f"'{DOCSEARCH}' stats --json | head -0"], capture_output=True, text=True, timeout=120
    )
    assert done.stderr == "", done.stderr


def test_reindex_and_direct_search(engine: OpenSearch, index_alias: str, local_stack: StackConfig) -> None:
    first = ensure_index(engine, index_alias)
    body = {"key": "r/1.txt", "bucket": "b", "title": "Pemilu Serentak", "body": "Partisipasi pemilih pemilu naik."}
    engine.index(index=index_alias, id="1", body=body, refresh=True)

    summary = run_json("reindex", "--index", index_alias, "--in-flight-s", "0")
    following = f"{index_alias}-v{int(first.rsplit('-v', 1)[1]) + 1}"
    assert summary["old_indices"] == [first] and summary["new_index"] == following
    assert summary["documents"] == 1 and summary["removed_old"] is True
    assert sorted(engine.indices.get_alias(name=index_alias)) == [following]

    found = run_json("search", "pemilih", "--direct", "--index", index_alias)
    assert found["total"] == 1 and found["results"][0]["title"] == "Pemilu Serentak"


def test_unreachable_api_is_a_clear_failure() -> None:
    done = run("search", "banjir", "--api-url", "http://127.0.0.1:9")
    assert done.returncode == 1
    assert "cannot reach the search API" in done.stderr and "Traceback" not in done.stderr
    as_json = run("search", "banjir", "--api-url", "http://127.0.0.1:9", "--json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["error"]["code"] == "failed"


def test_backfill_indexes_a_bucket_that_existed_before_the_stack(
    engine: OpenSearch, index_alias: str, local_stack: StackConfig, s3: Any
) -> None:
    bucket = f"lama-{uuid.uuid4().hex[:8]}"  # no notifications: only a backfill can index it
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": local_stack.region})
    s3.put_object(Bucket=bucket, Key="arsip/satu.txt", Body=b"Gempa Cianjur\nGempa mengguncang Cianjur pagi ini.")
    s3.put_object(Bucket=bucket, Key="arsip/dua.txt", Body=b"Harga Cabai\nHarga cabai rawit naik di pasar.")
    s3.put_object(Bucket=bucket, Key="arsip/kosong.txt", Body=b"")

    first = run_json("backfill", "--bucket", bucket, "--index", index_alias, "--prefix", "arsip/")
    assert (first["listed"], first["indexed"], first["skipped"], first["failed"]) == (3, 2, {"empty": 1}, 0)
    engine.indices.refresh(index=index_alias)
    assert engine.count(index=index_alias, body={"query": {"match": {"body": "gempa"}}})["count"] == 1

    again = run_json("backfill", "--bucket", bucket, "--index", index_alias, "--prefix", "arsip/")
    assert (again["indexed"], again["unchanged"]) == (0, 2)  # identical content: no write


def test_reindex_from_bucket_and_backfill_prune(
    engine: OpenSearch, index_alias: str, local_stack: StackConfig, s3: Any
) -> None:
    bucket = f"rb-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": local_stack.region})
    s3.put_object(Bucket=bucket, Key="a/satu.txt", Body=b"Gempa Cianjur\nGempa mengguncang Cianjur pagi ini.")
    s3.put_object(Bucket=bucket, Key="a/dua.txt", Body=b"Harga Cabai\nHarga cabai rawit naik di pasar.")
    first = run_json("backfill", "--bucket", bucket, "--index", index_alias)
    assert first["indexed"] == 2
    old = sorted(engine.indices.get_alias(name=index_alias))

    # A key removed from the bucket while nothing listened: only --prune retires it.
    s3.delete_object(Bucket=bucket, Key="a/dua.txt")
    engine.indices.refresh(index=index_alias)
    pruned = run_json("backfill", "--bucket", bucket, "--index", index_alias, "--prune")
    assert (pruned["unchanged"], pruned["pruned"]) == (1, 1)

    # The new index is filled from the bucket by the real filler (no alias mix-up), then swapped in.
    summary = run_json("reindex", "--from-bucket", "--bucket", bucket, "--index", index_alias)
    assert summary["source"] == "bucket" and summary["old_indices"] == old and summary["copied"] == 1
    assert sorted(engine.indices.get_alias(name=index_alias)) == [summary["new_index"]]
    hits = engine.search(index=index_alias, body={"query": {"match_all": {}}})["hits"]["hits"]
    assert [hit["_source"]["key"] for hit in hits] == ["a/satu.txt"]
    assert not engine.indices.exists_alias(name=f"{index_alias}-next")


def test_redrive_moves_dead_letters_back_and_they_get_indexed(local_stack: StackConfig, s3: Any, sqs: Any) -> None:
    token = f"zq{uuid.uuid4().hex[:8]}"
    key = f"redrive/{token}.txt"
    # The object sits in a bucket without notifications, its only message dead in the DLQ:
    # nothing but the redrive can get it indexed.
    bucket = f"sepi-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": local_stack.region})
    s3.put_object(Bucket=bucket, Key=key, Body=f"Kereta Cepat\nKereta cepat {token} mulai beroperasi.".encode())
    dlq_url = sqs.get_queue_url(QueueName=local_stack.dlq)["QueueUrl"]
    sqs.send_message(QueueUrl=dlq_url, MessageBody=s3_notification(bucket, key))

    moved = run_json("redrive")
    assert moved["moved"] >= 1
    eventually(lambda: run_json("search", token, "--mode", "lexical")["total"] == 1, "redriven message indexed")


def test_a_newsroom_alias_added_from_the_cli_is_used_by_the_api_without_a_reindex(
    local_stack: StackConfig, s3: Any, tmp_path: Path
) -> None:
    token = f"zk{uuid.uuid4().hex[:8]}"
    (tmp_path / "jabar.txt").write_text(f"Gubernur Tinjau Sungai\nGubernur Dedi Mulyadi {token} meninjau sungai.\n")
    run_json("upload", str(tmp_path / "jabar.txt"), "--prefix", f"cli-{token}")
    eventually(
        lambda: run_json("search", f"Dedi Mulyadi {token}", "--mode", "lexical")["total"] == 1, "upload searchable"
    )
    assert run_json("search", f"KDM{token} {token}", "--mode", "lexical")["relaxed"] is True  # found by the token alone

    bad = run("aliases", "add", "KDM")
    assert bad.returncode == 2 and "two or more terms" in bad.stderr
    assert run_json("aliases", "add", f"KDM{token}, Dedi Mulyadi")["added"] is True
    assert f"KDM{token}, Dedi Mulyadi" in run_json("aliases", "list")["aliases"]
    # The search function reads the list again within a minute: found as typed, no reindex.
    eventually(
        lambda: run_json("search", f"KDM{token} {token}", "--mode", "lexical")["relaxed"] is False,
        "the alias applied",
        timeout_s=90,
    )
    assert run_json("aliases", "remove", f"KDM{token}")["removed"] == [f"KDM{token}, Dedi Mulyadi"]
    s3.delete_object(Bucket=local_stack.bucket, Key=f"cli-{token}/jabar.txt")
