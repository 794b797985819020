"""Secure by default: the template's security rules that test_template.py does not already pin down.

No credentials in code or environment, SigV4 for both OpenSearch flavours, an
authorizer on by default, every suppressed scanner check explained, and the
scanners themselves wired into `make test`.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import Urllib3AWSV4SignerAuth

from docsearch.engine import build_client
from docsearch.settings import Settings
from tests.infrastructure.test_template import ROOT, load_template

SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|PRIVATE|CREDENTIAL|API_KEY", re.I)
SECRET_VALUE = re.compile(r"(AKIA|ASIA)[A-Z0-9]{16}|-----BEGIN|[A-Za-z0-9/+]{40}")
MIN_REASON_CHARS = 30


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _environments(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    envs = [("Globals", template["Globals"]["Function"].get("Environment", {}).get("Variables", {}))]
    for name, res in template["Resources"].items():
        if res["Type"] == "AWS::Serverless::Function":
            envs.append((name, res["Properties"].get("Environment", {}).get("Variables", {})))
    return envs


def test_no_credentials_in_function_environment(template: dict[str, Any]) -> None:
    for owner, variables in _environments(template):
        for name, value in variables.items():
            assert not SECRET_NAME.search(name), (owner, name)
            assert not (isinstance(value, str) and SECRET_VALUE.search(value)), (owner, name)


def test_no_credentials_in_code() -> None:
    sources = [p for d in ("functions", "layers/docsearch/docsearch") for p in (ROOT / d).rglob("*.py")]
    assert sources
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(AKIA|ASIA)[A-Z0-9]{16}", text), path
        assert not re.search(r"aws_secret_access_key\s*=|aws_access_key_id\s*=", text, re.I), path


def test_functions_sign_requests_with_sigv4_for_the_chosen_service(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["OPENSEARCH_AUTH"] == "sigv4"
    assert variables["OPENSEARCH_SERVICE"] == {"Fn::If": ["IsAoss", "aoss", "es"]}
    assert template["Parameters"]["OpenSearchService"]["AllowedValues"] == ["es", "aoss"]
    pattern = re.compile(template["Parameters"]["OpenSearchEndpoint"]["AllowedPattern"])
    assert pattern.fullmatch("https://search-x.ap-southeast-3.es.amazonaws.com")
    assert not pattern.fullmatch("http://search-x.ap-southeast-3.es.amazonaws.com")


@pytest.mark.parametrize("service", ["es", "aoss"])
def test_client_signs_with_sigv4_from_the_role_not_from_configuration(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On Lambda the credentials come from the execution role (the runtime's environment), never from settings.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "role-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "role-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "role-token")
    settings = Settings.from_env(
        {"OPENSEARCH_URL": "https://search.example.com", "OPENSEARCH_AUTH": "sigv4", "OPENSEARCH_SERVICE": service}
    )
    client = build_client(settings)
    auth = client.transport.kwargs["http_auth"]
    assert isinstance(auth, Urllib3AWSV4SignerAuth)
    assert auth.service == service
    assert auth.signer.region == settings.region
    assert auth.signer.credentials.secret_key == "role-secret"
    assert not any(
        "secret" in field.lower() or "key" in field.lower() for field in (f.name for f in dataclasses.fields(Settings))
    )


def test_an_authorizer_is_on_by_default(template: dict[str, Any]) -> None:
    assert template["Parameters"]["AuthMode"]["Default"] == "IAM"
    assert set(template["Parameters"]["AuthMode"]["AllowedValues"]) == {"NONE", "IAM", "JWT"}


def test_every_suppressed_check_has_a_written_reason(template: dict[str, Any]) -> None:
    suppressed = 0
    for name, res in template["Resources"].items():
        metadata = res.get("Metadata", {})
        for skip in metadata.get("checkov", {}).get("skip", []):
            suppressed += 1
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
            assert len(skip.get("comment", "").strip()) >= MIN_REASON_CHARS, (name, skip["id"])
        ignored = metadata.get("cfn-lint", {}).get("config", {}).get("ignore_checks", [])
        for rule in ignored:  # cfn-lint has no reason field: the reason must sit in a YAML comment nearby
            suppressed += 1
            assert _commented_near(rule), (name, rule)
    assert suppressed > 0


def _commented_near(rule: str) -> bool:
    lines = (ROOT / "template.yaml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if rule in line:
            return any("#" in other for other in lines[max(0, i - 3) : i + 2])
    return False


def test_scanners_run_in_make_test() -> None:
    makefile = Path(ROOT / "Makefile").read_text(encoding="utf-8")
    test_target = re.search(r"^test:([^#\n]*)", makefile, re.M)
    assert test_target and "template" in test_target.group(1).split()
    template_recipe = makefile.split("\ntemplate:", 1)[1].split("\n\n", 1)[0]
    assert "sam validate --lint" in template_recipe
    assert "checkov -f template.yaml" in template_recipe
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
