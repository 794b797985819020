"""The newsroom's alias list, read from the bucket by the search function, cached and reloaded on change.

Where: one object, ``_config/aliases.txt`` (``settings.ALIASES_KEY``) in the articles bucket (``ALIASES_OBJECT``, an ``s3://``
address; ingest never indexes ``_config/``). A file rather than an SSM parameter: the newsroom edits it
with the tools it already uploads with (``docsearch aliases``, ``aws s3 cp``), it works on the local
stack as on AWS (the emulator is S3), an SSM parameter stops at 8 KB (advanced tier: 4 KB standard),
and the search role needs one more grant either way: ``s3:GetObject`` on that one key.

When: a warm container asks again at most every ``RELOAD_S`` seconds, with the ETag it holds
(``If-None-Match``): S3 answers 304 with no body when nothing changed. An edit is live everywhere within
a minute; a container serving 10 searches a second asks on one of 600 (about 10 ms each time).

How: one signed GET over urllib3 (already the layer's; botocore's SigV4 is the runtime's), as the
engine client does (``client.py``): boto3 would cost the search function's cold start about 150 ms.
The connection pool and the signer (a botocore session and its credential chain) are built once per
container; the signer asks botocore for current credentials on each request, so rotated ones are used.
A read is bounded: connecting, the answer's headers and its body share one deadline, ``FETCH_TIMEOUT_S``
away (the body is read a piece at a time, so an S3 that trickles bytes cannot hold a search), overrun by
at most the one socket read under way (itself bounded by the timeout): at most about twice it. The name
lookup (``getaddrinfo``) is not covered, as in every urllib3 client. A list that cannot be read (no
grant, S3 unreachable, too slow) keeps the one held, logged; a list with bad lines uses its good ones,
logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

import urllib3
from urllib3.exceptions import HTTPError

from docsearch.errors import EngineUnavailable
from docsearch.observability import logger
from docsearch.search.aliases import MAX_LIST_BYTES, NO_ALIASES, AliasList, parse_aliases
from docsearch.search.client import SigV4Signer, _ca_certs
from docsearch.settings import get_settings

# An edit reaches every warm container within this: a newsroom adding an alias for today's story waits at
# most a minute, and the conditional GET it costs (about 10 ms, a 304 with no body) is paid by one search a
# minute per container, not by each.
RELOAD_S = 60.0
FETCH_TIMEOUT_S = 2.0  # well under the function's 10 s; a slow S3 costs one search this much, once a minute
# The body is read in pieces of at most this, the deadline checked between them: one piece is one socket
# read (urllib3's read1), bounded by the read timeout; a whole list (MAX_LIST_BYTES) is 8 of them.
READ_PIECE = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    """An answer to a conditional read: the list's text and ETag, ``unchanged``, or ``missing``."""

    text: str = ""
    etag: str | None = None
    unchanged: bool = False
    missing: bool = False


class AliasUnreadable(Exception):
    """The list could not be read (no grant, S3 unreachable, too big): the one held is kept."""


Fetcher = Callable[[str | None], Fetched]


class AliasStore:
    """The current alias list, read through ``fetch`` at most every ``reload_s`` seconds."""

    def __init__(self, fetch: Fetcher, reload_s: float = RELOAD_S, clock: Callable[[], float] = time.monotonic):
        self._fetch = fetch
        self._reload_s = reload_s
        self._clock = clock
        self._checked: float | None = None
        self._etag: str | None = None
        self._aliases = NO_ALIASES

    def current(self) -> AliasList:
        now = self._clock()
        if self._checked is not None and now - self._checked < self._reload_s:
            return self._aliases
        self._checked = now
        try:
            fetched = self._fetch(self._etag)
        except AliasUnreadable as error:
            logger.warning("alias list unreadable; keeping the one held", extra={"error": str(error)})
            return self._aliases
        if fetched.missing:
            self._etag, self._aliases = None, NO_ALIASES
        elif not fetched.unchanged:
            aliases, problems = parse_aliases(fetched.text)
            if problems:
                logger.warning("alias list has lines that were skipped", extra={"problems": problems[:20]})
            self._etag, self._aliases = fetched.etag, aliases
        return self._aliases


class S3ObjectFetcher:
    """Conditional GETs of one S3 object, SigV4-signed (the role's credentials), over urllib3."""

    def __init__(self, address: str, region: str, endpoint_url: str = "", timeout_s: float = FETCH_TIMEOUT_S) -> None:
        parts = urlsplit(address)
        if parts.scheme != "s3" or not parts.netloc or not parts.path.strip("/"):
            raise ValueError(f"ALIASES_OBJECT must be s3://bucket/key, not {address!r}")
        bucket, key = parts.netloc, quote(parts.path.lstrip("/"))
        if endpoint_url:  # the local emulator: path-style
            self.url = f"{endpoint_url.rstrip('/')}/{bucket}/{key}"
        else:
            self.url = f"https://{bucket}.s3.{region}.amazonaws.com/{key}"
        self.region = region
        self._timeout_s = timeout_s
        self._signer: SigV4Signer | None = None  # built on the first read, then kept (see headers())
        timeout = urllib3.Timeout(total=timeout_s)
        if self.url.startswith("https"):
            self._pool = urllib3.PoolManager(
                timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED", ca_certs=_ca_certs()
            )
        else:
            self._pool = urllib3.PoolManager(timeout=timeout, retries=False)

    def __call__(self, etag: str | None) -> Fetched:
        headers = self._headers()
        if etag:
            headers["If-None-Match"] = etag
        deadline = time.monotonic() + self._timeout_s
        try:
            answer = self._pool.request("GET", self.url, headers=headers, preload_content=False)
            data = self._body(answer, deadline)
        except HTTPError as error:
            raise AliasUnreadable(f"S3 could not be reached: {error}") from error
        if answer.status == 304:
            return Fetched(unchanged=True, etag=etag)
        if answer.status == 404:
            return Fetched(missing=True)
        if answer.status != 200:
            raise AliasUnreadable(f"S3 answered {answer.status} for the alias list")
        if len(data) > MAX_LIST_BYTES:
            raise AliasUnreadable(f"the alias list is over {MAX_LIST_BYTES} bytes")
        return Fetched(text=data.decode("utf-8", errors="replace"), etag=answer.headers.get("ETag"))

    def _headers(self) -> dict[str, str]:
        """Signed headers for the GET; the signer (a botocore session, its credential chain) made once.

        A signer that could not be made (no credentials) is asked for again on the next read."""
        try:
            if self._signer is None:
                self._signer = SigV4Signer(self.region, "s3")
            return self._signer.headers("GET", self.url, b"")
        except EngineUnavailable as error:  # no credentials to sign with
            raise AliasUnreadable(str(error)) from error
        except Exception as error:  # botocore's own (a credential refresh that failed, a bad profile): the
            # list is optional, so its read must not fail the search (botocore is not imported here: see above)
            raise AliasUnreadable(f"the alias list's read could not be signed: {error!r}") from error

    @staticmethod
    def _body(answer: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
        """Up to MAX_LIST_BYTES + 1 bytes of the answer, or AliasUnreadable once the deadline has passed."""
        data, whole = bytearray(), False
        try:
            while len(data) <= MAX_LIST_BYTES:
                if time.monotonic() > deadline:
                    raise AliasUnreadable("S3 sent the alias list too slowly")
                piece = answer.read1(min(READ_PIECE, MAX_LIST_BYTES + 1 - len(data)))
                whole = not piece
                if whole:
                    break
                data += piece
        finally:
            if whole:
                answer.release_conn()
            else:  # bytes left unread: the connection cannot carry the next request
                answer.close()
        return bytes(data)


def _no_list(etag: str | None) -> Fetched:
    return Fetched(missing=True)


@lru_cache(maxsize=1)
def get_alias_store() -> AliasStore:
    """One store per container (ALIASES_OBJECT unset: no newsroom list, only the built-in synonyms)."""
    settings = get_settings()
    if not settings.aliases_object:
        return AliasStore(_no_list)
    return AliasStore(S3ObjectFetcher(settings.aliases_object, settings.region, settings.aws_endpoint_url))
