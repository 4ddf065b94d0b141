"""A local stand-in for the speech-model site, and small archives shaped like vosk models.

The archives are stored (not deflated) and filled with incompressible bytes, so a download takes several
64 KB chunks and its progress can be watched.
"""

from __future__ import annotations

import contextlib
import io
import random
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SPANISH = "vosk-model-small-es-0.42"


def model_zip(top: str = SPANISH, size: int = 400_000) -> bytes:
    """A zip laid out like an official vosk model: am/final.mdl, conf/mfcc.conf, graph/HCLG.fst."""
    noise = random.Random(top).randbytes(size // 2)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{top}/am/final.mdl", noise)
        zf.writestr(f"{top}/conf/mfcc.conf", "--sample-frequency=16000\n")
        zf.writestr(f"{top}/graph/HCLG.fst", noise[::-1])
    return buf.getvalue()


def model_folder(parent: Path, top: str = SPANISH) -> Path:
    """An unpacked model folder under ``parent`` (what a user who already has a model would pick)."""
    with zipfile.ZipFile(io.BytesIO(model_zip(top, size=2_000))) as zf:
        zf.extractall(parent)
    return parent / top


class ModelServer:
    """Serves ``files``; ``status`` answers every request with that HTTP error instead. With ``hold`` set,
    a response stops after its first ``hold_after`` bytes until :meth:`release` (a download in progress)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.status: int | None = None
        self.hold = False
        self.hold_after = 2 * 64 * 1024
        self.held = threading.Event()  # set when a response is waiting to be released
        self._gate = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                data = server.files.get(self.path.lstrip("/"))
                if server.status is not None or data is None:
                    self.send_error(server.status or 404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # a cancelled download hangs up on us
                    if server.hold:
                        self.wfile.write(data[: server.hold_after])
                        self.wfile.flush()
                        server.held.set()
                        server._gate.wait(30)
                        data = data[server.hold_after :]
                    self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def release(self) -> None:
        self._gate.set()

    def close(self) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()
