"""The exported handler app against hostile requests: no redirect to a host the request named, no CR/LF from
a parameter in any response header, echoed header values cut short."""

from __future__ import annotations

import json

from hostile_flows import tiny_flow

SERVE = """
import json
from pathlib import Path
from werkzeug.test import Client
from ivr_studio.bundle.serve import serve_target
client = Client(serve_target(Path("menu.ivrflow")).app)
CALL = {"CallSid": "CA123", "From": "+15005550006", "To": "+15005550001"}
def show(response):
    print(json.dumps({"status": response.status_code, "headers": list(response.headers.items()),
                      "body": response.get_data(as_text=True)}))
"""


def dial_flow() -> dict:
    flow = tiny_flow()
    flow["nodes"].append(
        {"id": "desk", "kind": "dial", "title": "Desk", "position": [600, 0], "text": "+15005550002",
         "links": {"next": "bye", "busy": "bye"}}
    )
    flow["nodes"][0]["links"]["branch:sales"] = "desk"
    return flow


def _request(hostile, line: str) -> dict:
    hostile.write("menu.ivrflow", json.dumps(dial_flow()))
    run = hostile.run_python(SERVE + line)
    run.succeeds()
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_doubled_slash_is_not_redirected_to_localhost(hostile):
    answer = _request(hostile, 'show(client.post("/node//menu", data=CALL))')
    assert answer["status"] not in (301, 302, 307, 308)
    assert not [v for k, v in answer["headers"] if k.lower() == "location"]
    assert "localhost" not in answer["body"]
    assert "<Redirect" in answer["body"] and "/voice" in answer["body"]  # an apology back to the start


def test_crlf_in_dial_call_status_never_reaches_a_header_or_the_apology(hostile):
    status = "busy\\r\\nSet-Cookie: owned=1\\r\\n\\r\\n<Response><Dial>+19005551234</Dial></Response>"
    answer = _request(hostile, f'show(client.post("/node/desk/result", data={{**CALL, "DialCallStatus": "{status}"}}))')
    assert answer["status"] == 200
    headers = dict(answer["headers"])
    assert headers["X-IVR-Node"] == "bye" and headers["X-IVR-Outcome"] == "dial:unknown"
    assert all("\r" not in v and "\n" not in v for _k, v in answer["headers"])
    assert "owned" not in json.dumps(answer["headers"])
    assert "+1900" not in answer["body"]


def test_long_values_are_cut_in_headers(hostile):
    answer = _request(
        hostile, 'show(client.post("/node/desk/result", data={**CALL, "DialCallStatus": "b" * 30000}))'
    )
    assert answer["status"] == 200
    assert all(len(v) <= 120 for _k, v in answer["headers"])


def test_a_crlf_in_the_path_gets_the_apology_without_echoing_it(hostile):
    answer = _request(hostile, 'show(client.post("/node/menu%0D%0ASet-Cookie:%20x=1/result", data=CALL))')
    assert answer["status"] == 200
    assert all("\r" not in v and "\n" not in v and "Set-Cookie" not in v for _k, v in answer["headers"])
