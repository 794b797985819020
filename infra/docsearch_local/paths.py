"""Where the local stack keeps downloads, state and logs, and which ports it uses.

Everything can be moved with environment variables, so two stacks (say, a
developer's and a test run's) can live side by side. The functions' own settings
(``docsearch.settings.Settings``) are derived from it: ``StackConfig.settings()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from opensearchpy import OpenSearch

from docsearch.engine import build_client
from docsearch.search.client import SearchClient
from docsearch.settings import ALIASES_KEY, DEFAULT_INDEX_ALIAS, DEFAULT_REGION, Settings

REPO = Path(__file__).resolve().parents[2]
# Where the project's Python packages live, for child interpreters (the stack's parts, bench's probes):
# the layer, the local stack, the CLI, and the repository root (functions, eval, bench).
SOURCE_ROOTS = (REPO / "layers" / "docsearch", REPO / "infra", REPO / "cli", REPO)
PYTHONPATH = os.pathsep.join(str(path) for path in SOURCE_ROOTS)
# Tools (stack, tests, eval, bench) wait longer on the engine than a function does.
TOOL_TIMEOUT_S = 30.0


def cache_home() -> Path:
    """Downloads (OpenSearch, JDK). Outside the repo; readable by the service user when root."""
    if env := os.environ.get("DOCSEARCH_HOME"):
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/cache/docsearch")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "docsearch"


@dataclass(frozen=True)
class StackConfig:
    state: Path
    opensearch_port: int
    aws_port: int
    api_port: int
    region: str = DEFAULT_REGION
    bucket: str = "docsearch-articles"
    queue: str = "docsearch-ingest"
    dlq: str = "docsearch-ingest-dlq"
    max_receive_count: int = 3
    visibility_timeout_s: int = 30
    index_alias: str = DEFAULT_INDEX_ALIAS
    # Addresses OpenSearch and the S3/SQS emulator listen on: loopback, plus Docker's bridge for `sam local`.
    bind: tuple[str, ...] = ("127.0.0.1",)

    @property
    def opensearch_url(self) -> str:
        return f"http://127.0.0.1:{self.opensearch_port}"

    @property
    def aws_url(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def log(self, part: str) -> Path:
        return self.state / "logs" / f"{part}.log"

    def pidfile(self, part: str) -> Path:
        return self.state / f"{part}.pid"

    def settings(self, timeout_s: float = TOOL_TIMEOUT_S) -> Settings:
        """The functions' settings on this stack (what ``env()`` gives them), with a tool's timeout."""
        return Settings.from_env({**self.env(), "OPENSEARCH_TIMEOUT_S": timeout_s})

    def engine(self, timeout_s: float = TOOL_TIMEOUT_S) -> OpenSearch:
        """An OpenSearch client on this stack's engine, built as the functions build theirs."""
        return build_client(self.settings(timeout_s))

    def search_client(self, timeout_s: float = TOOL_TIMEOUT_S) -> SearchClient:
        """The search function's client (docsearch.search.client) on this stack's engine."""
        return SearchClient.from_settings(self.settings(timeout_s))

    def env(self) -> dict[str, str]:
        """Environment for the handlers, exactly as the functions read it on AWS, pointed at local parts."""
        return {
            "OPENSEARCH_URL": self.opensearch_url,
            "OPENSEARCH_AUTH": "none",
            "INDEX_ALIAS": self.index_alias,
            "AWS_ENDPOINT_URL": self.aws_url,
            "ALIASES_OBJECT": f"s3://{self.bucket}/{ALIASES_KEY}",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "docsearch",
            "DOCSEARCH_STATE": str(self.state),
            "DOCSEARCH_OPENSEARCH_PORT": str(self.opensearch_port),
            "DOCSEARCH_AWS_PORT": str(self.aws_port),
            "DOCSEARCH_API_PORT": str(self.api_port),
            "DOCSEARCH_BIND": ",".join(self.bind),
        }


def stack_config() -> StackConfig:
    env = os.environ
    return StackConfig(
        state=Path(env.get("DOCSEARCH_STATE", cache_home() / "state")),
        opensearch_port=int(env.get("DOCSEARCH_OPENSEARCH_PORT", "9200")),
        aws_port=int(env.get("DOCSEARCH_AWS_PORT", "4566")),
        api_port=int(env.get("DOCSEARCH_API_PORT", "3000")),
        index_alias=env.get("DOCSEARCH_INDEX_ALIAS", DEFAULT_INDEX_ALIAS),
        bind=bind_addresses(env.get("DOCSEARCH_BIND", "127.0.0.1")),
    )


def bind_addresses(text: str) -> tuple[str, ...]:
    """``127.0.0.1,172.17.0.1`` -> both; loopback is always first (the stack's own URLs use it)."""
    addresses = [a.strip() for a in text.split(",") if a.strip()]
    return ("127.0.0.1", *(a for a in addresses if a != "127.0.0.1"))
