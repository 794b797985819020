"""The engine the tests run is the engine the template deploys (docs/decisions/0011-engine-version.md)."""

from __future__ import annotations

from typing import Any

import pytest

from docsearch_local import cfn, opensearch


@pytest.fixture(scope="module")
def version_parameter() -> dict[str, Any]:
    return dict(cfn.load_template()["Parameters"]["DomainEngineVersion"])


def _major_minor(version: str) -> str:
    major, minor, *_ = version.split(".")
    return f"{major}.{minor}"


def test_the_domain_default_is_the_local_engine_version(version_parameter: dict[str, Any]) -> None:
    assert version_parameter["Default"] == f"OpenSearch_{_major_minor(opensearch.OPENSEARCH_VERSION)}"


def test_no_version_is_selectable_that_no_test_runs_on(version_parameter: dict[str, Any]) -> None:
    assert version_parameter["AllowedValues"] == [version_parameter["Default"]]
    assert "AllowedPattern" not in version_parameter


def test_the_local_engine_is_that_version_from_maven_central(tmp_path: Any) -> None:
    assert f"/opensearch/{opensearch.OPENSEARCH_VERSION}/opensearch-{opensearch.OPENSEARCH_VERSION}.zip" in (
        opensearch.MAVEN_URL
    )
    assert opensearch.install_dir().name.startswith(f"opensearch-{opensearch.OPENSEARCH_VERSION}-")
    # A newer engine's data folder is never opened by this one: each version keeps its own.
    assert opensearch.data_home(tmp_path) == tmp_path / f"opensearch-{opensearch.OPENSEARCH_VERSION}"


def test_the_knn_plugin_is_built_for_that_engine_version() -> None:
    # A plugin loads only into the engine version it was built for: opensearch-knn 3.5.0.0 for 3.5.0.
    plugin = f"{opensearch.OPENSEARCH_VERSION}.0"
    assert f"/opensearch-knn/{plugin}/opensearch-knn-{plugin}.zip" in opensearch.KNN_URL
    assert opensearch.install_dir().name == f"opensearch-{opensearch.OPENSEARCH_VERSION}-knn-{plugin}"
