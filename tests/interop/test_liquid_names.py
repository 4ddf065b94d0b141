"""Liquid names: Studio's become IVR Studio's on import and go back on export, inside the markup only."""

from __future__ import annotations

import pytest

from ivr_studio.interop.liquid_names import to_local, to_studio


@pytest.mark.parametrize(
    ("studio", "local"),
    [
        ("Hello {{flow.variables.name}}!", "Hello {{vars.name}}!"),
        (
            "{{trigger.call.From}} / {{ trigger.call.To }} / {{trigger.call.CallSid}}",
            "{{call.from}} / {{ call.to }} / {{call.sid}}",
        ),
        (
            "Balance {{widgets.lookup.parsed.balance | money}}",
            "Balance {{steps.lookup.body.balance | money}}",
        ),
        (
            "{% if widgets.lookup.status_code == 200 %}ok{% endif %}",
            "{% if steps.lookup.status == 200 %}ok{% endif %}",
        ),
        (
            "{{ flow.variables.x | default: 'flow.variables.x' }}",
            "{{ vars.x | default: 'flow.variables.x' }}",
        ),
        ("flow.variables.x outside markup", "flow.variables.x outside markup"),
        ("{{trigger.call.Fromage}}", "{{trigger.call.Fromage}}"),
    ],
)
def test_studio_names_map_onto_ours_and_back(studio: str, local: str):
    assert to_local(studio)[0] == local
    assert to_studio(local) == studio or "Fromage" in studio


def test_names_with_no_counterpart_are_reported_and_kept():
    text, left = to_local("Press {{widgets.menu.Digits}} for {{contact.channel.address}} {{flow.data.x}}")
    assert text == "Press {{widgets.menu.Digits}} for {{call.from}} {{flow.data.x}}"
    assert left == ["flow.data.x", "widgets.menu.Digits"]


def test_text_without_liquid_is_untouched():
    assert to_local("Welcome. Press 1.") == ("Welcome. Press 1.", [])
    assert to_studio("Welcome {not liquid}") == "Welcome {not liquid}"
