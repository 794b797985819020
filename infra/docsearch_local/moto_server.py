"""moto's S3 + SQS server on one port of several addresses, sharing one state.

``python -m moto.server`` binds one address; ``sam local``'s containers need the emulator on
Docker's bridge as well as on loopback, so this serves moto's own WSGI app on each address
given (``-H 127.0.0.1,172.17.0.1``), all in this process, so all see the same buckets and queues.
With ``--state DIR`` its buckets and queues outlive it, and its notifications carry S3's sequencers
(``moto_state``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from moto import backends
from moto.core.utils import unix_time
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.sqs.models import Message, SQSBackend
from werkzeug.serving import make_server

from docsearch_local.moto_state import EmulatorState


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="moto-server", description=__doc__.split("\n\n")[0])
    parser.add_argument("-H", "--hosts", default="127.0.0.1", help="comma-separated addresses to listen on")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--state", type=Path, help="folder that keeps the buckets and queues across restarts")
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto.server does: moto builds URLs with it
    _without_emulator_overheads()
    state = EmulatorState(args.state)
    print(state.start(), flush=True)
    state.install()
    app = DomainDispatcherApplication(create_backend_app)
    servers = [
        make_server(host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
        for host in args.hosts.split(",")
    ]

    def stop(*_: Any) -> None:
        for server in servers:
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state.stop()  # after the servers stopped: no write can come in between
    return 0


def _without_emulator_overheads() -> None:
    """Two costs of moto's own that AWS does not have, gone with moto's behaviour kept.

    - Every request lists moto's package folder (a listdir and a stat per service) under the dispatch
      lock, to find the service: about half of its CPU for an S3 GET here. The folder does not change.
    - An SQS receive rebuilds all the queue's attributes (counting its messages) for every message it
      hands out, to read the retention period: quadratic in the queue's length, 19 ms of CPU for a
      receive of ten from a queue of fifty. The period is read from the queue instead.
    """
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    def retained(self: SQSBackend, queue_name: str, message: Message) -> bool:
        period = int(self.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]
        return period + message.sent_timestamp / 1000 > unix_time()  # type: ignore[operator]

    SQSBackend.is_message_valid_based_on_retention_period = retained  # type: ignore[method-assign]


if __name__ == "__main__":
    sys.exit(main())
