"""The test-call panel: press Call and talk to the menu you just drew, offline.

Left: the target (this flow or a URL), the green Call / red Hang-up buttons and a phone keypad, with the
caller's other means below it (hold to talk, speak a WAV file, what the dialled party does). Right: the
call as a live timeline, a "Type what the caller says" box, and the status strip (node, the Gather's
countdown, the input level, the audio devices). All the work happens in :class:`CallController`; this
widget shows what it reports and forwards what the user does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QToolButton,
    QWidget,
)

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import NO_AUDIO_NOTICE, CallController
from ivr_studio.ui.call.panel_layout import DIAL_CHOICES, EVENT_INDEX_ROLE, PTT_TIP, TALK_TIP, build_panel
from ivr_studio.ui.call.status_strip import document_label


class CallPanel(QWidget):
    """The "Test call" dock's widget. ``document`` is the editor's FlowDocument (its ``flow`` and ``path``)."""

    activeNodeChanged = Signal(object)  # noqa: N815 - node id or None (the canvas glows it)
    saveableChanged = Signal(bool)  # noqa: N815 - whether there is an ended call to save as a test
    overlayChanged = Signal(object)  # noqa: N815 - exits to show as taken, or None for no overlay
    #: where a URL's call is when its server names no nodes: the path of its TwiML document (the status bar)
    documentChanged = Signal(str)  # noqa: N815

    def __init__(
        self,
        document: Any,
        parent: QWidget | None = None,
        *,
        controller: CallController | None = None,
        settings: RuntimeSettings | None = None,
        save_flow: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("callPanel")
        self.document = document
        self.save_flow = save_flow
        self.controller = controller or CallController(self, settings=settings)
        if self.controller.parent() is None:
            # the panel owns its controller: the controller's signals reach the panel's slots, so a controller
            # that outlived it would keep the panel, and with it the last call's engine and speech models
            self.controller.setParent(self)
        #: (label, seconds, started at): the Gather timer shown, started at a moment of call time
        self._countdown: tuple[str, float, float] | None = None
        self._gather: dict = {}
        self._missing_language: str | None = None  # the language a speech Gather found no model for
        self._models_dialog: Any = None
        self.live_node: str | None = None
        #: the URL of the document a call of a URL runs, when its server names no nodes (where the call is)
        self.live_document: str | None = None
        build_panel(self)
        from ivr_studio.ui.call.dynamic_parts import DynamicParts

        self.dynamic = DynamicParts(self)  # Call at, Back-end, and the call's variables
        self._connect()
        from ivr_studio.ui.call.debugging import PanelDebugger

        self.debugging = PanelDebugger(self)
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._update_countdown)
        self._audio_shown = False  # the audio devices are probed once the panel is on screen
        self.probe_when_shown = True  # False: whoever made the panel calls probe_audio() (the main window)
        if self.controller.audio_known:
            self._show_audio_state()
        else:
            self.strip.set_devices("Audio: …")
            for widget in (self.talk_button, self.ptt):  # until the devices are known
                widget.setEnabled(False)
                widget.setToolTip("Checking the audio devices…")
        self._set_running(False)
        replaced = getattr(document, "flowReplaced", None)
        if replaced is not None:
            replaced.connect(self.flow_replaced)

    # ----- building -----
    def _toggle(
        self, name: str, text: str, tip: str, widget: QWidget, shown: bool, row: QHBoxLayout | None = None
    ) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(f"toggle_{name}")
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.toggled.connect(widget.setVisible)
        button.setChecked(shown)
        widget.setVisible(shown)
        (row if row is not None else self._toggles).addWidget(button)
        return button

    def add_section(
        self,
        name: str,
        title: str,
        widget: QWidget,
        *,
        tip: str = "",
        expanded: bool = False,
        side: bool = False,
        toggle_row: QHBoxLayout | None = None,
    ) -> QToolButton:
        """Add a foldable part to the panel: ``widget`` shows above the timeline (``side``: beside it, to
        the right) while the toggle named ``title`` (top right, or in ``toggle_row`` — :attr:`say_row`
        under the timeline has room) is on. Features that need room in the panel (the call debugger, a
        call's time and back-end stubs) add themselves here; returns the toggle."""
        if side:
            self.splitter.addWidget(widget)
            self.splitter.setCollapsible(self.splitter.indexOf(widget), False)
        else:
            widget.setParent(self)
            self.drawers.addWidget(widget)
        button = self._toggle(
            name, f"{title} ▾", tip or f"Show or hide {title.lower()}", widget, expanded, toggle_row
        )
        self.sections[name] = (button, widget)
        return button

    def add_pane(
        self,
        name: str,
        title: str,
        widget: QWidget,
        *,
        tip: str = "",
        shown: bool = False,
        toggle_row: QHBoxLayout | None = None,
    ) -> QToolButton:
        """Add a part beside the timeline (right of it, the splitter between them), shown while the
        toggle named ``title`` is on — the call's variables. Returns the toggle."""
        self.splitter.addWidget(widget)
        self.splitter.setCollapsible(self.splitter.indexOf(widget), True)
        self.splitter.setStretchFactor(self.splitter.indexOf(widget), 0)
        sizes = self.splitter.sizes()
        self.splitter.setSizes([*sizes[:-2], max(200, sizes[-2] - 240), 240])
        button = self._toggle(name, title, tip or f"Show or hide {title.lower()}", widget, shown, toggle_row)
        self.sections[name] = (button, widget)
        return button

    def show_section(self, name: str, on: bool = True) -> None:
        """Unfold (or fold) the section ``name``."""
        self.sections[name][0].setChecked(on)

    def _connect(self) -> None:
        c = self.controller
        self.target.currentIndexChanged.connect(lambda i: self.url.setVisible(i == 1))
        self.call_button.clicked.connect(self.start_call)
        self.hangup_button.clicked.connect(c.hang_up)
        self.url.returnPressed.connect(self.start_call)
        self.keypad.pressed.connect(c.press)
        self.talk_button.pressed.connect(lambda: c.talk(True))
        self.talk_button.released.connect(lambda: c.talk(False))
        self.ptt.toggled.connect(self._set_push_to_talk)
        self.phone.toggled.connect(lambda on: setattr(c, "phone_fidelity", on))
        self.wav_button.clicked.connect(self.choose_wav)
        self.typed.returnPressed.connect(self.say_typed)
        self.say_button.clicked.connect(self.say_typed)
        self.around_button.clicked.connect(self._act_around)
        self.save_button.clicked.connect(lambda: self.save_as_test())
        self.load_button.clicked.connect(lambda: self.load_coverage())
        self.coverage.toggled.connect(lambda _on: self._refresh_overlay())
        self.strip.devicesClicked.connect(self.choose_devices)
        self.strip.noticeActionClicked.connect(lambda: self.get_speech_model())
        c.traceEvent.connect(self._on_event)
        c.callStarted.connect(lambda: self._set_running(True))
        c.callStarted.connect(self._call_started)
        c.callEnded.connect(lambda _status: self._set_running(False))
        c.activeNodeChanged.connect(self._on_active_node)
        c.pathChanged.connect(lambda _path: self._refresh_overlay())
        c.coverageChanged.connect(lambda _taken: self._refresh_overlay())
        c.levelChanged.connect(self.strip.set_level)
        c.microphoneChanged.connect(self.strip.set_microphone)
        c.notice.connect(self.show_notice)
        c.speechModelMissing.connect(self.show_missing_model)
        c.speechModelLoading.connect(self._show_model_loading)

    # ----- state shown -----
    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._audio_shown and self.probe_when_shown:
            QTimer.singleShot(0, self.probe_audio)  # after the frame that shows the panel

    def probe_audio(self) -> None:
        """Probe the audio devices once and show the result, leaving a notice already shown in place."""
        if not self._audio_shown:
            self._show_audio_state(replace_notice=self.strip.notice.isHidden())

    def _show_audio_state(self, replace_notice: bool = True) -> None:
        """Show whether there are audio devices (probing them the first time, which takes a moment)."""
        self._audio_shown = True
        c = self.controller
        if c.audio_available:
            self.strip.set_devices("Audio: headset ▾")
            if replace_notice:
                self.strip.set_notice(None)
        else:
            self.strip.set_devices("Audio: none", available=False)
            if replace_notice:
                self.strip.set_notice(NO_AUDIO_NOTICE)
                self.strip.notice.setToolTip(c.audio_status or "")
        for w in (self.talk_button, self.ptt):
            w.setEnabled(c.audio_available)
        if c.audio_available:
            self.talk_button.setToolTip(TALK_TIP)
            self.ptt.setToolTip(PTT_TIP)
        else:
            why = f"Talking needs a microphone — {c.audio_status}. Type what the caller says, or speak a WAV file"
            self.talk_button.setToolTip(why)
            self.ptt.setToolTip(why)

    def _set_running(self, running: bool) -> None:
        self.keyboard.set_active(running)
        self.keys_sign.setVisible(running)
        self.call_button.setEnabled(True)
        self.call_button.setText("Call again" if running else "Call")
        self.hangup_button.setEnabled(running)
        saveable = not running and self.controller.record is not None
        self.save_button.setEnabled(saveable)
        self.saveableChanged.emit(saveable)
        if not running:
            self._stop_countdown()
            self.strip.set_level(None)

    def show_notice(self, text: str, tone: str = "warning") -> None:
        """Show a notice under the status strip: a "warning" (amber) or, for what went well, "info"."""
        self._missing_language = None
        self.strip.set_notice(text, tone=tone)

    def _show_model_loading(self, loading: bool) -> None:
        """While the Gather's speech model loads the caller's audio is kept for it (and the keypad works):
        say so, and take the notice away once the model is ready."""
        from ivr_studio.ui.call.speech import LOADING_NOTICE

        if loading:
            self.show_notice(LOADING_NOTICE, tone="info")
        elif self.strip.notice.text() == LOADING_NOTICE:
            self.strip.set_notice(None)

    def show_missing_model(self, language: str, text: str = "") -> None:
        """A speech Gather's ``language`` has no model: say so and offer "Get model…" (``text``, the
        recogniser's own advice with its command line, becomes the tooltip)."""
        self._missing_language = language
        self.strip.set_notice(
            f"No speech model is installed for {language}: what the caller says is not recognised "
            "(typed text still works). Choose Get model… to install one.",
            "Get model…",
            f"Open Speech models on the model for {language}",
        )
        self.strip.notice.setToolTip(text)

    def _set_push_to_talk(self, on: bool) -> None:
        self.controller.push_to_talk = on

    def flow_replaced(self) -> None:
        """Another flow was opened (New, Open, a recovery): end the call and clear what it showed, so
        nothing of the old flow's call (its path, or "Save as test…") is offered for the new one."""
        self.controller.discard()
        self.timeline.clear_call()
        self.debugging.back_to_now()
        self.coverage.setChecked(False)
        self._set_running(False)
        self.live_node = self.live_document = None
        self.strip.set_node(None)
        self._refresh_overlay()
        self.dynamic.follow_flow()
        self.dynamic.variables.clear_call()

    # ----- actions -----
    def start_call(self, step: bool = False) -> None:
        """Call the target (replacing a running call); the timeline starts afresh. With ``step`` the call
        is held before its first request (the debugger's Step with no call running)."""
        self.timeline.clear_call()
        self.debugging.back_to_now()
        self._show_audio_state()
        if self.target.currentIndex() == 1:
            self.controller.start_url(self.url.text(), step=step)
        else:
            options = self.dynamic.options()
            if options is None:  # a bad back-end stub: named in its section
                return
            folder = Path(self.document.path).parent if self.document.path is not None else None
            self.controller.start_flow(self.document.flow, options, base_dir=folder, step=step)
        self.keypad.setFocus()

    def say_typed(self) -> None:
        text = self.typed.text().strip()
        if text and self.controller.running:
            self.controller.say_text(text)
            self.typed.clear()

    def choose_wav(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Speak a WAV file", "", "Recordings (*.wav *.raw);;All files (*)"
        )
        if path:
            self.speak_wav(path)

    def speak_wav(self, path: str | Path) -> None:
        try:
            self.controller.speak_wav(path)
        except (OSError, ValueError) as exc:
            self.show_notice(f"Cannot speak {Path(path).name}: {exc}")

    def get_speech_model(self, language: str | None = None) -> Any:
        """Open the Speech models dialog for the models test calls use, on ``language``'s row (by default
        the language the last notice found no model for); returns the dialog."""
        from ivr_studio.ui.models_dialog import show_models_dialog

        manager = getattr(self.controller.provider, "models", None)
        dialog = show_models_dialog(self, language or self._missing_language, manager=manager)
        if dialog is not self._models_dialog:
            self._models_dialog = dialog
            dialog.modelsChanged.connect(self._models_changed)
        return dialog

    def _models_changed(self) -> None:
        """A model was installed: a notice that asked for it now says it is there."""
        language = self._missing_language
        if language and self._models_dialog is not None and self._models_dialog.manager.find(language):
            self._missing_language = None
            self.strip.set_notice(
                f"A speech model for {language} is installed; speech prompts from now on use it.", tone="info"
            )

    def choose_devices(self) -> None:
        from ivr_studio.ui.call.devices_dialog import DevicesDialog

        c = self.controller
        dialog = DevicesDialog(c.input_device, c.output_device, self)
        if dialog.exec():
            c.input_device, c.output_device = dialog.input_device, dialog.output_device

    def save_as_test(self, path: str | Path | None = None) -> Path | None:
        from ivr_studio.ui.call.save_test import save_call_as_test

        return save_call_as_test(self, path)

    def load_coverage(self, path: str | Path | None = None) -> bool:
        """Merge an ``ivr-studio test --coverage`` file into the overlay (and turn the overlay on)."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Load test coverage", "", "Coverage (*.json)")
            if not path:
                return False
        from ivr_studio.bundle.coverage import read_coverage

        try:
            taken = read_coverage(path)
        except ValueError as exc:
            QMessageBox.warning(self, "Load test coverage", str(exc))
            return False
        self.controller.add_coverage(taken)
        self.coverage.setChecked(True)
        self._refresh_overlay()
        return True

    # ----- the running call -----
    def _call_started(self) -> None:
        """Until its first document arrives, the strip says what is being called."""
        self.live_node = self.live_document = None
        record = self.controller.record
        if record is None or record.target == "flow":
            self.strip.set_calling("this flow")
        else:
            host = urlsplit(record.target).netloc
            self.strip.set_calling(f"{host}{document_label(record.target)}")

    def _follow_document(self, event: dict) -> None:
        """A request for TwiML of a URL's call: when the server names no node, the call is where that
        document is (an exported bundle names its nodes, :meth:`_on_active_node` shows those)."""
        record = self.controller.record
        node = event.get("node")
        if record is None or record.target == "flow":
            return
        named = isinstance(node, str) and bool(node) and not node.startswith("(")
        self.live_document = None if named else str(event.get("url") or "")
        if not named:
            self.documentChanged.emit(document_label(self.live_document))
            if not self.looking_back:
                self.show_live_place()

    def show_live_place(self) -> None:
        """Show on the strip where the live call is (or that there is none)."""
        if self.live_node:
            self.strip.set_node(self.node_title(self.live_node))
        elif self.live_document:
            self.strip.set_node(document_label(self.live_document), self.live_document)
        else:
            self.strip.set_node(None)

    def _on_active_node(self, node: str | None) -> None:
        title = None
        if node is not None:
            flow = self.document.flow
            try:
                title = flow.node(node).title if self.controller.record.target == "flow" else node
            except Exception:
                title = node
        self.live_node = node
        if node is None:
            self.live_document = None
        if self.looking_back:  # the canvas shows the moment the user picked until they come back
            return
        self.strip.set_node(title)
        self.activeNodeChanged.emit(node)

    def node_title(self, node: str | None, request: Any = None) -> str:
        """How a node is named to the user: its title for a call of this flow, its id for a URL's; for
        a URL's call whose server names no nodes, the path of the document ``request`` (a trace event)
        fetched."""
        record = self.controller.record
        if node is None:
            url = request.get("url") if request is not None and record is not None else None
            return document_label(str(url)) if url and record.target != "flow" else "—"
        found = self.document.flow.nodes.get(node) if record is None or record.target == "flow" else None
        return found.title if found is not None else node

    def _refresh_overlay(self) -> None:
        c = self.controller
        if self.looking_back:
            return
        if self.coverage.isChecked():
            self.overlayChanged.emit(set(c.session_coverage))
        elif c.record is not None and c.record.target == "flow":
            self.overlayChanged.emit(c.path())
        else:
            self.overlayChanged.emit(None)

    def _on_event(self, event: dict) -> None:
        record = self.controller.record
        row = self.timeline.add_event(event)
        if row is not None and record is not None:
            row.setData(0, EVENT_INDEX_ROLE, len(record.trace) - 1)  # the moment a click looks back at
        kind = event.get("event")
        if kind == "gather_start":
            self._gather = dict(event.get("attributes") or {})
        elif kind == "listening":
            self._start_countdown("timeout", float(event.get("timeout") or 0), event)
        elif kind == "dtmf" and event.get("accepted") and self._countdown:
            self._start_countdown("timeout", float(self._gather.get("timeout", 5)), event)
        elif kind == "speech" and event.get("accepted"):
            if event.get("phase") == "start":
                self._stop_countdown()
            elif event.get("phase") == "end":
                self._start_countdown("speechTimeout", self._speech_timeout(), event)
        elif kind == "request" and event.get("purpose", "twiml") == "twiml":
            self._follow_document(event)
        elif kind in ("gather_end", "call_end"):
            self._stop_countdown()
            if kind == "call_end":
                self._show_around("", "")
        elif kind in ("queue", "conference") and event.get("label") in (None, "caller"):
            self._show_around(kind, str(event.get("status")))
        elif kind == "dial" and event.get("status") == "ringing":
            choice = DIAL_CHOICES.get(self.dial.currentText())
            if choice is not None:
                self.controller.dial_outcome(*choice)

    def _show_around(self, kind: str, status: str) -> None:
        """While the caller waits in a queue or a conference, one button plays the people around them: an
        agent who takes the queued call, or ending the conference."""
        waiting = (kind == "queue" and status in ("enqueued", "moved")) or (
            kind == "conference" and status in ("joined", "started", "participant_join", "participant_leave")
        )
        self._around = kind if waiting else None
        if kind == "conference":
            self.around_button.setText("End the conference")
            self.around_button.setToolTip("End the caller's conference for everyone, as the REST API would")
        elif kind == "queue":
            self.around_button.setText("Agent takes the call")
            self.around_button.setToolTip(
                "An agent dequeues the caller and talks for 5 s, as <Dial><Queue> would"
            )
        self.around_button.setVisible(waiting)
        # The button takes the keyboard sign's place, so the top row keeps its width on a 1024-px screen;
        # the status bar still says that typed keys go to the call.
        self.keys_sign.setVisible(self.keyboard.active and not waiting)

    def _act_around(self) -> None:
        if self._around == "queue":
            self.controller.take_from_queue()
        elif self._around == "conference":
            self.controller.end_conference()

    def _speech_timeout(self) -> float:
        value = str(self._gather.get("speechTimeout", self._gather.get("timeout", 5)))
        if value.strip().lower() == "auto":
            return self.controller.settings.auto_speech_timeout
        try:
            return float(value)
        except ValueError:
            return float(self._gather.get("timeout", 5))

    def _start_countdown(self, label: str, seconds: float, event: dict) -> None:
        """Show a Gather timer of ``seconds`` that started when ``event`` happened (its call time; the end of
        speech counts from where the words ended, ``ago`` before it said so, as the Gather does)."""
        started = float(event.get("t") or 0.0) - float(event.get("ago") or 0.0)
        self._countdown = (label, seconds, started)
        self._update_countdown()
        self._tick.start()

    def _stop_countdown(self) -> None:
        self._countdown = None
        self._tick.stop()
        self.strip.set_countdown(None)

    def _update_countdown(self) -> None:
        if self._countdown is None:
            return
        label, total, started = self._countdown
        now = self.controller.call_time()
        if now is None:
            return
        # call time, not the wall clock: it stands still while the debugger holds the call
        remaining = total - (now - started)
        self.strip.set_countdown(label, remaining, total)
        if remaining <= 0:
            self._tick.stop()

    # ----- keyboard: holding Space is holding "Hold to talk" -----
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Space and self.talk_button.isEnabled():
            if not event.isAutoRepeat():
                self.talk_button.setDown(True)
                self.controller.talk(True)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Space and self.talk_button.isEnabled():
            if not event.isAutoRepeat():
                self.talk_button.setDown(False)
                self.controller.talk(False)
            return
        super().keyReleaseEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.controller.shutdown()
        super().closeEvent(event)
