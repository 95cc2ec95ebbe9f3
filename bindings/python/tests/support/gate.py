"""A TCP relay in front of the emulator that holds every connection until it
is opened: a connection arriving proves a call is inside the native client,
and the gate keeps it there for as long as a test needs."""

from __future__ import annotations

import socket
import threading


class Gate:
    def __init__(self, broker_url: str) -> None:
        origin, self._path = broker_url.split("://", 1)[1].split("/", 1)
        host, port = origin.rsplit(":", 1)
        self._upstream = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.arrived = threading.Semaphore(0)
        self._opened = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """The broker URL through the gate."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/{self._path}"

    def wait_for_a_call(self) -> None:
        assert self.arrived.acquire(timeout=10), "no call reached the gate"

    def open(self) -> None:
        self._opened.set()

    def close(self) -> None:
        self._opened.set()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        self.arrived.release()
        self._opened.wait(30)
        with client, socket.create_connection(self._upstream, timeout=30) as upstream:
            threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
            _pipe(client, upstream)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass
