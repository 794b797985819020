"""Integration tier: the core and the handlers in-process, on the real engine and the S3/SQS emulator."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from docsearch.settings import Settings
from docsearch_local.paths import StackConfig
from tests.support import functions_using


@pytest.fixture
def use_functions(local_stack: StackConfig) -> Iterator[Callable[..., Settings]]:
    """``use_functions(index_alias=..., opensearch_url=...)``: both handlers on the stack, with these changes."""
    with ExitStack() as contexts:

        def use(**changes: Any) -> Settings:
            settings = dataclasses.replace(local_stack.settings(), **changes)
            contexts.enter_context(functions_using(settings))
            return settings

        yield use
