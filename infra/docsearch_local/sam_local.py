"""``sam local`` against the local stack: a stack of its own that the function containers can reach.

Function containers reach the host only through Docker's bridge, so this stack's OpenSearch
and S3/SQS emulator listen on the bridge gateway as well as on loopback (nothing else), on
free ports, with a state folder of their own (``<state>-sam``: the Docker daemon started for
``sam local`` lives there too). The ingest worker is not started: the ingest function, run
by ``sam local invoke``, is what reads the queue's messages.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

from docsearch.settings import ALIASES_KEY
from docsearch_local.paths import StackConfig, stack_config

REPO = Path(__file__).resolve().parents[2]
BUILT_TEMPLATE = REPO / ".aws-sam" / "build" / "template.yaml"
SAM_VENV = REPO / ".venv-sam"
PARTS = ("opensearch", "aws")
FUNCTIONS = ("IngestFunction", "SearchFunction")


def sam_state(base: StackConfig | None = None) -> Path:
    base = base or stack_config()
    return base.state.with_name(base.state.name + "-sam")


def docker_folder(base: StackConfig | None = None) -> Path:
    return sam_state(base) / "docker"


def _free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(hosts: tuple[str, ...], also: int = 0) -> int:
    """A port free on every host (and ``port + also`` too, for OpenSearch's transport port)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + also < 65536 and all(_free(h, port) and _free(h, port + also) for h in hosts):
            return port


def sam_stack_config(gateway: str, base: StackConfig | None = None) -> StackConfig:
    base = base or stack_config()
    bind = ("127.0.0.1", gateway)
    return replace(
        base,
        state=sam_state(base),
        opensearch_port=free_port(bind, also=100),
        aws_port=free_port(bind),
        api_port=free_port(bind),
        bind=bind,
    )


def env_vars(config: StackConfig, gateway: str) -> dict[str, dict[str, str]]:
    """``--env-vars`` for both functions: the stack at the bridge gateway, unsigned (it is plain local HTTP)."""
    common = {
        "OPENSEARCH_URL": f"http://{gateway}:{config.opensearch_port}",
        "OPENSEARCH_AUTH": "none",
        "INDEX_ALIAS": config.index_alias,
        "LOG_LEVEL": "INFO",
    }
    emulator = {"AWS_ENDPOINT_URL": f"http://{gateway}:{config.aws_port}"}
    # The search function reads the newsroom's alias list from the bucket: the local one, not an AWS
    # address a container with no internet would wait on (a DNS lookup no request timeout bounds).
    aliases = {"ALIASES_OBJECT": f"s3://{config.bucket}/{ALIASES_KEY}"}
    return {
        "IngestFunction": {**common, **emulator},
        "SearchFunction": {**common, **emulator, **aliases},
    }


def write_env_vars(config: StackConfig, gateway: str) -> Path:
    path = config.state / "sam-env.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(env_vars(config, gateway), indent=2))
    return path


def sam_env(docker_host: str, config: StackConfig) -> dict[str, str]:
    """The SAM CLI's environment: our Docker, no telemetry, the local emulator's credentials and region."""
    return {
        **os.environ,
        "PATH": f"{SAM_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "DOCKER_HOST": docker_host,
        "SAM_CLI_TELEMETRY": "0",
        "SAM_CLI_CONTAINER_CONNECTION_TIMEOUT": "60",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": config.region,
        "AWS_DEFAULT_REGION": config.region,
    }


def sam_command(command: str, env_file: Path, region: str, *args: str, template: Path = BUILT_TEMPLATE) -> list[str]:
    """``sam local <command>`` on the built template (or another beside it), never pulling images (the registry
    may be out of reach)."""
    return [
        str(SAM_VENV / "bin" / "sam"),
        "local",
        command,
        *args,
        "--template",
        str(template),
        "--env-vars",
        str(env_file),
        "--region",
        region,
        "--skip-pull-image",
    ]


def invoke(
    function: str, event: Path, env_file: Path, docker_host: str, config: StackConfig
) -> subprocess.CompletedProcess[str]:
    command = sam_command("invoke", env_file, config.region, function, "--event", str(event))
    return subprocess.run(
        command, env=sam_env(docker_host, config), capture_output=True, text=True, timeout=300, check=False, cwd=REPO
    )
