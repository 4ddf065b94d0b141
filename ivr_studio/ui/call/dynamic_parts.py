"""The test-call panel's parts for dynamic flows: when the call happens, what the back-end answers, and the
call's variables beside the timeline.

- "Call at" (a foldable section): off, the call happens now; on, the flow's handler believes it is the
  chosen minute in the chosen time zone (:mod:`.call_time`).
- "Back-end" (a foldable section): stub answers per method + URL pattern, or real requests
  (:mod:`.stub_editor`).
- "Variables" (a pane beside the timeline, shown for flows that declare variables): the call's variables
  and Look up results after each answer (:mod:`.call_variables`).

The timeline names the logic steps by the flow's node titles and exit labels. Each toggle says what is
set while its section is folded ("At Thu 24 Dec 2026 18:30", "Back-end: 2 stubs"), so a call made at
another time is never a surprise; the toggles sit under the timeline, where the panel has width to spare. :class:`DynamicParts` hands the panel the :class:`CallOptions` of the
next call, or refuses it with the problem shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from ivr_studio.ui.call.call_options import CallOptions
from ivr_studio.ui.call.call_time import CallAtSection
from ivr_studio.ui.call.call_variables import CallVariablesView
from ivr_studio.ui.call.stub_editor import StubEditor


class DynamicParts(QObject):
    """Builds the three parts into ``panel`` (a CallPanel) and keeps them in step with its document."""

    def __init__(self, panel: Any) -> None:
        super().__init__(panel)
        self.panel = panel
        self.call_at = CallAtSection(panel)
        self.stubs = StubEditor(panel, flow=panel.document.flow)
        self.variables = CallVariablesView(panel)
        self.when_toggle = panel.add_section(
            "when",
            "Call at",
            self.call_at,
            tip="When the call happens: now, or a date and time you choose",
            toggle_row=panel.say_row,
        )
        self.backend_toggle = panel.add_section(
            "backend",
            "Back-end",
            self.stubs,
            tip="What answers the flow's Look ups: stub answers you write, or the real back-end",
            toggle_row=panel.say_row,
        )
        self.variables_toggle = panel.add_pane(
            "variables",
            "Variables",
            self.variables,
            tip="Show or hide the call's variables",
            toggle_row=panel.say_row,
        )
        self._variables_chosen = False
        self.variables_toggle.clicked.connect(self._variables_clicked)
        panel.timeline.logic_names = self.names
        panel.controller.traceEvent.connect(self.variables.feed)
        panel.controller.callStarted.connect(self._call_started)
        self.call_at.changed.connect(self._refresh_toggles)
        self.stubs.changed.connect(self._refresh_toggles)
        self.follow_flow()

    def _variables_clicked(self) -> None:
        self._variables_chosen = True

    # ----- the flow -----
    def follow_flow(self) -> None:
        """The document's flow is (now) this one: the stubs read its Look ups, the time its zone, the
        variables view its declarations."""
        flow = self.panel.document.flow
        self.stubs.flow = flow
        self.call_at.follow_flow(flow)
        self._show_variables()
        self._refresh_toggles()

    def _show_variables(self) -> None:
        """Show the variables beside the timeline for a flow that has any (declared, or logic nodes that
        keep results), unless the user has shown or hidden them."""
        flow = self.panel.document.flow
        self.variables.set_declared(self.declared())
        if not self._variables_chosen:
            self.panel.show_section("variables", bool(self.declared()) or _has_logic(flow))

    def declared(self) -> dict[str, str]:
        return {v.name: v.default for v in self.panel.document.flow.variables.values()}

    def names(self, node_id: str, exit_name: str) -> tuple[str, str]:
        """A node's title and an exit's label in the flow the call runs (the ids when not found)."""
        record = self.panel.controller.record
        if record is not None and record.target != "flow":
            return node_id, exit_name
        node = self.panel.document.flow.nodes.get(node_id)
        if node is None:
            return node_id, exit_name
        label = next((e.label for e in node.exits() if e.name == exit_name), exit_name)
        return node.title, label

    # ----- the next call -----
    def options(self) -> CallOptions | None:
        """The next call's options; None (the problem shown, its section unfolded) when a stub is bad."""
        problem = self.stubs.problem()
        if problem is not None:
            self.panel.show_section("backend", True)
            self.stubs.show_problem(problem)
            self.panel.show_notice(f"The call waits for the back-end stubs to be fixed — {problem}")
            return None
        at, tz = self.call_at.options()
        return CallOptions(
            at=at,
            tz=tz,
            stubs=tuple(self.stubs.stubs()),
            requests_go_out=self.stubs.go_out.isChecked(),
        )

    def _call_started(self) -> None:
        self._show_variables()  # the flow may have been edited since
        self.variables.clear_call()

    def _refresh_toggles(self) -> None:
        """The folded sections say what they hold."""
        at, _tz = self.call_at.options()
        if at:
            shown = self.call_at.when.dateTime().toString("ddd d MMM yyyy HH:mm")
            self.when_toggle.setText(f"At {shown} ▾")
        else:
            self.when_toggle.setText("Call at: now ▾")
        count = self.stubs.table.rowCount()
        if count:
            self.backend_toggle.setText(f"Back-end: {count} stub{'s' if count != 1 else ''} ▾")
        elif not self.stubs.go_out.isChecked():
            self.backend_toggle.setText("Back-end: offline ▾")
        else:
            self.backend_toggle.setText("Back-end ▾")


def _has_logic(flow: Any) -> bool:
    from ivr_studio.flow.kinds import LOGIC_KINDS

    return any(node.kind in LOGIC_KINDS for node in flow)
