"""What the `sam local` tests share: the stack, the env-vars file and Docker, and how to invoke a function."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docsearch_local.aws_resources import clients
from docsearch_local.docker_daemon import DockerDaemon
from docsearch_local.paths import StackConfig
from docsearch_local.sam_local import invoke

EVENTS = Path(__file__).resolve().parents[2] / "events"


@dataclass(frozen=True)
class SamSetup:
    config: StackConfig
    env_file: Path
    docker: DockerDaemon
    gateway: str

    @staticmethod
    def event(name: str) -> dict[str, Any]:
        """A sample event from events/."""
        return dict(json.loads((EVENTS / name).read_text(encoding="utf-8")))

    def invoke(self, function: str, event: str | dict[str, Any]) -> dict[str, Any]:
        """``sam local invoke`` with a sample event (its name in events/) or an event; the response, parsed."""
        if isinstance(event, dict):
            path = self.config.state / "events" / f"{uuid.uuid4().hex}.json"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(event))
        else:
            path = EVENTS / event
        try:
            result = invoke(function, path, self.env_file, self.docker.host, self.config)
        finally:
            if isinstance(event, dict):
                path.unlink()
        assert result.returncode == 0, f"sam local invoke {function} failed:\n{result.stderr[-3000:]}"
        lines = result.stdout.strip().splitlines()
        assert lines, f"sam local invoke {function} printed no response:\n{result.stderr[-3000:]}"
        response = json.loads(lines[-1])
        assert "errorMessage" not in response, f"{function} raised: {response}\n{result.stderr[-3000:]}"
        return dict(response)


def s3_client(sam: SamSetup) -> Any:
    return clients(sam.config)[0]


def article(title: str, place: str) -> bytes:
    """A short article of our own (title line, then the body)."""
    return (
        f"{title}\n"
        f"Hujan deras sejak dini hari membuat sungai meluap di {place}. Banjir setinggi pinggang orang dewasa "
        "merendam permukiman, dan warga mengungsi ke masjid dan sekolah terdekat sambil menunggu air surut."
    ).encode()


def s3_records(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The S3 notifications inside an SQS event's messages."""
    return [r for record in event["Records"] for r in json.loads(record["body"]).get("Records", [])]
