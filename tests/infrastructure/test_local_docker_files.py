"""The Docker route (infra/compose.yaml + env.json) stays in step with the Docker-free stack and the template."""

from pathlib import Path

import yaml

from docsearch_local.opensearch import OPENSEARCH_VERSION

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_the_same_opensearch_on_loopback_only() -> None:
    compose = yaml.safe_load((ROOT / "infra" / "compose.yaml").read_text())
    services = compose["services"]
    assert services["opensearch"]["image"] == f"opensearchproject/opensearch:{OPENSEARCH_VERSION}"
    moto_pin = next(
        line.split("==")[1].strip()
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if line.startswith("moto")
    )
    assert services["moto"]["image"] == f"motoserver/moto:{moto_pin}"
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{port} must bind to loopback only"
    assert services["opensearch"]["environment"]["discovery.type"] == "single-node"
    assert "docsearch_local.aws_resources" in " ".join(services["resources"]["command"])
