"""Lambda's SQS poller for the bench's whole-path figure, in a process of its own.

Lambda's event source mapping polls the queue and deletes the done messages outside the function:
the function's process never parses a receive or a delete. Run in the bench's process, those SQS
calls (about 6 ms of CPU a batch, in botocore) held the GIL the handler needs; here they take the
machine's time as the real poller takes AWS's, but not the handler's interpreter. Commands and
answers are JSON lines over the child's stdin and stdout, served in order.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.measure import REPO


class Poller:
    """``receive()`` asks for the next batch (``batch()`` waits for it), ``delete(entries)`` removes done
    messages, ``flush()`` waits until all asked so far is done; the child serves them while this process
    goes on."""

    def __init__(self, queue_url: str) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "bench.poller", queue_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=REPO,
        )
        self.flush()  # its start-up stays off the clock

    def _send(self, command: str, entries: list[dict[str, str]] | None = None) -> None:
        assert self._child.stdin is not None
        self._child.stdin.write(json.dumps([command, entries]) + "\n")

    def receive(self) -> None:
        self._send("receive")

    def batch(self) -> list[dict[str, Any]]:
        assert self._child.stdout is not None
        line = self._child.stdout.readline()
        if not line:
            raise RuntimeError(f"the bench's SQS poller stopped (exit {self._child.wait()})")
        answer: list[dict[str, Any]] = json.loads(line)
        return answer

    def delete(self, entries: list[dict[str, str]]) -> None:
        self._send("delete", entries)

    def flush(self) -> None:
        self._send("flush")
        self.batch()

    def close(self) -> None:
        if self._child.stdin is not None:
            self._child.stdin.close()  # end of commands: the child returns
        try:
            self._child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


def serve(queue_url: str) -> None:
    from docsearch_local.aws_resources import clients
    from docsearch_local.paths import stack_config
    from docsearch_local.worker import receive_batch

    sqs = clients(stack_config())[1]
    for line in sys.stdin:
        command, entries = json.loads(line)
        if command == "delete":
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
            continue
        messages = receive_batch(sqs, queue_url, wait_s=1) if command == "receive" else []
        sys.stdout.write(json.dumps(messages) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
