"""Import of a 2,000-widget Studio flow, and ``map`` of a 50-state menu app in process.

Prints medians of 5 runs of each (targets: import < 1 s, map < 5 s). The Studio flow is generated: 400
menus, each a Gather with a Split Based On on its Digits (three keys) and two Say/Play widgets, one
run-function placeholder every ten menus, and a trigger — 2,000 widgets in all. The menu app is a Flask app
with 50 documents: a welcome, a tree of 12 menus three keys wide, a "sorry" document per menu for a wrong
key, and a goodbye for each key past the last menu.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine  # noqa: E402
from flask import Flask, Response, request  # noqa: E402

from ivr_studio.explore.flowmap import map_to_flow  # noqa: E402
from ivr_studio.explore.mapper import MapOptions, Mapper  # noqa: E402
from ivr_studio.interop.studio_import import import_studio, load_studio  # noqa: E402
from ivr_studio.runtime import WsgiTransport  # noqa: E402

RUNS = 5


def studio_definition(widgets: int = 2000) -> dict:
    states: list[dict] = [
        {
            "name": "Trigger",
            "type": "trigger",
            "transitions": [{"event": "incomingCall", "next": "m0"}],
            "properties": {"offset": {"x": 0, "y": 0}},
        }
    ]
    i = 0
    while len(states) < widgets:
        m, split, say, play = f"m{i}", f"m{i}_split", f"m{i}_say", f"m{i}_play"
        nxt = f"m{i + 1}"
        states.append(
            {
                "name": m,
                "type": "gather-input-on-call",
                "transitions": [
                    {"event": "keypress", "next": split},
                    {"event": "speech"},
                    {"event": "timeout", "next": m},
                ],
                "properties": {
                    "say": f"Menu {i}: press 1, 2 or 3.",
                    "voice": "Polly.Joanna",
                    "timeout": 5,
                    "number_of_digits": 1,
                    "stop_gather": True,
                    "offset": {"x": i * 300, "y": 200},
                },
            }
        )
        cond = [
            {
                "event": "match",
                "next": t,
                "conditions": [
                    {
                        "friendly_name": k,
                        "arguments": [f"{{{{widgets.{m}.Digits}}}}"],
                        "type": "equal_to",
                        "value": k,
                    }
                ],
            }
            for k, t in (("1", say), ("2", play), ("3", nxt))
        ]
        states.append(
            {
                "name": split,
                "type": "split-based-on",
                "transitions": [{"event": "noMatch", "next": m}, *cond],
                "properties": {"input": f"{{{{widgets.{m}.Digits}}}}", "offset": {"x": i * 300, "y": 400}},
            }
        )
        states.append(
            {
                "name": say,
                "type": "say-play",
                "transitions": [{"event": "audioComplete", "next": nxt}],
                "properties": {"say": f"You chose one in menu {i}.", "offset": {"x": i * 300, "y": 600}},
            }
        )
        fourth = {
            "name": play,
            "type": "say-play",
            "transitions": [{"event": "audioComplete", "next": nxt}],
            "properties": {"play": f"https://cdn.example.com/{i}.mp3", "offset": {"x": i * 300, "y": 800}},
        }
        if i % 10 == 9:
            fourth = {
                "name": play,
                "type": "run-function",
                "transitions": [{"event": "success", "next": nxt}, {"event": "fail"}],
                "properties": {"url": "https://example.twil.io/x", "offset": {"x": i * 300, "y": 800}},
            }
        states.append(fourth)
        i += 1
    states = states[:widgets]
    names = {s["name"] for s in states}
    for s in states:  # the last menu's "next" points past the end: end the call there
        for t in s["transitions"]:
            if t.get("next") not in names:
                t.pop("next", None)
    return {
        "description": "Benchmark flow",
        "states": states,
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }


def menu_app(menus: int = 12) -> Flask:
    """A welcome document, then a tree of ``menus`` menus three keys wide; a wrong key gets the menu's own
    "sorry" document, and every key past the last menu a goodbye of its own: 4 x menus + 2 documents."""
    app = Flask("bench_menu")

    def doc(body: str) -> Response:
        return Response(f"<Response>{body}</Response>", mimetype="text/xml")

    def menu_doc(n: int) -> Response:
        return doc(
            f'<Gather numDigits="1" action="/choice/{n}"><Say>Menu {n}: press 1, 2 or 3.</Say></Gather>'
            f"<Redirect>/menu/{n}</Redirect>"
        )

    @app.post("/welcome")
    def welcome() -> Response:
        return doc("<Say>Welcome to the benchmark line.</Say><Redirect>/menu/0</Redirect>")

    @app.post("/menu/<int:n>")
    def menu(n: int) -> Response:
        return menu_doc(n)

    @app.post("/choice/<int:n>")
    def choice(n: int) -> Response:
        key = request.form.get("Digits", "")
        if key in ("1", "2", "3"):
            child = 3 * n + int(key)
            if child < menus:
                return menu_doc(child)
            return doc(f"<Say>Goodbye from {child}.</Say><Hangup/>")
        return doc(f"<Say>Sorry, that is not on menu {n}.</Say><Redirect>/menu/{n}</Redirect>")

    return app


def timed(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    print(f"Machine: {machine()}")
    text = json.dumps(studio_definition())
    seconds, (flow, report) = timed(lambda: import_studio(json.loads(text)))
    print(
        f"Studio import, 2,000 widgets ({len(text) / 1024:.0f} KiB JSON, {len(flow)} nodes, "
        f"{report.summary()}): {seconds * 1000:.0f} ms (target < 1 s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flow.json"
        path.write_text(text, encoding="utf-8")
        seconds, _ = timed(lambda: load_studio(path))
    print(f"  the same from the file (bounded read, strict JSON, import): {seconds * 1000:.0f} ms")
    app = menu_app(12)
    transport = WsgiTransport(app)
    options = MapOptions(max_states=60, max_depth=10)

    def run_map():
        result = Mapper(transport, "http://bench.local/welcome", options).run()
        map_to_flow(result)
        return result

    seconds, result = timed(run_map)
    print(
        f"map, {len(result.states)}-state menu app in process ({result.calls} calls, {result.requests} requests): "
        f"{seconds:.2f} s (target < 5 s)"
    )


if __name__ == "__main__":
    main()
