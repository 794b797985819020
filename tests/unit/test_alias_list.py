"""The newsroom's alias list: parsed as Solr synonyms, applied as query variants, cached and reloaded on change."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import CredentialRetrievalError

from docsearch.search import alias_store
from docsearch.search.alias_store import AliasStore, AliasUnreadable, Fetched, S3ObjectFetcher
from docsearch.search.aliases import MAX_RULES, MAX_VARIANTS, AliasError, alias_variants, parse_aliases, parse_rule
from docsearch.search.models import SearchRequest
from docsearch.search.query import build_search
from docsearch.settings import Settings
from docsearch_cli.aliases import added, removed, rules


def test_lines_in_solr_format() -> None:
    aliases, problems = parse_aliases(
        "# comment\nKDM, Dedi  Mulyadi\nWamenaker => wakil menteri ketenagakerjaan\n\nx\n"
    )
    assert problems == ["line 5: an alias line needs two or more terms ('a, b' or 'a => b'): 'x'"]
    assert alias_variants("KDM banjir", aliases) == ["dedi mulyadi banjir"]
    assert alias_variants("Dedi Mulyadi", aliases) == ["kdm"]
    assert alias_variants("Wamenaker sidak", aliases) == ["wakil menteri ketenagakerjaan sidak"]
    assert alias_variants("wakil menteri ketenagakerjaan", aliases) == []  # one way only
    assert alias_variants("kdmx", aliases) == []  # whole words only


def test_variants_are_bounded() -> None:
    aliases, _ = parse_aliases("\n".join(f"a{n}, b{n}, c{n}" for n in range(10)))
    assert len(alias_variants(" ".join(f"a{n}" for n in range(10)), aliases)) == MAX_VARIANTS


def test_every_variant_can_satisfy_the_query() -> None:
    aliases, _ = parse_aliases("KDM, Dedi Mulyadi")
    body = build_search(SearchRequest(q="KDM Bekasi"), aliases=aliases)
    words = body["query"]["bool"]["must"][0]["bool"]
    assert words["minimum_should_match"] == 1
    assert [clause["multi_match"]["query"] for clause in words["should"]] == [
        "KDM Bekasi",
        "KDM Bekasi",
        "dedi mulyadi bekasi",
    ]


def test_rules_past_the_limit_are_left_out_and_said_where() -> None:
    lines = [f"a{n}, b{n}" for n in range(MAX_RULES)]
    assert parse_aliases("\n".join(lines))[1] == []  # a full list: nothing left out
    aliases, problems = parse_aliases("\n".join([*lines, "# comment", "x, y"]))
    assert len(aliases.rules) == MAX_RULES
    assert problems == [f"line {MAX_RULES + 2}: only the first {MAX_RULES} rules are used"]


def test_a_bad_line_is_refused_with_a_reason() -> None:
    with pytest.raises(AliasError):
        parse_rule("KDM")
    with pytest.raises(AliasError):
        parse_rule(", => x")
    assert parse_rule("# just a comment") is None


class _Bucket:
    def __init__(self) -> None:
        self.text, self.etag, self.reads, self.fail = "", "e0", 0, False

    def __call__(self, etag: str | None) -> Fetched:
        self.reads += 1
        if self.fail:
            raise AliasUnreadable("AccessDenied")
        if not self.text:
            return Fetched(missing=True)
        return Fetched(unchanged=True, etag=etag) if etag == self.etag else Fetched(text=self.text, etag=self.etag)


def test_the_store_reads_at_most_every_reload_period_and_sees_changes() -> None:
    bucket, now = _Bucket(), [0.0]
    store = AliasStore(bucket, reload_s=60, clock=lambda: now[0])
    assert store.current().rules == ()
    bucket.text, bucket.etag = "KDM, Dedi Mulyadi", "e1"
    now[0] = 30
    assert store.current().rules == () and bucket.reads == 1  # not asked again within the period
    now[0] = 61
    assert len(store.current().rules) == 1 and bucket.reads == 2
    now[0] = 122
    assert len(store.current().rules) == 1 and bucket.reads == 3  # unchanged: kept
    bucket.fail, now[0] = True, 200
    assert len(store.current().rules) == 1  # unreadable: the list held is kept
    bucket.fail, bucket.text, now[0] = False, "", 300
    assert store.current().rules == ()  # deleted: no list


class _S3Handler(BaseHTTPRequestHandler):
    """The alias object on loopback: 304 for its ETag; with ``trickle`` set, its body a byte at a time."""

    body, trickle = b"KDM, Dedi Mulyadi\n", 0.0

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == '"e1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"e1"')
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        try:
            for at in range(len(self.body)):
                time.sleep(self.trickle)
                self.wfile.write(self.body[at : at + 1])
                self.wfile.flush()
        except OSError:  # the reader gave up
            pass


@pytest.fixture
def s3_object(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_S3Handler,), getattr(request, "param", {}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _CountingSigner:
    made = 0

    def __init__(self, region: str, service: str) -> None:
        type(self).made += 1

    def headers(self, method: str, url: str, body: bytes) -> dict[str, str]:
        return {}


def test_the_signer_is_made_once_for_all_reloads(monkeypatch: pytest.MonkeyPatch, s3_object: str) -> None:
    monkeypatch.setattr(alias_store, "SigV4Signer", _CountingSigner)
    monkeypatch.setattr(_CountingSigner, "made", 0)
    store = AliasStore(S3ObjectFetcher("s3://b/_config/aliases.txt", "ap-southeast-3", s3_object), reload_s=0)
    assert len(store.current().rules) == 1
    assert len(store.current().rules) == 1  # a 304 this time: the list held is kept
    assert _CountingSigner.made == 1


class _ExpiringSigner(_CountingSigner):
    """Signs once; then the credentials cannot be refreshed (botocore's error, as a container role's can)."""

    signed = 0

    def headers(self, method: str, url: str, body: bytes) -> dict[str, str]:
        self.signed += 1
        if self.signed > 1:
            raise CredentialRetrievalError(provider="container-role", error_msg="timed out")
        return {}


def test_credentials_that_cannot_be_refreshed_keep_the_list_held(
    monkeypatch: pytest.MonkeyPatch, s3_object: str
) -> None:
    monkeypatch.setattr(alias_store, "SigV4Signer", _ExpiringSigner)
    store = AliasStore(S3ObjectFetcher("s3://b/_config/aliases.txt", "ap-southeast-3", s3_object), reload_s=0)
    assert len(store.current().rules) == 1
    assert len(store.current().rules) == 1  # the read could not be signed: the list held, not a failed search


@pytest.mark.parametrize("s3_object", [{"body": b"a, b\n" * 40, "trickle": 0.05}], indirect=True)
def test_a_list_sent_too_slowly_is_unreadable(monkeypatch: pytest.MonkeyPatch, s3_object: str) -> None:
    # Each byte comes well within the read timeout, the whole body (200 bytes, 10 s) well after it.
    monkeypatch.setattr(alias_store, "SigV4Signer", _CountingSigner)
    fetch = S3ObjectFetcher("s3://b/_config/aliases.txt", "ap-southeast-3", s3_object, timeout_s=0.5)
    with pytest.raises(AliasUnreadable, match="too slowly"):
        fetch(None)


def test_the_setting_must_name_an_object() -> None:
    assert Settings(opensearch_url="http://x", aliases_object="s3://b/_config/aliases.txt").aliases_object
    with pytest.raises(ValueError, match="ALIASES_OBJECT"):
        Settings(opensearch_url="http://x", aliases_object="s3://bucket-only")


def test_cli_edits_keep_the_list_valid() -> None:
    text, changed = added("", "KDM, Dedi Mulyadi")
    assert changed and text.startswith("#") and rules(text) == ["KDM, Dedi Mulyadi"]
    assert added(text, "kdm,  dedi mulyadi") == (text, False)  # the same alias, written differently
    with pytest.raises(AliasError):
        added(text, "KDM")
    text, _ = added(text, "Wamenaker => wakil menteri ketenagakerjaan")
    text, gone = removed(text, "Dedi Mulyadi")
    assert gone == ["KDM, Dedi Mulyadi"] and rules(text) == ["Wamenaker => wakil menteri ketenagakerjaan"]
