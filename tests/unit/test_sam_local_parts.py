"""The pieces of `make sam-local` that need no Docker: bind addresses, the env-vars file, the image's inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from docsearch_local import docker_daemon
from docsearch_local.lambda_image import BOOTSTRAP, ENTRYPOINT, apt_source, runtime_packages
from docsearch_local.paths import StackConfig, bind_addresses
from docsearch_local.sam_local import FUNCTIONS, env_vars

ROOT = Path(__file__).resolve().parents[2]


def test_loopback_is_always_bound_first_and_once() -> None:
    assert bind_addresses("127.0.0.1") == ("127.0.0.1",)
    assert bind_addresses("172.17.0.1") == ("127.0.0.1", "172.17.0.1")
    assert bind_addresses(" 127.0.0.1 , 172.17.0.1,") == ("127.0.0.1", "172.17.0.1")


def _declared_variables() -> dict[str, set[str]]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    shared = set(template["Globals"]["Function"]["Environment"]["Variables"])
    return {
        name: shared | set(template["Resources"][name]["Properties"]["Environment"]["Variables"]) for name in FUNCTIONS
    }


def test_env_vars_point_both_functions_at_the_bridge_and_only_override_declared_variables() -> None:
    """`sam local` drops variables a function does not declare: the ingest function must declare AWS_ENDPOINT_URL."""
    config = StackConfig(state=Path("/tmp/x"), opensearch_port=41000, aws_port=41001, api_port=41002)
    variables = env_vars(config, "172.17.0.1")
    declared = _declared_variables()
    assert set(variables) == set(FUNCTIONS)
    for function, values in variables.items():
        assert set(values) <= declared[function], function
        assert values["OPENSEARCH_URL"] == "http://172.17.0.1:41000" and values["OPENSEARCH_AUTH"] == "none"
    assert variables["IngestFunction"]["AWS_ENDPOINT_URL"] == "http://172.17.0.1:41001"


def test_the_image_follows_lambdas_runtime_contract() -> None:
    assert '-m awslambdaric "$_HANDLER"' in BOOTSTRAP
    # layers are mounted under /opt: without these on PYTHONPATH the function cannot import its layer
    assert "/opt/python/lib/python3.12/site-packages:/opt/python" in BOOTSTRAP and ":/var/task" in BOOTSTRAP
    assert "/usr/local/bin/aws-lambda-rie /var/runtime/bootstrap" in ENTRYPOINT
    assert any(p.startswith("awslambdaric==") for p in runtime_packages())
    assert any(p.startswith("boto3==") for p in runtime_packages())  # Lambda's runtime provides boto3


def test_debootstrap_uses_the_mirror_apt_already_uses() -> None:
    mirror, release = apt_source()
    assert mirror.startswith(("http://", "https://")) and release


def test_without_docker_the_message_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(docker_daemon, "_answers", lambda host: None)
    monkeypatch.setattr(docker_daemon.shutil, "which", lambda tool: None)
    with pytest.raises(docker_daemon.DockerUnavailable, match="make docker"):
        docker_daemon.ensure_daemon(tmp_path)


def test_a_state_folder_too_deep_for_unix_sockets_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(docker_daemon, "_answers", lambda host: None)
    monkeypatch.setattr(docker_daemon.os, "geteuid", lambda: 0)
    monkeypatch.setattr(docker_daemon.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    with pytest.raises(docker_daemon.DockerUnavailable, match="108"):
        docker_daemon.ensure_daemon(tmp_path / ("d" * 100))
