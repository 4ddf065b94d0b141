"""How a request reaches the webhook: in-process WSGI (no socket) or real HTTP.

A transport sends one request and returns one response. It never follows redirects, never keeps cookies and
never retries: the fetch rules of spec §1.2 live in :mod:`ivr_studio.runtime.http_client`. Both transports
read at most ``max_body`` bytes of a body, so a huge or endless response costs bounded memory.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from ivr_studio.runtime.urls import Overrides

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class HttpResponse:
    """A response: status, headers (names lower-cased; ``set-cookie`` may repeat), body (maybe truncated).

    ``latency`` is a simulated duration in seconds for the virtual clock (None: it took no call time).
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    latency: float | None = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k == name]


class TransportError(Exception):
    """The request failed before a response arrived; ``code`` is Twilio's (11205 timeout, 11210 DNS …).

    ``timed_out`` is true only when a time limit ran out (the request used its whole time budget); a refused
    or reset connection fails at once.
    """

    def __init__(self, code: int, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.timed_out = timed_out


class Transport(Protocol):
    def send(self, request: HttpRequest, limits: Overrides, max_body: int) -> HttpResponse: ...


class WsgiTransport:
    """Calls a WSGI application in process, whatever the URL's host.

    ``latency`` simulates how long the app takes (seconds, or a function of the request) so tests on the
    virtual clock can exercise Twilio's 15-second limit; real time spent in the app is not call time.
    """

    def __init__(self, app: WsgiApp, latency: float | Callable[[HttpRequest], float] = 0.0) -> None:
        self.app = app
        self.latency = latency

    def send(self, request: HttpRequest, limits: Overrides, max_body: int) -> HttpResponse:
        latency = self.latency(request) if callable(self.latency) else self.latency
        if latency > limits.total:
            raise TransportError(
                11205,
                f"The webhook did not answer within {limits.total:g} s (it took {latency:g} s)",
                timed_out=True,
            )
        environ = _environ(request)
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            captured["status"] = status
            captured["headers"] = headers
            return chunks.append

        try:
            result = self.app(environ, start_response)
            try:
                size = sum(len(c) for c in chunks)
                for chunk in result:
                    if size > max_body:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
        except Exception as exc:  # the app crashed: a real server would answer 500
            return HttpResponse(
                500, [("content-type", "text/plain")], f"{type(exc).__name__}: {exc}".encode(), latency
            )
        status_line = str(captured.get("status", "500 Internal Server Error"))
        try:
            status = int(status_line.split()[0])
        except (ValueError, IndexError):
            raise TransportError(11206, f"The app returned an invalid status line {status_line!r}") from None
        headers = [(str(k).lower(), str(v)) for k, v in captured.get("headers", [])]
        return HttpResponse(status, headers, b"".join(chunks)[: max_body + 1], latency)


def _environ(request: HttpRequest) -> dict[str, Any]:
    parts = urlsplit(request.url)
    scheme = parts.scheme or "http"
    port = parts.port or (443 if scheme == "https" else 80)
    body = request.body or b""
    env: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(parts.path or "/", encoding="latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if request.body is not None else "",
        "HTTP_HOST": parts.netloc.rsplit("@", 1)[-1],
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            env["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            env[f"HTTP_{key}"] = value
    return env


class _DeadlineReader(io.RawIOBase):
    """The receiving side of a socket where every read waits at most until the exchange's deadline.

    ``http.client`` reads the status line and headers a line at a time through ``sock.makefile``; a plain
    socket timeout applies to each of those reads, so a server sending one byte every few seconds held a
    call for minutes. Here each read's timeout is what is left of the whole exchange (and at most ``rt``).
    """

    def __init__(self, owner: _DeadlineSocket) -> None:
        super().__init__()
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - any writable buffer
        sock = self._owner._sock
        sock.settimeout(self._owner._remaining())
        return sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._owner._reader_closed()


class _DeadlineSocket:
    """A connected socket whose ``makefile`` reader keeps to a deadline (see :class:`_DeadlineReader`).

    Like a plain socket, it stays open while a reader made by ``makefile`` is open: ``http.client`` closes
    the connection as soon as it has read the headers of a ``Connection: close`` response, and reads the
    body afterwards.
    """

    def __init__(self, sock: socket.socket, remaining: Callable[[], float]) -> None:
        self._sock = sock
        self._remaining = remaining
        self._readers = 0
        self._close_asked = False

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def _reader_closed(self) -> None:
        self._readers -= 1
        if self._close_asked and self._readers <= 0:
            self._sock.close()

    def close(self) -> None:
        self._close_asked = True
        if self._readers <= 0:
            self._sock.close()

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._remaining())
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class HttpTransport:
    """Real HTTP(S) with Twilio's time limits: connect ``ct``, per-read ``rt``, whole response ``tt`` (§1.2).

    ``tt`` is a deadline for the whole exchange (sending, status line, headers and body), not a limit per
    read. ``clock`` (seconds, monotonic) is injectable for tests.
    """

    def __init__(
        self, ssl_context: ssl.SSLContext | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ssl_context = ssl_context
        self.clock = clock

    def send(self, request: HttpRequest, limits: Overrides, max_body: int) -> HttpResponse:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(11100, f"{request.url!r} is not an http(s) URL")
        deadline = self.clock() + limits.total
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        kwargs: dict[str, Any] = {"timeout": min(limits.connect, limits.total)}
        if parts.scheme == "https" and self.ssl_context is not None:
            kwargs["context"] = self.ssl_context
        conn = cls(parts.hostname, parts.port, **kwargs)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise TransportError(
                    11205, f"Connecting to {parts.netloc} timed out", timed_out=True
                ) from None
            except socket.gaierror:
                raise TransportError(
                    11210, f"The host name {parts.hostname!r} could not be resolved"
                ) from None
            except ssl.SSLError as exc:
                raise TransportError(11220, f"TLS handshake with {parts.netloc} failed: {exc}") from None
            except ConnectionRefusedError:
                raise TransportError(11205, f"{parts.netloc} refused the connection") from None
            except OSError as exc:
                raise TransportError(11205, f"Could not connect to {parts.netloc}: {exc}") from None
            return self._exchange(conn, request, target, limits, deadline, max_body)
        finally:
            conn.close()

    def _exchange(
        self,
        conn: http.client.HTTPConnection,
        request: HttpRequest,
        target: str,
        limits: Overrides,
        deadline: float,
        max_body: int,
    ) -> HttpResponse:
        def remaining() -> float:
            left = deadline - self.clock()
            if left <= 0:
                raise TransportError(
                    11205, f"The webhook did not answer within {limits.total:g} s", timed_out=True
                )
            return min(left, limits.read)

        conn.sock = _DeadlineSocket(conn.sock, remaining)
        try:
            conn.request(request.method, target, body=request.body, headers=request.headers)
            resp = conn.getresponse()
            headers = [(k.lower(), v) for k, v in resp.getheaders()]
            body = bytearray()
            while len(body) <= max_body:
                chunk = resp.read1(min(65536, max_body + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
            if resp.length and len(body) <= max_body:
                # the connection closed before Content-Length bytes came: a broken response, not a document
                raise TransportError(
                    11206,
                    f"HTTP protocol violation: the body ended after {len(body):,} bytes, "
                    f"{resp.length:,} short of its Content-Length",
                )
            return HttpResponse(resp.status, headers, bytes(body), None)
        except TimeoutError:
            raise TransportError(
                11205, f"The webhook did not answer within {limits.total:g} s", timed_out=True
            ) from None
        except http.client.HTTPException as exc:
            raise TransportError(11206, f"HTTP protocol violation: {type(exc).__name__} {exc}") from None
        except OSError as exc:
            raise TransportError(11205, f"The connection failed: {exc}") from None


def callback_transport(callback_url: str, entry_url: str, transport: Transport) -> Transport | None:
    """The transport for a callback URL given with the call (a status callback), or None for the call's own.

    A call to an app served in process reaches only that app; a callback on any other host goes over real
    HTTP, as the user who named a server of their own expects.
    """
    if not isinstance(transport, WsgiTransport):
        return None
    same_host = urlsplit(callback_url).netloc.lower() == urlsplit(entry_url).netloc.lower()
    return None if same_host else HttpTransport()
