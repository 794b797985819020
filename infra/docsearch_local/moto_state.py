"""What the local S3/SQS emulator adds to moto to behave as AWS does across restarts and under churn.

- **Sequencers.** S3 puts a ``sequencer`` in every notification: a hex string, larger for a later event on
  the same key. The ingest path orders a key's events by it (``ingest/state.py``: ``is_older``), and a
  delete without one cannot be told from a stale one. moto sends none; here each notification gets the
  next value of one process-wide counter (nanoseconds since the epoch, never less than the last value plus
  one, so it keeps growing across restarts too), and every S3 write holds one lock from storing the object
  to queueing its notification, so the sequencers of a key's events follow the order of its writes, as
  S3's do.
- **A bucket that survives a restart.** moto keeps everything in memory: after the emulator restarted,
  the index held 1,043 documents whose objects were gone (issue 21). Every object write or delete marks
  its key; a flusher thread writes the marked keys' current bytes and metadata under the state folder
  (``aws/s3/<bucket>/``) every ``FLUSH_S``, and once more on SIGTERM; at start the objects are put back,
  without notifications (they were notified when first written). A crash loses at most the last
  ``FLUSH_S`` of writes.
- **Queues that survive a restart.** On SIGTERM the messages of every queue are written to
  ``aws/sqs/<queue>.json`` and sent again at start (their receive counts start over).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.s3 import notifications
from moto.s3.models import S3Backend, s3_backends
from moto.sqs.models import sqs_backends

PARTITION = "aws"
# How often written objects reach the state folder: 0.5 s keeps a crash's loss to what a person uploads in
# half a second, at one small file write per object written (the emulator's own PUT costs more).
FLUSH_S = 0.5

_WRITE_LOCK = threading.RLock()
_last_sequencer = 0


def next_sequencer() -> str:
    """A hex sequencer larger than every one before it (in this process, and, by the clock, before it)."""
    global _last_sequencer
    with _WRITE_LOCK:
        _last_sequencer = max(time.time_ns(), _last_sequencer + 1)
        return f"{_last_sequencer:016X}"


def _with_sequencer(build: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    @functools.wraps(build)
    def event(*args: Any, **kwargs: Any) -> dict[str, Any]:
        body = build(*args, **kwargs)
        for record in body.get("Records", []):
            record["s3"]["object"]["sequencer"] = next_sequencer()
        return body

    return event


class BucketStore:
    """The emulator's buckets under ``root``: one ``.obj`` (bytes) and ``.json`` (key, metadata) per object."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirty: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def mark(self, bucket: str, key: str) -> None:
        with self._lock:
            self._dirty.add((bucket, key))

    def _path(self, bucket: str, key: str) -> Path:
        return self.root / bucket / hashlib.sha256(key.encode()).hexdigest()

    def flush(self) -> int:
        """Write every marked key as the emulator holds it now (or remove it if it is gone); how many."""
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        backend = s3_backends[DEFAULT_ACCOUNT_ID][PARTITION]
        for bucket_name, key_name in dirty:
            bucket = backend.buckets.get(bucket_name)
            obj = bucket.keys.get(key_name) if bucket is not None else None
            path = self._path(bucket_name, key_name)
            if bucket is None or obj is None or not hasattr(obj, "value"):
                for suffix in (".obj", ".json"):
                    path.with_suffix(suffix).unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.parent / ".region").write_text(bucket.region_name)
            _atomic_write(path.with_suffix(".obj"), obj.value)
            facts = {"key": key_name, "metadata": dict(obj.metadata)}
            _atomic_write(path.with_suffix(".json"), json.dumps(facts).encode())
        return len(dirty)

    def restore(self) -> int:
        """Put back every stored object, without notifications; how many."""
        backend = s3_backends[DEFAULT_ACCOUNT_ID][PARTITION]
        restored = 0
        for folder in sorted(p for p in self.root.glob("*") if p.is_dir()):
            region = (folder / ".region").read_text().strip() if (folder / ".region").exists() else "us-east-1"
            if folder.name not in backend.buckets:
                backend.create_bucket(folder.name, region)
            for facts_path in folder.glob("*.json"):
                facts = json.loads(facts_path.read_text())
                value = facts_path.with_suffix(".obj").read_bytes()
                obj = backend.put_object(folder.name, facts["key"], value, disable_notification=True)
                obj.set_metadata(facts["metadata"])
                restored += 1
        return restored


def _atomic_write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


# The attributes a queue is re-created with (create_resources re-creates the stack's own with some of them:
# moto refuses a create whose attributes differ from the queue's).
QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "VisibilityTimeout",
)


class QueueStore:
    """Every queue's messages, written at shutdown and sent again at start."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        saved = 0
        for region, backend in sqs_backends[DEFAULT_ACCOUNT_ID].items():
            for name, queue in backend.queues.items():
                bodies = [message.body for message in queue._messages]
                held = queue.attributes
                attributes = {k: str(held[k]) for k in QUEUE_ATTRIBUTES if held.get(k) not in (None, "")}
                facts = {"region": region, "name": name, "attributes": attributes, "bodies": bodies}
                _atomic_write(self.root / f"{region}--{name}.json", json.dumps(facts).encode())
                saved += len(bodies)
        return saved

    def restore(self) -> int:
        restored = 0
        saved = [json.loads(path.read_text()) for path in sorted(self.root.glob("*.json"))]
        # dead-letter queues first: a queue's redrive policy names its DLQ
        for facts in sorted(saved, key=lambda facts: "RedrivePolicy" in facts.get("attributes", {})):
            backend = sqs_backends[DEFAULT_ACCOUNT_ID][facts["region"]]
            try:
                backend.create_queue(facts["name"], **facts.get("attributes", {}))
            except Exception as error:  # a queue that cannot be re-created as saved: bare, its messages kept
                print(f"queue {facts['name']} re-created without its attributes: {error!r}", flush=True)
                backend.create_queue(facts["name"])
            for body in facts["bodies"]:
                backend.send_message(facts["name"], body)
                restored += 1
        for path in self.root.glob("*.json"):
            path.unlink()
        return restored


class EmulatorState:
    """Sequencers and the write lock always; persistence when given a state folder."""

    def __init__(self, folder: Path | None) -> None:
        self.buckets = BucketStore(folder / "s3") if folder else None
        self.queues = QueueStore(folder / "sqs") if folder else None
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None

    def install(self) -> None:
        notifications._get_s3_event = _with_sequencer(notifications._get_s3_event)
        for method in ("put_object", "delete_object", "copy_object", "delete_objects", "delete_bucket"):
            setattr(S3Backend, method, self._ordered(getattr(S3Backend, method)))

    def _ordered(self, write: Callable[..., Any]) -> Callable[..., Any]:
        """One S3 write at a time, store and notification together; its key marked for the state folder."""
        buckets = self.buckets

        @functools.wraps(write)
        def ordered(backend: S3Backend, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
            with _WRITE_LOCK:
                result = write(backend, bucket_name, *args, **kwargs)
            if buckets is not None and write.__name__ == "delete_bucket":
                shutil.rmtree(buckets.root / bucket_name, ignore_errors=True)
            elif buckets is not None:
                for key in _written_keys(write.__name__, bucket_name, backend, args, kwargs, result):
                    buckets.mark(bucket_name, key)
            return result

        return ordered

    def start(self) -> str:
        """Restore what the state folder holds, start the flusher; a line saying what was restored."""
        if self.buckets is None or self.queues is None:
            return "no state folder: buckets and queues live in memory"
        objects, messages = self.buckets.restore(), self.queues.restore()
        self._flusher = threading.Thread(target=self._flush_loop, daemon=True)
        self._flusher.start()
        return f"restored {objects} objects and {messages} queued messages from {self.buckets.root.parent}"

    def _flush_loop(self) -> None:
        assert self.buckets is not None
        while not self._stop.wait(FLUSH_S):
            with contextlib.suppress(Exception):  # a failed flush is retried with the next writes
                self.buckets.flush()

    def stop(self) -> None:
        self._stop.set()
        if self.buckets is not None and self.queues is not None:
            self.buckets.flush()
            self.queues.save()


def _written_keys(
    method: str, bucket: str, backend: S3Backend, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> list[str]:
    """The keys an S3 write changed, from its arguments (moto's backend signatures, 5.x)."""
    if method == "copy_object":  # (src_key, dest_bucket_name, dest_key_name, ...): the copy's own key
        return []  # copy_object calls put_object for the destination, which is marked there
    if method == "delete_objects":  # (objects: list of (key, version)): each calls delete_object
        return []
    key = args[0] if args else kwargs.get("key_name")
    return [key] if isinstance(key, str) else []
