"""`make redrive`: move the local stack's dead-lettered ingest messages back to the queue."""

from __future__ import annotations

import json
import sys

from docsearch_cli.queues import queue_depths, redrive
from docsearch_local.aws_resources import clients
from docsearch_local.paths import stack_config


def main() -> int:
    config = stack_config()
    _, sqs = clients(config)
    queue_url = sqs.get_queue_url(QueueName=config.queue)["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=config.dlq)["QueueUrl"]
    print("before:", json.dumps(queue_depths(sqs, queue_url, dlq_url)))
    moved = redrive(sqs, dlq_url, queue_url)
    print(f"moved {moved} message(s) from {config.dlq} back to {config.queue}")
    print("after: ", json.dumps(queue_depths(sqs, queue_url, dlq_url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
