"""`sam local` on Docker against a local stack of its own (bound to loopback and Docker's bridge).

Session fixtures: the Docker daemon (ours under the state folder unless one is already
running; ours is stopped at the end with every container the tests started), Lambda's
Python image (AWS's, or built here: docsearch_local.lambda_image), the stack, and the
``--env-vars`` file pointing the functions at the stack through the bridge gateway.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import unquote_plus

import pytest
from opensearchpy import OpenSearch

from docsearch_local import stack
from docsearch_local.docker_daemon import DockerDaemon, DockerUnavailable, ensure_daemon
from docsearch_local.lambda_image import ensure_image
from docsearch_local.paths import StackConfig, stack_config
from docsearch_local.sam_local import (
    BUILT_TEMPLATE,
    PARTS,
    SAM_VENV,
    docker_folder,
    sam_stack_config,
    sam_state,
    write_env_vars,
)
from tests.sam.harness import SamSetup, article, s3_client, s3_records

IMAGE = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def docker_daemon() -> Iterator[DockerDaemon]:
    try:
        daemon = ensure_daemon(docker_folder())
    except DockerUnavailable as error:
        pytest.fail(f"sam local needs Docker, and it cannot run here: {error}", pytrace=False)
    before = daemon.containers()
    yield daemon
    daemon.remove_containers(daemon.containers() - before)
    daemon.stop()


@pytest.fixture(scope="session")
def lambda_image(docker_daemon: DockerDaemon, pytestconfig: pytest.Config) -> str:
    """Which image the functions run in: AWS's, or the one built here (said at the end of the run)."""
    description = ensure_image(docker_daemon, SAM_VENV)
    pytestconfig.stash[IMAGE] = f"{description} (Docker storage: {docker_daemon.storage_driver})"
    return description


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if IMAGE in config.stash:
        terminalreporter.write_line(f"sam local image: {config.stash[IMAGE]}")


@pytest.fixture(scope="session")
def sam(docker_daemon: DockerDaemon, lambda_image: str) -> Iterator[SamSetup]:
    if not BUILT_TEMPLATE.exists():
        pytest.fail(f"{BUILT_TEMPLATE} is missing: `make template` runs sam build", pytrace=False)
    gateway = docker_daemon.bridge_gateway()
    base = stack_config()
    stack.down(replace(base, state=sam_state(base)), list(PARTS))  # what an interrupted run left behind
    config = sam_stack_config(gateway, base)
    started = stack.up(config, parts=PARTS)
    _empty_index(config)
    yield SamSetup(config, write_env_vars(config, gateway), docker_daemon, gateway)
    stack.down(config, started)


def _empty_index(config: StackConfig) -> None:
    """The sam stack is the tests' own and its index outlives a run: earlier runs' copies of the same
    fixtures would tie with this run's and could fill a page of results, so each run starts empty."""
    config.engine().delete_by_query(
        index=config.index_alias,
        body={"query": {"match_all": {}}},
        params={"conflicts": "proceed", "ignore_unavailable": "true", "refresh": "true"},
    )


@pytest.fixture(scope="session")
def sam_engine(sam: SamSetup) -> OpenSearch:
    return OpenSearch(hosts=[sam.config.opensearch_url], timeout=30)


@pytest.fixture(scope="session")
def ingested(sam: SamSetup) -> dict[str, Any]:
    """The sample SQS batch (events/sqs-s3-batch.json) for objects really put in the local bucket, invoked once."""
    created = [r for r in s3_records(sam.event("sqs-s3-batch.json")) if r["eventName"].startswith("ObjectCreated")]
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in created]
    for key in keys:
        s3_client(sam).put_object(
            Bucket=sam.config.bucket,
            Key=key,
            # Each its own story (a different body): copies of one story would be grouped into one result.
            Body=article(f"Banjir Jakarta: warga mengungsi ({key})", f"Jakarta Timur (laporan {key})"),
            Metadata={"source": "kabarpagi.id"},
        )
    return {"keys": keys, "response": sam.invoke("IngestFunction", "sqs-s3-batch.json")}
