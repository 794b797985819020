"""The integration tier runs on the OpenSearch version the template deploys."""

from __future__ import annotations

from opensearchpy import OpenSearch

from docsearch_local import cfn, opensearch


def test_the_engine_under_test_is_the_deployed_version(engine: OpenSearch) -> None:
    running = engine.info()["version"]["number"]
    assert running == opensearch.OPENSEARCH_VERSION
    deployed = cfn.load_template()["Parameters"]["DomainEngineVersion"]["Default"]
    assert deployed == "OpenSearch_" + ".".join(running.split(".")[:2])


def test_the_engine_runs_the_knn_plugin_built_for_it(engine: OpenSearch) -> None:
    plugins = {row["component"]: row["version"] for row in engine.cat.plugins(format="json")}
    assert plugins.get("opensearch-knn") == opensearch.KNN_VERSION == f"{opensearch.OPENSEARCH_VERSION}.0"
