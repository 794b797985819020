"""A TCP forwarder: lets ``sam local`` containers, which reach the host only through Docker's
bridge, talk to a service of a stack bound to loopback alone (the bench's engine), without
restarting that stack on the bridge address.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Forwarder(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    target: tuple[str, int]


class _Connection(socketserver.BaseRequestHandler):
    server: _Forwarder

    def handle(self) -> None:
        with socket.create_connection(self.server.target, timeout=30) as upstream:
            upstream.settimeout(None)
            back = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
            back.start()
            _pump(self.request, upstream)
            back.join()


@contextmanager
def forwarding(listen_host: str, target_port: int, target_host: str = "127.0.0.1") -> Iterator[int]:
    """Forward connections to ``listen_host`` (a free port, yielded) to ``target_host:target_port``."""
    server = _Forwarder((listen_host, 0), _Connection)
    server.target = (target_host, target_port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
