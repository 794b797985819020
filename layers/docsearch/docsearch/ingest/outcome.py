"""What became of each message of a batch (or each key of a backfill): the whole report of an ingest batch.

Each message ends ``done`` (indexed, deleted, unchanged, stale, or skipped with a recorded reason) or
``retry`` (S3 or the engine failed transiently; after the configured receives the queue moves it to the
dead-letter queue). The caller (the ingest function, a backfill) logs and measures the outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from docsearch.ingest.plan import Plan, Skip


@dataclass
class MessageOutcome:
    message_id: str
    status: Literal["done", "retry"] = "done"
    indexed: int = 0
    deleted: int = 0
    unchanged: int = 0
    stale: int = 0  # older than what is stored, or superseded in the same batch: nothing to do
    skips: list[Skip] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[str]:
        return [skip.reason for skip in self.skips]

    def fail(self, reason: str) -> None:
        self.status = "retry"
        self.errors.append(reason)

    def record(self, plan: Plan) -> None:
        """Count what planning decided (the write itself is counted when the engine has answered)."""
        self.stale += plan.stale
        self.unchanged += plan.unchanged
        if plan.skip is not None:
            self.skips.append(plan.skip)
        if plan.error:
            self.fail(plan.error)

    def count(self, kind: str) -> None:
        """Count a write the engine took (``kind``: a PlannedWrite's)."""
        if kind == "indexed":
            self.indexed += 1
        elif kind == "deleted":
            self.deleted += 1
        elif kind == "unchanged":
            self.unchanged += 1
