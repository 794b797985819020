"""Unit tier: no servers, no network. Fakes shared by the unit tests."""

from __future__ import annotations

import types

import pytest


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3 sessions that know their region and nothing else: no profile lookup, no credentials, no calls."""
    import boto3

    monkeypatch.setattr(boto3, "Session", lambda **kw: types.SimpleNamespace(region_name=kw.get("region_name")))
