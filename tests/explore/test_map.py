"""``ivr-studio map`` against a hand-written Flask menu app over real HTTP, and against the examples' bundles."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from menu_app import create_menu_app
from werkzeug.serving import make_server

from ivr_studio.bundle.export import export_bundle
from ivr_studio.bundle.serve import ServeOptions, serve_target
from ivr_studio.cli import main
from ivr_studio.explore.driver import RateLimiter
from ivr_studio.explore.flowmap import map_to_flow
from ivr_studio.explore.mapper import MapOptions, Mapper, canonical
from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.map_flags import MapFlag
from ivr_studio.flow.model import Flow, Node
from ivr_studio.flow.validate import validate_flow
from ivr_studio.runtime import HttpTransport, WsgiTransport

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def menu_server() -> Iterator[tuple[str, object]]:
    app = create_menu_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/voice", app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _spoken(flow: Flow, node: Node) -> str:
    """The first text a caller hears from ``node`` on (following ``next`` links), for matching nodes."""
    seen = set()
    while node is not None and node.id not in seen:
        seen.add(node.id)
        if node.kind == NodeKind.SAY:
            return node.text
        if node.kind == NodeKind.GATHER and node.prompts:
            return node.prompts[0].text
        nxt = node.links.get("next")
        node = flow.node(nxt) if nxt else None
    return ""


def _menu_by_prompt(flow: Flow, prompt: str) -> Node:
    matches = [n for n in flow if n.kind == NodeKind.GATHER and n.prompts and n.prompts[0].text == prompt]
    assert len(matches) == 1, f"expected one menu saying {prompt!r}, found {len(matches)}"
    return matches[0]


def test_map_a_live_flask_menu_over_http(menu_server):
    url, app = menu_server
    progress: list[tuple[int, int]] = []
    mapper = Mapper(
        HttpTransport(),
        url,
        MapOptions(phrases_from_hints=True),
        progress=lambda result, waiting: progress.append((len(result.states), result.requests)),
    )
    result = mapper.run()
    assert not result.limits_hit and not result.diverged
    flow, _ = map_to_flow(result)
    assert not [d for d in validate_flow(flow) if d.is_error]
    welcome = flow.node(flow.start)
    assert welcome.kind == NodeKind.SAY and welcome.text == "Welcome to Example Garden Centre."
    menu = flow.node(welcome.links["next"])
    assert menu.kind == NodeKind.GATHER
    branches = {b.keys: b for b in menu.branches}
    assert set(branches) == {"1", "2", "3", "4", "5", "9"}
    target = {k: flow.node(menu.links[b.exit_name]) for k, b in branches.items()}
    assert branches["1"].phrases == ["opening hours"] and branches["2"].phrases == ["plants"]
    assert _spoken(flow, target["1"]) == "We are open every day from nine to six."
    assert target["9"].id == welcome.id  # the cycle back to the start
    assert target["3"].kind == NodeKind.HANGUP and "HTTP 500" in target["3"].title  # the error branch
    # Exactly the app's error branch, its dead end and the voicemail the map sends nothing to are flagged,
    # each with the URL the app answered (and its error), and each is a warning naming its node.
    base = url.rsplit("/", 1)[0]
    voicemail = next(n for n in flow if n.kind == NodeKind.RECORD)
    assert {n.id: n.flags for n in flow if n.flags} == {
        target["3"].id: (MapFlag("error", f"{base}/menu", "HTTP 500 from /menu"),),
        target["5"].id: (MapFlag("dead_end", f"{base}/menu"),),
        voicemail.id: (MapFlag("stopped", f"{base}/after-dial", "it sends no recordings"),),
    }
    warned = {d.node_id: d.message for d in validate_flow(flow) if d.code == "IVR034"}
    assert set(warned) == {target["3"].id, target["5"].id, voicemail.id}
    assert f"answered {base}/menu with an error: HTTP 500 from /menu" in warned[target["3"].id]
    assert "dead end" in warned[target["5"].id]
    assert _spoken(flow, flow.node(menu.links["no_match"])) == "Sorry, that is not an option."
    # Silence runs the document's own Redirect back to the start.
    assert flow.node(menu.links["no_input"]).id == welcome.id
    plants = _menu_by_prompt(flow, "For roses press 1. For the main menu press 0.")
    assert {b.keys for b in plants.branches} == {"1"}
    transfer = next(n for n in flow if n.kind == NodeKind.DIAL)
    assert transfer.text == "+15550001111"
    assert _spoken(flow, flow.node(transfer.links["next"])) == "Goodbye."
    assert _spoken(flow, flow.node(transfer.links["busy"])) == "Please leave a message."
    assert all("Mapped from http://127.0.0.1" in n.notes for n in flow)
    assert app.hits["/after-dial"] > 0
    assert progress and progress[-1] == (len(result.states), result.requests)
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)


def test_stop_before_dial_and_record_keeps_the_app_untouched(menu_server):
    url, app = menu_server
    result = Mapper(HttpTransport(), url, MapOptions(stop_before_outside=True)).run()
    flow, _ = map_to_flow(result)
    assert app.hits["/after-dial"] == 0 and app.hits["/recorded"] == 0
    transfer = next(n for n in flow if n.kind == NodeKind.DIAL)
    assert not transfer.links
    assert [f.kind for f in transfer.flags] == ["stopped"] and transfer.flags[0].url.endswith("/menu")


def test_limits_stop_the_exploration(menu_server):
    url, _ = menu_server
    result = Mapper(HttpTransport(), url, MapOptions(max_states=3)).run()
    assert len(result.states) == 3 and "--max-states 3" in result.limits_hit
    result = Mapper(HttpTransport(), url, MapOptions(max_depth=1)).run()
    assert "--max-depth 1" in result.limits_hit
    assert max(len(p.path) for p in result.paths) == 1


def test_the_rate_limit_spaces_requests_on_an_injected_clock(menu_server):
    url, _ = menu_server
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(4.0, now=lambda: now[0], sleep=sleep)
    result = Mapper(HttpTransport(), url, MapOptions(max_depth=1, keys="1"), limiter=limiter).run()
    assert result.requests >= 5
    assert now[0] == pytest.approx((result.requests - 1) / 4.0)


def test_cli_map_writes_the_flow_and_scenarios_that_pass(menu_server, tmp_path: Path, capsys):
    url, _ = menu_server
    out = tmp_path / "garden.ivrflow"
    tests = tmp_path / "tests"
    args = [
        "map",
        url,
        "-o",
        str(out),
        "--rate",
        "0",
        "--phrases-from-hints",
        "--tests",
        str(tests),
        "--quiet",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Mapped" in text and "error: HTTP 500 from /menu (reached by key 3)" in text
    flow = load_flow(out)
    assert flow.name == f"Map of {url}"
    files = sorted(tests.glob("*.test.yaml"))
    assert len(files) >= 8
    names = [yaml.safe_load(f.read_text())["calls"][0]["name"] for f in files]
    assert "key 4 / dial busy" in names and "key 2 / key 1" in names
    capsys.readouterr()
    assert main(["test", *map(str, files)]) == 0, capsys.readouterr().out
    assert f"{len(files)} passed, 0 failed" in capsys.readouterr().out


def test_cli_map_refuses_bad_arguments(tmp_path: Path, capsys):
    flow = str(EXAMPLES / "support-line.ivrflow")
    for extra, message in (
        (["--keys", "12x"], "'x' is not a keypad key"),
        (["--max-states", "0"], "--max-states must be at least 1"),
        (["--digits", "12,ab"], "--digits"),
        (["--rate", "-1"], "--rate"),
    ):
        assert main(["map", flow, "-o", str(tmp_path / "m.ivrflow"), *extra]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "m.ivrflow").exists()


def test_canonical_twiml_ignores_layout_comments_and_named_parameters():
    a = b'<Response><!-- x --><Say  voice="alice">Hi   there</Say><Gather action="/r?attempt=1&amp;x=2"/></Response>'
    b = b'<?xml version="1.0"?>\n<Response>\n <Say voice="alice">Hi there</Say>\n <Gather action="/r?attempt=2&amp;x=2"/></Response>'
    assert canonical(a) != canonical(b)
    assert canonical(a, ("attempt",)) == canonical(b, ("attempt",))
    assert canonical(b"not xml") is None


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.ivrflow")))
def test_a_mapped_example_bundle_has_the_menus_and_exits_of_its_flow(example: str, tmp_path: Path):
    """Export the example, map the bundle in process, and compare every menu's branches with the source."""
    source = load_flow(EXAMPLES / example)
    bundle = export_bundle(source, tmp_path / "bundle")
    # a weekday morning, when the examples' opening hours are open: the map must not depend on the hour it runs
    served = serve_target(bundle, ServeOptions(clock=lambda: datetime(2027, 1, 4, 10, 0, tzinfo=UTC)))
    app, url = served.app, served.url
    result = Mapper(
        WsgiTransport(app), url, MapOptions(phrases_from_hints=True, ignore_params=("attempt",))
    ).run()
    assert not result.limits_hit and not result.diverged
    mapped, _ = map_to_flow(result)
    menus = [n for n in source if n.kind == NodeKind.GATHER]
    assert menus
    for menu in menus:
        twin = _menu_by_prompt(mapped, menu.prompts[0].text)
        expected = {
            (b.keys, frozenset(p.lower() for p in b.phrases))
            for b in menu.branches
            if b.exit_name in menu.links
        }
        found = {(b.keys, frozenset(p.lower() for p in b.phrases)) for b in twin.branches}
        assert found == expected, menu.id
        for b in menu.branches:
            if b.exit_name not in menu.links:
                continue
            lowered = {p.lower() for p in b.phrases}
            mapped_branch = next(
                x for x in twin.branches if x.keys == b.keys and {p.lower() for p in x.phrases} == lowered
            )
            src_target = source.node(menu.links[b.exit_name])
            twin_target = mapped.node(twin.links[mapped_branch.exit_name])
            assert _spoken(mapped, twin_target) == _spoken(source, src_target), (menu.id, b.id)


def test_scenarios_of_a_map_stopped_before_dial_and_record_still_pass(menu_server, tmp_path: Path, capsys):
    url, app = menu_server
    tests = tmp_path / "tests"
    args = ["map", url, "-o", str(tmp_path / "m.ivrflow"), "--rate", "0", "--stop-before-dial-record"]
    assert main([*args, "--tests", str(tests), "--quiet", "--keys", "4"]) == 0
    assert app.hits["/after-dial"] == 0
    files = sorted(tests.glob("*.test.yaml"))
    to_dial = [f for f in files if "key-4" in f.name]
    assert to_dial, [f.name for f in files]
    call = yaml.safe_load(to_dial[0].read_text())["calls"][0]
    assert "expect_end" not in call and call["expect_request"][-1]["path"] == "/menu"
    capsys.readouterr()
    assert main(["test", *map(str, files)]) == 0, capsys.readouterr().out


def test_cli_map_of_an_app_that_does_not_answer_says_why(tmp_path: Path, capsys):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "m.ivrflow"
    assert main(["map", f"http://127.0.0.1:{port}/voice", "-o", str(out), "--rate", "0", "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "refused the connection" in err and len(err.splitlines()) == 1
    assert not out.exists()
