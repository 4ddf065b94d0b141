"""Look up overhead: what a Look up node adds to a webhook request beyond the back-end's own latency.

A real back-end (a threaded HTTP server on 127.0.0.1 answering a small JSON body) is requested directly
with the standard library, to time its own latency; then the handler app (in process, Flask's test client)
answers the same request path twice: through a flow whose Set node leads to a Say, and through the same
flow with a Look up of that back-end in between (its answer's ``amount`` kept and spoken). Runs are
interleaved; medians of many requests. Overhead = (with Look up − without) − back-end latency; target
< 2 ms.

Run: .venv/bin/python benchmarks/lookup_overhead.py [--no-readme]
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine  # noqa: E402
from handler_load import update_readme  # noqa: E402

from ivr_studio.bundle.serve import serve_flow  # noqa: E402
from ivr_studio.flow import Flow, Node, NodeKind  # noqa: E402
from ivr_studio.flow.logic import Assignment, LookupConfig, SetConfig, Variable  # noqa: E402

SECTION = "## Look up overhead (benchmarks/lookup_overhead.py)"
ROUNDS = 20
PER_ROUND = 50
BODY = json.dumps({"amount": "42.50", "currency": "EUR", "owner": "Alex Example"}).encode()
FORM = {"CallSid": "CA" + "0" * 32, "From": "+15005550006", "To": "+15005550001"}


class Backend(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args) -> None:
        pass


def flow(with_lookup: bool, url: str) -> Flow:
    f = Flow("Lookup overhead")
    f.add_node(Node("start", NodeKind.SET, config=SetConfig((Assignment("account", "123456"),))))
    f.add_node(
        Node(
            "say", NodeKind.SAY, text="Your balance is {{ steps.balance.body.amount | default: 'unknown' }}."
        )
    )
    f.set_variables([Variable("account", max_length=12)])
    if with_lookup:
        f.add_node(
            Node(
                "balance",
                NodeKind.LOOKUP,
                config=LookupConfig(url=url + "/accounts/{{ vars.account }}", keep=("amount",)),
            )
        )
        f.set_link("start", "next", "balance")
        f.set_link("balance", "ok", "say")
        f.set_link("balance", "failed", "say")
    else:
        f.set_link("start", "next", "say")
    f.set_start("start")
    return f


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> int:
    logging.getLogger("ivr_handler").setLevel(logging.ERROR)  # one JSON line per step is not the point here
    server = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    apps = {}
    for name, with_lookup in (("without", False), ("with", True)):
        served = serve_flow(flow(with_lookup, url))
        from werkzeug.test import Client

        client = Client(served.app)
        apps[name] = lambda c=client: c.post("http://ivr-studio.local/voice", data=FORM)
    for name, spoken in (("with", b"42.50"), ("without", b"unknown")):
        answer = apps[name]().get_data()
        assert spoken in answer, answer  # both paths answer with the Say, not the apology

    def direct() -> None:
        with urllib.request.urlopen(url + "/accounts/123456", timeout=5) as resp:
            resp.read()

    samples: dict[str, list[float]] = {"backend": [], "without": [], "with": []}
    for fn in (direct, apps["without"], apps["with"]):
        timed(fn, 20)  # warm up
    for _ in range(ROUNDS):
        samples["backend"] += timed(direct, PER_ROUND)
        samples["without"] += timed(apps["without"], PER_ROUND)
        samples["with"] += timed(apps["with"], PER_ROUND)
    server.shutdown()
    med = {k: statistics.median(v) for k, v in samples.items()}
    overhead = med["with"] - med["without"] - med["backend"]
    body = (
        f"{SECTION}\n\n"
        f"In process (Flask test client), {ROUNDS} interleaved rounds of {PER_ROUND} requests each; medians.\n"
        "The back-end is a threaded HTTP server on 127.0.0.1 answering a 70-byte JSON body.\n"
        f"Machine: {machine()}.\n\n"
        "| measure | median |\n|---|---|\n"
        f"| back-end request on its own (urllib) | {med['backend']:.2f} ms |\n"
        f"| webhook request, Set → Say | {med['without']:.2f} ms |\n"
        f"| webhook request, Set → Look up → Say | {med['with']:.2f} ms |\n"
        f"| Look up overhead beyond the back-end's latency | **{overhead:.2f} ms** (target < 2 ms) |\n"
    )
    print(body)
    if "--no-readme" not in sys.argv:
        update_readme(body, SECTION)
    return 0 if overhead < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
