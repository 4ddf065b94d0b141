"""Helpers for the handler app tests (imported by the test modules beside it): build the app for a flow in memory and post to it like Twilio."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from ivr_studio.bundle.documents import all_documents
from ivr_studio.bundle.handler import BundleSource, create_app
from ivr_studio.bundle.routing import routing_data
from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt

CALL = {
    "CallSid": "CA" + "a" * 32,
    "AccountSid": "AC" + "b" * 32,
    "From": "+15005550006",
    "To": "+15005550001",
}


def app_for(flow: Flow, **kw) -> Flask:
    kw.setdefault("environ", {})
    return create_app(BundleSource(routing_data(flow), all_documents(flow)), log_to_stderr=False, **kw)


def twiml(response) -> ET.Element:
    root = ET.fromstring(response.get_data())
    assert root.tag == "Response"
    return root


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def clinic_flow() -> Flow:
    """A menu whose no-match path goes through a Say and a Pause back to it, with some exits unlinked."""
    f = Flow("Clinic")
    f.add_node(
        Node(
            "menu",
            NodeKind.GATHER,
            attributes={"input": "dtmf speech", "numDigits": 1},
            prompts=[Prompt("say", "Press 1 or say appointments. Press 2 for the nurse.")],
            branches=[
                Branch("appointments", "1", ["appointments", "book an appointment"]),
                Branch("nurse", "2", ["nurse", "talk to a nurse"]),
                Branch("records", "3", ["medical records"]),
                Branch("nowhere", "4", ["nowhere"]),
            ],
            max_attempts=3,
        )
    )
    f.add_node(Node("sorry", NodeKind.SAY, text="Sorry, I didn't get that."))
    f.add_node(Node("breath", NodeKind.PAUSE, attributes={"length": 1}))
    f.add_node(Node("appts", NodeKind.SAY, text="Appointments."))
    f.add_node(Node("nurse_line", NodeKind.DIAL, text="+14155550100"))
    f.add_node(Node("records_vm", NodeKind.RECORD))
    f.add_node(Node("voicemail", NodeKind.RECORD))
    f.add_node(Node("bye", NodeKind.HANGUP))
    f.add_node(
        Node("keys_only", NodeKind.GATHER, branches=[Branch("one", "1", ["one thing"])], max_attempts=2)
    )
    f.set_link("menu", "branch:appointments", "appts")
    f.set_link("menu", "branch:nurse", "nurse_line")
    f.set_link("menu", "branch:records", "records_vm")
    f.set_link("menu", "no_match", "sorry")
    f.set_link("sorry", "next", "breath")
    f.set_link("breath", "next", "menu")
    f.set_link("appts", "next", "bye")
    f.set_link("nurse_line", "next", "bye")
    f.set_link("nurse_line", "busy", "voicemail")
    f.set_link("records_vm", "next", "bye")
    f.set_link("keys_only", "branch:one", "bye")
    f.set_link("keys_only", "max_attempts", "bye")
    return f


def post(client: FlaskClient, url: str, **params: str):
    response = client.post(url, data={**CALL, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response
