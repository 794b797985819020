"""Settings from the environment: parsed and checked once, a clear error naming the variable."""

from __future__ import annotations

import dataclasses

import pytest

from docsearch.settings import DEFAULT_INDEX_ALIAS, Settings

URL = {"OPENSEARCH_URL": "http://x:9200"}


def test_values_are_parsed_from_their_variables_and_defaults_fill_the_rest() -> None:
    settings = Settings.from_env({**URL, "OPENSEARCH_TIMEOUT_S": "2.5", "MAX_OBJECT_BYTES": "1000", "OTHER": "x"})
    assert settings.opensearch_timeout_s == 2.5 and settings.max_object_bytes == 1000
    assert settings.index_alias == DEFAULT_INDEX_ALIAS and settings.opensearch_auth == "none"
    assert dataclasses.replace(settings, index_alias="other").index_alias == "other"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "OPENSEARCH_URL"),
        ({**URL, "OPENSEARCH_AUTH": "basic"}, "OPENSEARCH_AUTH"),
        ({**URL, "OPENSEARCH_SERVICE": "solr"}, "OPENSEARCH_SERVICE"),
        ({**URL, "OPENSEARCH_TIMEOUT_S": "0"}, "OPENSEARCH_TIMEOUT_S"),
        ({**URL, "OPENSEARCH_TIMEOUT_S": "soon"}, "OPENSEARCH_TIMEOUT_S"),
        ({**URL, "INDEX_ALIAS": "Articles"}, "INDEX_ALIAS"),
        ({**URL, "MAX_OBJECT_BYTES": "-1"}, "MAX_OBJECT_BYTES"),
        ({**URL, "INDEX_REPLICAS": ""}, "INDEX_REPLICAS"),
        ({**URL, "DOCUMENT_VIEW_URL": "/doc"}, "DOCUMENT_VIEW_URL"),
    ],
)
def test_a_bad_value_fails_naming_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Settings.from_env(env)


def test_settings_cannot_change_once_made() -> None:
    settings = Settings.from_env(URL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.index_alias = "other"  # type: ignore[misc]
