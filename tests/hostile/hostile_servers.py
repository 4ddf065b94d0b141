"""A raw HTTP server on 127.0.0.1 for hostile webhook cases: it answers every connection with given bytes,
optionally one byte at a time, and stops by itself (bounded in bytes, connections and time)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def raw_server(reply: bytes, delay: float = 0.0, max_seconds: float = 30.0) -> Iterator[str]:
    """Serve ``reply`` to each connection (after reading the request head), sleeping ``delay`` seconds
    before each byte when ``delay`` is set; yields the base URL. The server gives up on a connection when
    the client goes away or ``max_seconds`` have passed, and closes when the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        ends = time.monotonic() + max_seconds
        with conn:
            conn.settimeout(5)
            try:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                if not delay:
                    conn.sendall(reply)
                    return
                for i in range(len(reply)):
                    if stop.is_set() or time.monotonic() > ends:
                        return
                    time.sleep(delay)  # the point of this server: a slow peer
                    conn.sendall(reply[i : i + 1])
            except OSError:
                return

    def serve() -> None:
        accepted = 0
        while not stop.is_set() and accepted < 50:  # a bounded number of connections
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted += 1
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


DOCUMENT = b'<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello there</Say><Hangup/></Response>'


def http_response(body: bytes = DOCUMENT, content_length: int | None = None, extra: bytes = b"") -> bytes:
    length = len(body) if content_length is None else content_length
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n"
        + extra
        + f"Content-Length: {length}\r\n\r\n".encode()
        + body
    )
