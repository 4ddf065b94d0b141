"""Every kind of node is known to every layer: a kind added to the model cannot be half added.

Each layer keeps one registry keyed by kind (see :mod:`ivr_studio.flow.kinds`); a kind missing from one
would fail only when a user first met it (an empty inspector, a card with no colour, a node the handler
refuses), so this checks them all at once.
"""

from __future__ import annotations

import pytest

from ivr_studio.bundle.documents import BUILDERS
from ivr_studio.bundle.handler.kinds import KINDS
from ivr_studio.flow.kinds import KIND_SPECS, NodeKind
from ivr_studio.flow.validate import NODE_RULES
from ivr_studio.ui.canvas.style import KIND_STYLES
from ivr_studio.ui.inspector.sections import SECTIONS

REGISTRIES = {
    "flow.kinds.KIND_SPECS": KIND_SPECS,
    "flow.validate.NODE_RULES": NODE_RULES,
    "bundle.documents.BUILDERS": BUILDERS,
    "ui.canvas.style.KIND_STYLES": KIND_STYLES,
    "ui.inspector.sections.SECTIONS": SECTIONS,
}


@pytest.mark.parametrize("registry", sorted(REGISTRIES))
@pytest.mark.parametrize("kind", list(NodeKind))
def test_every_kind_is_in_every_registry(registry, kind):
    assert kind in REGISTRIES[registry], f"{kind.value} is missing from {registry}"


@pytest.mark.parametrize("kind", list(NodeKind))
def test_the_handler_has_a_rule_for_every_kind(kind):
    # The handler is copied into bundles and never imports the model: its registry is keyed by name.
    assert kind.value in KINDS
    assert KINDS[kind.value].family == KIND_SPECS[kind].family.value


def test_the_handler_knows_no_kind_the_model_does_not():
    assert set(KINDS) == {k.value for k in NodeKind}
