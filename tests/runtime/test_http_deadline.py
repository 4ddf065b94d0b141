"""Twilio's time limit covers the whole HTTP exchange (§1.2): a server that trickles its answer cannot hold
a call past the deadline, and a body cut short of its Content-Length is a broken response (11206)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ivr_studio.runtime.transports import HttpRequest, HttpTransport, TransportError
from ivr_studio.runtime.urls import Overrides

REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 20\r\n\r\n<Response></Response>"


@contextmanager
def trickling_server(reply: bytes, pause: threading.Event) -> Iterator[int]:
    """Sends ``reply`` a byte at a time, waiting for ``pause`` (at most 50 ms) between bytes; at most one
    connection, and it stops when the client leaves."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            for i in range(len(reply)):
                pause.wait(0.05)
                try:
                    conn.sendall(reply[i : i + 1])
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        pause.set()
        thread.join(10)
        listener.close()


class SteppingClock:
    """A monotonic clock that moves one second each time it is read: the deadline comes after a fixed
    number of reads, however fast or slow the machine is."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_the_deadline_covers_the_status_line_and_headers_read_a_byte_at_a_time():
    clock = SteppingClock()
    with trickling_server(REPLY, threading.Event()) as port:
        transport = HttpTransport(clock=clock)
        request = HttpRequest("GET", f"http://127.0.0.1:{port}/", {})
        with pytest.raises(TransportError) as failure:
            transport.send(request, Overrides(connect=5, read=15, total=15, retries=0), 65536)
    assert failure.value.code == 11205 and failure.value.timed_out
    # each byte is one read of the status line: 15 reads of the clock use up the 15 s, long before the
    # 85 bytes of the response have come
    assert clock.now <= 17


def test_a_body_shorter_than_its_content_length_is_a_protocol_violation():
    cut_short = REPLY.replace(b"Content-Length: 20", b"Content-Length: 90")
    ready = threading.Event()
    ready.set()  # no pauses: the bytes come at once, then the connection closes
    with trickling_server(cut_short, ready) as port:
        request = HttpRequest("GET", f"http://127.0.0.1:{port}/", {})
        with pytest.raises(TransportError) as failure:
            HttpTransport().send(request, Overrides(connect=5, read=15, total=15, retries=0), 65536)
    assert failure.value.code == 11206
    assert "69 short of its Content-Length" in failure.value.message
