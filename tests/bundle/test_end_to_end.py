"""End to end: `ivr-studio call` drives each exported example bundle by keys and by speech, as Twilio would.

The call runtime fetches TwiML, plays it on a virtual clock, signs every request (X-Twilio-Signature) and
follows the handler's URLs; the handler checks those signatures. Each scenario runs in-process (WSGI) and
over real HTTP against gunicorn, and must visit exactly the nodes the flow's links say, in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_helpers import clean_env, start_gunicorn, stop, wait_until_up

from ivr_studio.bundle.export import export_bundle
from ivr_studio.cli import main
from ivr_studio.flow import load_flow

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
TOKEN = "end-to-end-auth-token"
LISTEN = {"wait_for": "listening"}

# (example, caller's script, nodes whose TwiML the call fetched, in order)
SCENARIOS = [
    pytest.param(
        "support-line",
        [
            LISTEN,
            {"press": "3"},
            {"wait": 12},
            {"say": "This is about my bill", "duration": 3},
            {"press": "#"},
        ],
        ["welcome", "main_menu", "billing_info", "voicemail_prompt", "voicemail", "thanks", "hangup"],
        id="support-keys-billing-voicemail",
    ),
    pytest.param(
        "support-line",
        [
            {"dial_outcome": "answered", "duration": 30},
            LISTEN,
            {"say": "I need technical support please", "confidence": 0.9},
            LISTEN,
            {"press": "2"},
        ],
        ["welcome", "main_menu", "support_menu", "support_queue", "thanks", "hangup"],
        id="support-speech-in-a-sentence-then-keys",
    ),
    pytest.param(
        "support-line",
        [],
        ["welcome", "main_menu", "main_menu", "main_menu", "goodbye", "hangup"],
        id="support-silence-to-max-attempts",
    ),
    pytest.param(
        "support-line",
        [
            LISTEN,
            {"say": "banana", "confidence": 0.9},
            LISTEN,
            {"say": "Pricing.", "confidence": 0.9},
            {"dial_outcome": "busy"},
        ],
        [
            "welcome",
            "main_menu",
            "sorry",
            "main_menu",
            "to_sales",
            "voicemail_prompt",
            "voicemail",
            "goodbye",
            "hangup",
        ],
        id="support-no-match-retry-then-busy",
    ),
    pytest.param(
        "bilingual-front-desk",
        [LISTEN, {"press": "2"}, LISTEN, {"press": "1"}, LISTEN, {"hangup": True}],
        ["language", "menu_es", "hours_es", "menu_es"],
        id="bilingual-keys",
    ),
    pytest.param(
        "bilingual-front-desk",
        [
            LISTEN,
            {"say": "Español", "confidence": 0.9},
            LISTEN,
            {"say": "Quiero hablar con recepción", "confidence": 0.8},
        ],
        ["language", "menu_es", "desk", "bye"],
        id="bilingual-spanish-speech",
    ),
    pytest.param(
        "bilingual-front-desk",
        [
            LISTEN,
            {"say": "English", "confidence": 0.9},
            LISTEN,
            {"say": "What are your opening hours?"},
            LISTEN,
            {"hangup": True},
        ],
        ["language", "menu_en", "hours_en", "menu_en"],
        id="bilingual-english-speech",
    ),
    pytest.param(
        "transfer-voicemail",
        [{"dial_outcome": "no-answer"}, LISTEN, {"press": "2"}],
        ["greeting", "transfer", "vm_menu", "callback", "end"],
        id="transfer-no-answer-callback",
    ),
    pytest.param(
        "transfer-voicemail",
        [
            {"dial_outcome": "busy"},
            LISTEN,
            {"press": "1"},
            {"wait": 9},
            {"say": "Hi, call me back", "duration": 3},
            {"press": "#"},
        ],
        ["greeting", "transfer", "vm_menu", "beep_prompt", "record", "thanks", "end"],
        id="transfer-busy-voicemail",
    ),
    pytest.param(
        "transfer-voicemail",
        [{"dial_outcome": "failed"}],
        ["greeting", "transfer", "vm_menu", "vm_menu", "vm_menu", "beep_prompt", "record", "nothing", "end"],
        id="transfer-failed-silence-empty-recording",
    ),
]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("e2e")
    return {p.stem: export_bundle(load_flow(p), out / p.stem) for p in sorted(EXAMPLES.glob("*.ivrflow"))}


@pytest.fixture(scope="module")
def servers(bundles) -> Iterator[dict[str, str]]:
    """Each example bundle under gunicorn, checking signatures with the token the runtime signs with."""
    running = []
    try:
        urls = {}
        for name, bundle in bundles.items():
            proc, base = start_gunicorn(
                bundle, clean_env(bundle, TWILIO_AUTH_TOKEN=TOKEN, IVR_ENV="production")
            )
            running.append(proc)
            wait_until_up(proc, base)
            urls[name] = f"{base}/voice"
        yield urls
    finally:
        for proc in running:
            stop(proc)


def place_call(target: str, steps: list, tmp_path: Path) -> list[dict]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [*steps, {"wait_for": "hangup"}]}))
    trace = tmp_path / "trace.jsonl"
    code = main(
        ["call", target, "--script", str(script), "--trace", str(trace), "--auth-token", TOKEN, "--quiet"]
    )
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert code == 0, events[-3:]
    return events


def check(events: list[dict], expected_nodes: list[str]) -> None:
    requests = [e for e in events if e["event"] == "request"]
    assert all(e["status"] == 200 for e in requests), [(e["url"], e["status"]) for e in requests]
    assert [e.get("node") for e in requests] == expected_nodes
    end = events[-1]
    assert (end["event"], end["status"]) == ("call_end", "completed")


@pytest.mark.parametrize(("example", "steps", "nodes"), SCENARIOS)
def test_in_process(bundles, tmp_path, example, steps, nodes):
    check(place_call(str(bundles[example]), steps, tmp_path), nodes)


@pytest.mark.parametrize(("example", "steps", "nodes"), SCENARIOS)
def test_over_http_with_signatures_checked(servers, tmp_path, example, steps, nodes):
    check(place_call(servers[example], steps, tmp_path), nodes)


def test_retry_attempts_travel_with_the_call_not_in_the_urls(bundles, tmp_path):
    """A silent caller: three no-input attempts, counted in the call's state cookie; the URLs stay the same."""
    events = place_call(str(bundles["support-line"]), [], tmp_path)
    results = [e for e in events if e["event"] == "request" and "main_menu/result" in e["url"]]
    assert [e["url"].split("?", 1)[1] for e in results] == ["noInput=true"] * 3
    assert [e["exit"] for e in results] == [
        "main_menu no_input",
        "main_menu no_input",
        "main_menu max_attempts",
    ]


def test_a_wrong_token_is_an_application_error_over_http(servers, tmp_path):
    script = tmp_path / "script.json"
    script.write_text('{"steps": []}')
    code = main(
        ["call", servers["support-line"], "--script", str(script), "--auth-token", "wrong", "--quiet"]
    )
    assert code == 1
