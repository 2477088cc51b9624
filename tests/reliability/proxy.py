"""A TCP proxy the fault tests put between Cadence and PostgreSQL or Redis, to break the network
on purpose: ``cut()`` resets every open connection (a restarted server, a dropped link),
``blackhole()`` makes the network swallow everything without an answer or an error (what a dead
switch or a firewall that drops packets does; the one failure no server-side timeout catches),
``heal()`` lets traffic through again. Everything listens on 127.0.0.1 only.

With ``http_proxy=True`` it is also the HTTP proxy a browser context is given (the browser tests'
phone): it answers ``CONNECT`` (how Chromium tunnels a websocket) itself and passes plain requests
on as they come (uvicorn takes their absolute-form target), all to the one upstream."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from dataclasses import dataclass, field

POLL_S = 0.05
CHUNK = 65536


@dataclass
class _Link:
    client: socket.socket
    upstream: socket.socket | None = None
    black_holed: bool = False
    closed: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.upstream):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()


class FaultProxy:
    """``with FaultProxy(("127.0.0.1", 5432)) as proxy:`` then connect to ``proxy.port``."""

    def __init__(self, upstream: tuple[str, int], *, http_proxy: bool = False) -> None:
        self.upstream = upstream
        self.http_proxy = http_proxy
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._links: list[_Link] = []
        self.accepted = 0
        """How many connections came in (a test can check its traffic really passes here)."""
        self._lock = threading.Lock()
        self._black_hole = threading.Event()
        self._stopped = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stopped.set()
        self._listener.close()
        self._close_all()
        self._acceptor.join(timeout=2)

    def cut(self) -> None:
        """Reset every open connection; new ones go through."""
        self._close_all()

    def blackhole(self) -> None:
        """From now on nothing passes in either direction and nothing is answered."""
        self._black_hole.set()

    def heal(self) -> None:
        """Traffic passes again; connections that were swallowed stay dead (their bytes lost)."""
        with self._lock:
            swallowed = [link for link in self._links if link.black_holed]
        for link in swallowed:
            link.close()
        self._black_hole.clear()

    def _close_all(self) -> None:
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            link = _Link(client=client)
            with self._lock:
                self._links.append(link)
                self.accepted += 1
            threading.Thread(target=self._pump, args=(link,), daemon=True).start()

    def _pump(self, link: _Link) -> None:
        try:
            while self._black_hole.is_set() and not link.closed.is_set():
                link.black_holed = True  # accepted, never connected on: a silent network
                link.closed.wait(POLL_S)
            if link.closed.is_set():
                return
            link.upstream = socket.create_connection(self.upstream, timeout=5)
            if self.http_proxy:
                _open_tunnel(link)
            pairs = {link.client: link.upstream, link.upstream: link.client}
            while not link.closed.is_set():
                if self._black_hole.is_set():
                    link.black_holed = True
                    link.closed.wait(POLL_S)  # read nothing, forward nothing
                    continue
                readable, _, _ = select.select(list(pairs), [], [], POLL_S)
                for sock in readable:
                    data = sock.recv(CHUNK)
                    if not data:
                        return
                    pairs[sock].sendall(data)
        except OSError:
            return
        finally:
            link.close()


def _open_tunnel(link: _Link) -> None:
    """As an HTTP proxy: answer a ``CONNECT`` head; pass anything else on to the upstream."""
    head = b""
    while _may_be_connect(head) and not head.endswith(b"\r\n\r\n"):
        data = link.client.recv(CHUNK)
        if not data:
            raise OSError("the client left before its first request")
        head += data
    if head.startswith(b"CONNECT "):
        link.client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    else:
        link.upstream.sendall(head)


def _may_be_connect(head: bytes) -> bool:
    """Whether the bytes read so far may still be a ``CONNECT`` request's head."""
    return head[:8] == b"CONNECT "[: len(head[:8])]
