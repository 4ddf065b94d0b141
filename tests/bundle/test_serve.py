"""serve.wsgi_app_for_target: what the local runtime and the editor use to run a flow file or bundle in-process."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from ivr_studio.bundle.export import export_bundle
from ivr_studio.bundle.serve import ENTRY_URL, wsgi_app_for_target
from ivr_studio.flow import load_flow


def answer(app, url, **form):
    response = Client(app).post(url, data=form)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("kind", ["flow file", "bundle"])
def test_flow_files_and_bundles_serve_the_same_call(examples_dir, tmp_path, kind):
    flow_file = examples_dir / "support-line.ivrflow"
    target = flow_file if kind == "flow file" else export_bundle(load_flow(flow_file), tmp_path / "b")
    app, entry = wsgi_app_for_target(target)
    assert entry == ENTRY_URL == "http://ivr-studio.local/voice"
    assert answer(app, entry).headers["X-IVR-Node"] == "welcome"
    chosen = answer(app, "http://ivr-studio.local/node/main_menu/result", SpeechResult="Billing.")
    assert chosen.headers["X-IVR-Node"] == "billing_info"


def test_an_auth_token_makes_the_app_check_signatures(examples_dir):
    app, entry = wsgi_app_for_target(examples_dir / "support-line.ivrflow", auth_token="secret")
    assert Client(app).post(entry, data={"CallSid": "CA1"}).status_code == 403


def test_deployment_settings_in_the_environment_do_not_leak_in(examples_dir, monkeypatch):
    monkeypatch.setenv("IVR_ENV", "production")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "prod-token")
    app, entry = wsgi_app_for_target(examples_dir / "support-line.ivrflow")
    assert Client(app).post(entry).status_code == 200


def test_missing_target(tmp_path):
    with pytest.raises(ValueError, match="no such file or folder"):
        wsgi_app_for_target(tmp_path / "nothing.ivrflow")


def test_a_folder_that_is_not_a_bundle(tmp_path):
    with pytest.raises(ValueError, match="not an exported bundle"):
        wsgi_app_for_target(tmp_path)


def test_another_kind_of_file(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(ValueError, match="neither"):
        wsgi_app_for_target(other)


def test_a_corrupt_flow_names_the_problem(tmp_path):
    bad = tmp_path / "bad.ivrflow"
    bad.write_text('{"format": "ivrflow", "version": 1, "nodes": [')
    with pytest.raises(ValueError, match=r"cannot load the flow: .*bad\.ivrflow.*is not valid JSON"):
        wsgi_app_for_target(bad)


def test_a_bundle_with_a_missing_document(examples_dir, tmp_path):
    bundle = export_bundle(load_flow(examples_dir / "support-line.ivrflow"), tmp_path / "b")
    (bundle / "twiml" / "sorry.xml").unlink()
    with pytest.raises(ValueError, match="'sorry'"):
        wsgi_app_for_target(bundle)


def test_a_bundle_with_broken_routing(examples_dir, tmp_path):
    bundle = export_bundle(load_flow(examples_dir / "support-line.ivrflow"), tmp_path / "b")
    (bundle / "routing.json").write_text("{")
    with pytest.raises(ValueError, match="routing.json"):
        wsgi_app_for_target(bundle)


def test_the_flow_open_in_the_editor_is_served_the_same_as_its_file(examples_dir):
    from ivr_studio.bundle.serve import serve_flow, serve_target

    flow_file = examples_dir / "support-line.ivrflow"
    from_editor = serve_flow(load_flow(flow_file))
    from_file = serve_target(flow_file)
    assert from_editor.routing == from_file.routing
    assert from_editor.routing["start"] == "welcome"
    for served in (from_editor, from_file):
        assert answer(served.app, served.url).headers["X-IVR-Node"] == "welcome"


def test_a_flow_that_cannot_be_served_says_why(examples_dir):
    from ivr_studio.bundle.serve import serve_flow

    flow = load_flow(examples_dir / "support-line.ivrflow")
    flow.nodes["welcome"].links["next"] = "nowhere"  # as an unfinished edit could leave it
    with pytest.raises(ValueError, match="'nowhere'"):
        serve_flow(flow)


def test_the_routing_of_a_bundle_is_read_from_its_folder(examples_dir, tmp_path):
    from ivr_studio.bundle.serve import routing_for_target

    flow = load_flow(examples_dir / "support-line.ivrflow")
    bundle = export_bundle(flow, tmp_path / "b")
    assert routing_for_target(bundle) == routing_for_target(examples_dir / "support-line.ivrflow")
    with pytest.raises(ValueError, match="not an exported bundle"):
        routing_for_target(tmp_path)
