"""moto's S3 + SQS server on one port of several addresses, sharing one state.

``python -m moto.server`` binds one address; ``sam local``'s containers need the emulator on
Docker's bridge as well as on loopback, so this serves moto's own WSGI app on each address
given (``-H 127.0.0.1,172.17.0.1``), all in this process, so all see the same buckets and queues.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="moto-server", description=__doc__.split("\n\n")[0])
    parser.add_argument("-H", "--hosts", default="127.0.0.1", help="comma-separated addresses to listen on")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto.server does: moto builds URLs with it
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
