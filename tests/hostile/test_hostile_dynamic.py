"""Hostile inputs of dynamic flows: state cookies, clock and back-end options, stub files, logic
configurations in flow files, iCalendar files and templates. Each is refused with one clear line (or, on
a live call, answered with Twilio-safe TwiML), never a traceback, never unbounded work."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from ivr_studio.bundle.handler.state import MAX_COOKIE_BYTES, CallState, StateCodec, StateRefused, derive_key
from ivr_studio.flow import FlowFileError, Node, NodeKind
from ivr_studio.flow.ivrflow import loads
from ivr_studio.flow.logic import HolidaySource
from ivr_studio.flow.validate import validate_flow

SID = "CA" + "1" * 32
CALL = {"CallSid": SID, "From": "+15005550006", "To": "+15005550001"}
CODEC = StateCodec(derive_key(None, "token", b"flow"))


def app_for(flow):
    from ivr_studio.bundle.handler import create_app
    from ivr_studio.bundle.serve import source_for_flow

    return create_app(source_for_flow(flow), environ={}, log_to_stderr=False)


def sample() -> CallState:
    return CallState(SID, {"menu": 2}, {"account": "12345", "name": "Zoë"}, {"lookup": {"status": 200}})


# ---------------------------------------------------------------------------------------------- state cookie
def test_every_changed_character_is_refused():
    value = CODEC.encode(sample())
    for i in range(0, len(value), 7):
        changed = value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1 :]
        with pytest.raises(StateRefused):
            CODEC.decode(changed, SID)


def test_a_forged_payload_with_the_old_signature_is_refused():
    version, payload, mac = CODEC.encode(sample()).split(".")
    forged = (
        base64.urlsafe_b64encode(json.dumps({"sid": SID, "att": {"menu": 1}}).encode()).decode().rstrip("=")
    )
    with pytest.raises(StateRefused, match="signature"):
        CODEC.decode(f"{version}.{forged}.{mac}", SID)


def test_an_oversized_cookie_is_refused_before_it_is_read():
    with pytest.raises(StateRefused, match="limit"):
        CODEC.decode("1." + "A" * (MAX_COOKIE_BYTES + 1) + ".x", SID)


@pytest.mark.parametrize("value", ["garbage", "2.abc.def", "1..", "1.%%%.abc", "1.abc"])
def test_malformed_cookies_are_refused(value):
    with pytest.raises(StateRefused):
        CODEC.decode(value, SID)


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"att": {}},
        {"sid": SID, "att": {"m": 0}},
        {"sid": SID, "att": {"m": True}},
        {"sid": SID, "att": {"m": 101}},
        {"sid": SID, "vars": {"a": 1}},
        {"sid": SID, "steps": {"a": "x"}},
        {"sid": SID, "extra": 1},
    ],
)
def test_a_validly_signed_state_of_the_wrong_shape_is_refused(payload):
    # Only a leaked key could produce these; they are still checked field by field.
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    signed = f"1.{body}"
    value = f"{signed}.{CODEC._mac(signed.encode())}"
    with pytest.raises(StateRefused):
        CODEC.decode(value, SID)


@pytest.mark.filterwarnings("ignore:The 'ivr_state' cookie is too large")  # that is the point
def test_a_tampered_cookie_on_a_live_request_is_refused_with_403():
    client = app_for(flow_saying("You said {{ vars.said }}")).test_client()
    client.post("/node/menu/result?noInput=true", data=CALL)
    value = client.get_cookie("ivr_state").value
    client.set_cookie("ivr_state", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    response = client.post("/node/menu/result?noInput=true", data=CALL)
    assert response.status_code == 403 and b"Traceback" not in response.get_data()
    client.set_cookie("ivr_state", "1." + "A" * 50_000 + ".x")
    assert client.post("/voice", data=CALL).status_code == 403


# ---------------------------------------------------------------------------------------------- command line
EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "account-line.ivrflow"


def sandboxed(hostile):
    """The dynamic example in the sandbox, and a script with no steps."""
    hostile.write("line.ivrflow", EXAMPLE.read_text(encoding="utf-8"))
    hostile.write("script.json", '{"steps": []}')
    return ["call", "line.ivrflow", "--quiet", "--script", "script.json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "yesterday"], "is not a date and time"),
        (["--at", "9" * 5000], "is not a date and time"),
        (["--at", "2026-12-24T18:30", "--tz", "Mars/Olympus"], "is not a time zone"),
        (["--at", "2026-12-24T18:30", "--tz", "../../etc/passwd"], "is not a time zone"),
        (["--tz", "Europe/Berlin"], "--tz needs --at"),
        (["--backend", "missing.yaml"], "backend:"),
    ],
)
def test_bad_clock_and_backend_options_are_one_line_errors(hostile, args, message):
    hostile.run(*sandboxed(hostile), *args).fails(2, message)


@pytest.mark.parametrize(
    ("stubs", "message"),
    [
        ("not: [a list", "backend"),
        ("- {status: 200}", "url: expected a URL pattern"),
        ("- {url: 'x', status: 999}", "status: expected an HTTP status"),
        ("- {url: 'x', fail: sometimes}", "fail: expected timeout or connection"),
        ("- {url: '/([/'}", "bad regular expression"),
        ("- {url: 'x', delay: .inf}", "is not finite"),
        ("- {url: 'x', delay: 61}", "delay: expected seconds from 0 to 60"),
        ("- {url: 'x', json: {}, text: ''}", "give json or text, not both"),
        ("- &a {url: x}\n- [*a, *a, *a, *a, *a, *a, *a, *a]", "backend"),
    ],
)
def test_bad_stub_files_are_one_line_errors(hostile, stubs, message):
    hostile.write("stubs.yaml", stubs)
    hostile.run(*sandboxed(hostile), "--backend", "stubs.yaml").fails(2, message)


def test_a_huge_stub_file_is_refused_without_reading_it_all(hostile):
    hostile.write("stubs.yaml", "- {url: x, text: '" + "y" * (3 * 1024 * 1024) + "'}\n")
    hostile.run(*sandboxed(hostile), "--backend", "stubs.yaml", memory_mb=512).fails(2, "stubs.yaml")


def test_too_many_stubs_are_refused(hostile):
    hostile.write("stubs.yaml", "".join(f"- {{url: 'https://x.example/{i}'}}\n" for i in range(600)))
    hostile.run(*sandboxed(hostile), "--backend", "stubs.yaml").fails(2, "the limit is 500")


def test_options_for_a_url_target_are_refused(hostile):
    hostile.run("call", "http://127.0.0.1:9/voice", "--at", "2026-12-24T18:30", "--quiet").fails(
        2, "not for a URL"
    )


def test_an_ical_bomb_in_a_flow_is_one_finding(hostile):
    flow = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    hours = next(n for n in flow["nodes"] if n["id"] == "hours")
    hours["config"]["holidays"] = {"ical": "holidays.ics"}
    hostile.write("line.ivrflow", json.dumps(flow))
    hostile.write("holidays.ics", "BEGIN:VCALENDAR\r\nX-PAD:" + "x" * (2 * 1024 * 1024) + "\r\n")
    hostile.run("validate", "line.ivrflow", memory_mb=512).fails(1, "holidays.ics")


# ---------------------------------------------------------------------------------------------- flow files
@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"kind": "hours", "config": {"zone": 5}}, "$.nodes[0].config.zone"),
        (
            {"kind": "hours", "config": {"week": {"mon": [["25:00", "26:00"]]}}},
            "$.nodes[0].config.week.mon[0][0]",
        ),
        ({"kind": "hours", "config": {"week": {"someday": []}}}, "$.nodes[0].config.week"),
        (
            {"kind": "hours", "config": {"closed": [{"start": "2026-02-30"}]}},
            "$.nodes[0].config.closed[0].start",
        ),
        (
            {"kind": "decide", "config": {"cases": [{"id": "a", "op": "resembles"}]}},
            "$.nodes[0].config.cases[0].op",
        ),
        (
            {
                "kind": "decide",
                "config": {"cases": [{"id": "a", "op": "equals"}, {"id": "a", "op": "equals"}]},
            },
            "$.nodes[0].config.cases[1].id",
        ),
        ({"kind": "set", "config": {"assign": [{"name": "1bad"}]}}, "$.nodes[0].config.assign[0].name"),
        ({"kind": "lookup", "config": {"url": "x", "timeout": 30}}, "$.nodes[0].config.timeout"),
        ({"kind": "lookup", "config": {"url": "x", "method": "BREW"}}, "$.nodes[0].config.method"),
        ({"kind": "lookup", "config": {"url": "x", "keep": ["a..b"]}}, "$.nodes[0].config.keep[0]"),
        ({"kind": "say", "config": {}}, "$.nodes[0].config"),
        ({"kind": "say", "capture": "x"}, "$.nodes[0].capture"),
    ],
)
def test_bad_logic_configs_name_the_json_path(patch, where):
    node = {"id": "n", "title": "N", **patch}
    data = {"format": "ivrflow", "version": 2, "name": "x", "start": "n", "nodes": [node]}
    with pytest.raises(FlowFileError) as info:
        loads(json.dumps(data))
    assert info.value.json_path == where
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------------------------------------- calendars
def open_hours(**kw):
    from ivr_studio.flow.logic import HoursConfig, Interval

    return HoursConfig("Europe/Berlin", {"mon": (Interval("09:00", "17:00"),)}, **kw)


def chain(*nodes):
    from ivr_studio.flow import Flow

    f = Flow("Dynamic")
    for n in nodes:
        f.add_node(n)
    f.set_start(nodes[0].id)
    return f


def test_an_oversized_calendar_file_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.ics"
    with big.open("w") as fh:
        fh.write("BEGIN:VCALENDAR\r\n")
        fh.write("X-PAD:" + "x" * (2 * 1024 * 1024) + "\r\n")
    hours = open_hours(holidays=HolidaySource(ical="big.ics"))
    (d,) = [
        d
        for d in validate_flow(chain(Node("h", NodeKind.HOURS, config=hours)), tmp_path)
        if d.code == "IVR030"
    ]
    assert "big.ics" in d.message and len(d.message) < 300


@pytest.mark.parametrize(
    "ical", ["../../../../etc/passwd", "/etc/passwd", "C:\\Windows\\x.ics", "a/../../b.ics"]
)
def test_a_calendar_outside_the_flow_folder_is_refused(ical):
    data = {
        "format": "ivrflow",
        "version": 2,
        "nodes": [{"id": "h", "kind": "hours", "config": {"holidays": {"ical": ical}}}],
    }
    with pytest.raises(FlowFileError) as info:
        loads(json.dumps(data))
    assert info.value.json_path == "$.nodes[0].config.holidays.ical"
    assert "in the flow's folder" in str(info.value)


# ---------------------------------------------------------------------------------------------- templates
def flow_saying(text):
    from ivr_studio.flow import Branch, Flow, Prompt
    from ivr_studio.flow.logic import Variable

    f = Flow("Echo")
    f.add_node(
        Node(
            "menu",
            NodeKind.GATHER,
            prompts=[Prompt("say", "Say something")],
            branches=[Branch("b", "1")],
            capture="said",
        )
    )
    f.add_node(Node("echo", NodeKind.SAY, text=text))
    f.set_variables([Variable("said", max_length=200)])
    f.set_link("menu", "captured", "echo")
    return f


@pytest.mark.parametrize(
    "text",
    [
        "{% for i in (1..100000) %}x{% endfor %}",
        "{% for i in (1..90) %}{% for j in (1..90) %}y{% endfor %}{% endfor %}",
        "{{ vars.said | append: vars.said | append: vars.said | append: vars.said }}" * 30,
    ],
    ids=["long loop", "nested loops", "output bomb"],
)
def test_a_template_that_does_too_much_work_is_stopped(text):
    f = flow_saying(text)
    client = app_for(f).test_client()
    response = client.post(
        "/node/menu/result", data={**CALL, "Digits": "7" * 40}
    )  # 30 × 160 characters: over 4,000
    assert response.headers["X-IVR-Exit"] == "menu captured"
    assert response.headers["X-IVR-Node"] == "(error)"


# ---------------------------------------------------------------------------------------------- Decide regex
@pytest.mark.parametrize(
    ("operand", "message"),
    [
        ("(" * 1999 + ")" * 1999, "nests its groups 1999 deep"),  # Python's compiler would recurse 1999 deep
        ("(?:" * 800 + "a" + ")" * 800, "nests its groups 800 deep"),
        ("a{1,3}" * 300, "1,800 characters"),
    ],
)
def test_a_decide_regex_that_would_crash_the_compiler_is_one_validation_error(hostile, operand, message):
    flow = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    decide = next(n for n in flow["nodes"] if n["kind"] == "decide")
    decide["config"]["cases"][0].update(op="regex", operand=operand)
    hostile.write("line.ivrflow", json.dumps(flow))
    run = hostile.run("validate", "line.ivrflow").fails(1, "IVR022")
    line = next(line for line in run.stdout.splitlines() + run.stderr.splitlines() if "IVR022" in line)
    assert f"'{decide['title']}', case 1" in line and message in line and len(line) < 400
    hostile.run("export", "line.ivrflow", "-o", "out").fails(1, "IVR022")


@pytest.mark.parametrize(
    "zone, shown",
    [
        ("../../../../etc/passwd", "'../../../../etc/passwd' is not a time zone"),
        ("/etc/localtime", "'/etc/localtime' is not a time zone"),
        ("Z" * 100_000, "'" + "Z" * 40 + "' is not a time zone"),
        ("", None),  # no zone: the time as it is
    ],
)
def test_a_hostile_time_zone_in_a_template_is_a_one_line_error(zone, shown):
    from ivr_studio.bundle.handler.templates import Template, TemplateError

    template = Template("{{ now | datetime: 'time', zone }}", "node menu, prompt 1")
    values = {"now": "2026-12-24T17:30:00+00:00", "language": "en-US", "zone": zone}
    if shown is None:
        assert template.render(values) == "5:30 PM"
        return
    with pytest.raises(TemplateError) as caught:
        template.render(values)
    message = str(caught.value)
    assert message == f"node menu, prompt 1: datetime: {shown}" and len(message) < 200
