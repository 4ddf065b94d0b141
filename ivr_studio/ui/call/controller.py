"""The test call behind the panel: owns the live call, the audio and the recogniser; speaks Qt signals.

A call runs the editor's *current* flow (built into the bundle's handler app in memory when Call is
pressed — no export, no server) or a user's own webhook URL, on the runtime's :class:`LiveCall` (a worker
thread on the real clock). Trace events arrive on that worker thread; they are relayed through a queued
signal and re-emitted on the GUI thread as :attr:`CallController.traceEvent`. Each call has a generation
number, so events still in flight from a call that was just replaced are dropped instead of confusing
the new one.

Caller speech comes from the microphone, from a WAV file spoken in real time, or from typed text; the
microphone, key tones, WAV files and the session their audio goes to are :mod:`.caller_audio`'s, which
this controller drives as the call's events arrive. With no sound card the call still works: prompts take
their estimated time in silence, and keys, typed speech and WAV files still reach the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from ivr_studio.runtime.debugger import Arrival, Pause
from ivr_studio.runtime.events import ConferenceEnds, Dequeue, SpeechEnded, SpeechFinal, SpeechStarted
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.call_options import CallOptions
from ivr_studio.ui.call.caller_audio import CallerAudio
from ivr_studio.ui.call.debug_controls import DebugControls

if TYPE_CHECKING:  # the speech and coverage code loads with the first call, not with the editor
    from ivr_studio.bundle.coverage import CoverageTracker, ExitKey
    from ivr_studio.ui.call.speech import SpeechReport

NO_AUDIO_NOTICE = "No microphone or speaker found — type what the caller says, or speak a WAV file"


def speech_languages(flow: Any) -> set[str]:
    """The ``language`` of every Gather in ``flow`` that listens for speech (Twilio's default is en-US)."""
    from ivr_studio.flow.kinds import NodeKind

    return {
        str(node.attributes.get("language") or "en-US")
        for node in flow
        if node.kind == NodeKind.GATHER and "speech" in str(node.attributes.get("input") or "dtmf")
    }


@dataclass
class CallRecord:
    """One call as the panel saw it: its target, trace and the caller actions the trace does not hold."""

    target: str  # "flow" or the URL
    settings: RuntimeSettings
    routing: Mapping[str, Any] | None
    trace: list[dict] = field(default_factory=list)
    dial_outcomes: list[tuple[float, str, float]] = field(default_factory=list)
    #: What the people around the caller did (an agent took the queued call …), as script steps.
    around: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    status: str | None = None
    #: every response that arrived (a runtime.debugger.Arrival, with the call's cookies and so its state),
    #: with the trace index of the request it answered: what looking back shows for a moment of the call
    arrivals: list[tuple[int, Any]] = field(default_factory=list)
    options: CallOptions = field(default_factory=CallOptions)  # the call's time and back-end

    @property
    def ended(self) -> bool:
        return self.status is not None


class CallController(QObject, DebugControls):
    """Starts, feeds and ends test calls; every signal is emitted on the GUI thread."""

    traceEvent = Signal(dict)  # noqa: N815 - Qt signal naming
    callStarted = Signal()  # noqa: N815
    callEnded = Signal(str)  # noqa: N815 - the call's status
    activeNodeChanged = Signal(object)  # noqa: N815 - node id or None
    pathChanged = Signal(object)  # noqa: N815 - set of (node, exit) this call took
    coverageChanged = Signal(object)  # noqa: N815 - set of (node, exit) all calls took
    levelChanged = Signal(float)  # noqa: N815 - caller audio level, dBFS
    microphoneChanged = Signal(bool)  # noqa: N815 - the microphone is open
    notice = Signal(str)  # something the user should know (a failed device, a speech model's limits …)
    speechModelMissing = Signal(str, str)  # noqa: N815 - a speech Gather's language has no model: tag, message
    speechModelLoading = Signal(bool)  # noqa: N815 - the Gather's speech model is loading; the audio is kept
    paused = Signal(object)  # the call is held by the debugger: a runtime.debugger.Pause
    resumed = Signal()  # the held call goes on
    _relay = Signal(int, object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        settings: RuntimeSettings | None = None,
        audio: bool | None = None,
        provider: Any = None,
        max_duration: float = 3600.0,
        clock: Callable[[], Any] | None = None,
    ) -> None:
        """``clock`` makes the clock each call runs on (a ``runtime.clock.RealClock``, the default, or one of
        its kind whose time a test moves itself, so that a busy machine cannot make a Gather time out)."""
        super().__init__(parent)
        self._new_clock = clock
        self.settings = settings or RuntimeSettings()
        self._audio = audio
        self._audio_status: str | None = None
        self._audio_probed = bool(audio)  # audio=True: the caller says devices are there
        self.max_duration = max_duration
        self._provider = provider
        self._generation = 0
        self._live: Any = None
        self._thread: threading.Thread | None = None
        self.record: CallRecord | None = None
        self._tracker: CoverageTracker | None = None
        self.session_coverage: set[ExitKey] = set()
        #: The caller's microphone, key tones and WAV files; it answers through these callbacks only.
        self.caller_audio = CallerAudio(
            available=lambda: self.audio_available,
            running=lambda: self.running,
            provider=lambda: self.provider,
            poster=lambda: self._live.post,
            # audio is dated on the call's clock: the end of speech is subtracted from it (SpeechEnded.ago),
            # and it stands still while the debugger holds the call; a WAV spoken into the call is paced by it
            call_clock=lambda: self._live.clock,
            reporter=self._reporter,
            notice=self.notice.emit,
            microphone_changed=self.microphoneChanged.emit,
        )
        self._last_level = 0.0
        #: Nodes the debugger holds a call at when it reaches them (see set_breakpoints).
        self.breakpoints: frozenset[str] = frozenset()
        self.debugger: Any = None  # the running call's runtime.debugger.CallDebugger
        self.pause: Any = None  # where the call is held (a Pause), or None
        self._relay.connect(self._on_relay, Qt.ConnectionType.QueuedConnection)

    # ----- state -----
    @property
    def audio_status(self) -> str | None:
        """None when a microphone and speaker are there, else why not. The devices are probed the first
        time this is asked (PortAudio takes a moment to start, which the editor's first frame should not
        wait for)."""
        if not self._audio_probed:
            self._audio_probed = True
            if self._audio is False:
                self._audio_status = NO_AUDIO_NOTICE
            else:
                from ivr_studio.voice import devices

                self._audio_status = devices.audio_status()
        return self._audio_status

    @property
    def audio_known(self) -> bool:
        """Whether :attr:`audio_status` is known without probing the devices (told, or probed already)."""
        return self._audio_probed or self._audio is not None

    @audio_status.setter
    def audio_status(self, status: str | None) -> None:
        self._audio_probed = True
        self._audio_status = status

    @property
    def audio_available(self) -> bool:
        return self.audio_status is None

    @property
    def running(self) -> bool:
        return self.record is not None and not self.record.ended

    def call_time(self) -> float | None:
        """Seconds of call time since the running (or last) call started, as its trace counts them; it stands
        still while the debugger holds the call. None before the first call."""
        live = self._live
        return None if live is None else live.engine.elapsed

    @property
    def push_to_talk(self) -> bool:
        """On: only holding "Hold to talk" opens the microphone. Off: it also opens while the call listens."""
        return self.caller_audio.push_to_talk

    @push_to_talk.setter
    def push_to_talk(self, on: bool) -> None:
        self.caller_audio.push_to_talk = on

    @property
    def microphone_open(self) -> bool:
        return self.caller_audio.microphone_open

    @property
    def input_device(self) -> int | None:
        return self.caller_audio.input_device

    @input_device.setter
    def input_device(self, device: int | None) -> None:
        self.caller_audio.input_device = device

    @property
    def output_device(self) -> int | None:
        return self.caller_audio.output_device

    @output_device.setter
    def output_device(self, device: int | None) -> None:
        self.caller_audio.output_device = device

    @property
    def phone_fidelity(self) -> bool:
        """Whether the caller's audio goes through an 8 kHz phone line before it is recognised."""
        return self.caller_audio.phone_fidelity

    @phone_fidelity.setter
    def phone_fidelity(self, on: bool) -> None:
        self.caller_audio.phone_fidelity = bool(on)

    @property
    def provider(self) -> Any:
        if self._provider is None:
            from ivr_studio.voice.providers import DefaultRecognizerProvider

            self._provider = DefaultRecognizerProvider()
        return self._provider

    # ----- starting and ending -----
    def start_flow(
        self,
        flow: Any,
        options: CallOptions | None = None,
        base_dir: str | Path | None = None,
        *,
        step: bool = False,
    ) -> None:
        """Call the flow as it is now in the editor, through the bundle's handler app in memory; with
        ``step`` the call is held before its first request.

        ``options``: when the call happens (the handler's clock starts there and moves with the call) and
        what answers its Look ups; ``base_dir``: the flow's folder (its calendar files).
        """
        import dataclasses

        from ivr_studio.bundle.serve import options_from, serve_flow
        from ivr_studio.runtime.transports import WsgiTransport

        options = options or CallOptions()
        clock = self._clock()
        folder = Path(base_dir) if base_dir is not None else None
        try:
            # the flow's declared environment variables ({{ env.NAME }}) come from the editor's environment
            serve = options_from(
                options.serve_options(),
                folder or Path.cwd(),
                None,
                clock,
                requests_go_out=options.requests_go_out,
            )
            served = serve_flow(flow, dataclasses.replace(serve, base_dir=folder))
        except Exception as exc:  # an unfinished flow must say why it cannot be called, not crash
            self.notice.emit(f"The flow cannot be called yet: {exc}")
            return
        self._start(WsgiTransport(served.app), served.url, "flow", served.routing, step, clock=clock)
        self.record.options = options  # type: ignore[union-attr]
        self.caller_audio.prepare(speech_languages(flow))

    def start_url(self, url: str, *, step: bool = False) -> None:
        """Call a webhook of the user's own (e.g. a Flask app on localhost) over HTTP; with ``step`` the call
        is held before its first request."""
        from ivr_studio.runtime.transports import HttpTransport

        url = url.strip()
        if not url.startswith(("http://", "https://")):
            self.notice.emit(f"“{url}” is not a web address: it must start with http:// or https://")
            return
        self._start(HttpTransport(), url, url, None, step)

    def _clock(self) -> Any:
        """A new clock for a call: the real one, unless the controller was given its own kind."""
        if self._new_clock is not None:
            return self._new_clock()
        from ivr_studio.runtime.clock import RealClock

        return RealClock()

    def _voice(self) -> Any:
        from ivr_studio.runtime.audio import VoiceIO

        if not self.audio_available:
            return VoiceIO(recognizers=self.provider)  # also transcribes <Record transcribe> recordings
        from ivr_studio.voice.devices import SpeakerSink
        from ivr_studio.voice.media import MediaFileDecoder
        from ivr_studio.voice.tts import EspeakSynthesizer

        try:
            synthesizer = EspeakSynthesizer()
        except Exception as exc:
            self.notice.emit(f"Text to speech is unavailable ({exc}); prompts play in silence")
            synthesizer = None
        return VoiceIO(
            synthesizer=synthesizer,
            sink=SpeakerSink(self.output_device),
            decoder=MediaFileDecoder(),
            recognizers=self.provider,
        )

    def _start(
        self,
        transport: Any,
        url: str,
        target: str,
        routing: Mapping[str, Any] | None,
        step: bool = False,
        clock: Any = None,
    ) -> None:
        from ivr_studio.runtime.debugger import CallDebugger
        from ivr_studio.runtime.engine import CallEngine
        from ivr_studio.runtime.live import LiveCall

        if self.running:
            self.hang_up()
        self.caller_audio.stop()
        self._generation += 1
        generation = self._generation
        clock = clock or self._clock()
        engine = CallEngine(url, transport, clock=clock, settings=self.settings, voice=self._voice())
        self.pause = None
        self.debugger = CallDebugger(
            engine.clock,
            self.breakpoints,
            lambda pause, g=generation: self._relay.emit(g, pause),
            step=step,
            on_arrival=lambda arrival, g=generation: self._relay.emit(g, arrival),
        )
        engine.gate = self.debugger
        live = LiveCall(engine, max_duration=self.max_duration)
        live.subscribe(lambda event, g=generation: self._relay.emit(g, event))
        self._live = live
        self.record = CallRecord(target, self.settings, routing)
        from ivr_studio.bundle.coverage import CoverageTracker

        self._tracker = CoverageTracker(routing) if routing is not None else None
        self._thread = threading.Thread(
            target=self._run, args=(live, generation), name="ivr-call", daemon=True
        )
        self.callStarted.emit()
        self._thread.start()

    def _run(self, live: Any, generation: int) -> None:
        try:
            live.run()
        except BaseException as exc:  # report it; the call is over either way
            self._relay.emit(
                generation, {"t": 0.0, "event": "error", "code": "", "message": f"The call failed: {exc}"}
            )
            if not live.ended:
                self._relay.emit(
                    generation, {"t": 0.0, "event": "call_end", "status": "failed", "duration": 0.0}
                )

    def hang_up(self) -> None:
        if self.running and self._live is not None:
            self._live.hang_up()  # a held call hangs up at once
            self._set_pause(None)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the call's thread to finish (for shutdown and tests); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def discard(self) -> None:
        """Forget the call: hang up if it is running and drop its record, path and coverage (the editor
        opened another flow, which they do not describe). Events still in flight from it are ignored."""
        self.hang_up()
        self.caller_audio.stop()
        self._generation += 1
        self.record = None
        self.debugger = None
        self.pause = None
        self._tracker = None
        self.session_coverage.clear()
        self.activeNodeChanged.emit(None)
        self.pathChanged.emit(set())
        self.coverageChanged.emit(set())

    def shutdown(self) -> None:
        """Hang up and release the audio (the panel is closing)."""
        self.hang_up()
        self.caller_audio.stop()
        self.wait(2.0)

    # ----- caller actions -----
    def press(self, key: str) -> None:
        self._play_tone(key)
        if self.running:
            self._live.press(key)

    def _play_tone(self, key: str) -> None:
        self.caller_audio.play_tone(key)

    def say_text(self, text: str, confidence: float | None = None) -> None:
        """The caller says ``text`` (typed): start, final result and end, like a script's ``say`` step."""
        text = text.strip()
        if not self.running or not text:
            return
        conf = self.settings.default_confidence if confidence is None else confidence
        for event in (SpeechStarted(), SpeechFinal(text, conf), SpeechEnded()):
            self._live.post(event)

    def speak_wav(self, path: str | Path) -> float:
        """Speak a WAV file into the call in real time, as the caller's voice; returns its length (s)."""
        return self.caller_audio.speak_wav(path)

    def dial_outcome(self, status: str, duration: float = 0.0) -> None:
        if self.running:
            self.record.dial_outcomes.append((round(self._live.engine.elapsed, 3), status, duration))  # type: ignore[union-attr]
            self._live.dial_outcome(status, duration)

    def take_from_queue(self, duration: float = 5.0) -> None:
        """An agent takes the queued caller (as ``<Dial><Queue>`` would) and talks ``duration`` seconds."""
        self._around({"dequeue": True, "duration": duration}, Dequeue(duration=duration))

    def end_conference(self) -> None:
        """The caller's conference ends for everyone (as the REST API would end it)."""
        self._around({"conference": "end"}, ConferenceEnds())

    def _around(self, step: dict[str, Any], event: Dequeue | ConferenceEnds) -> None:
        if self.running:
            self.record.around.append((round(self._live.engine.elapsed, 3), step))  # type: ignore[union-attr]
            self._live.post(event)  # type: ignore[union-attr]

    def talk(self, down: bool) -> None:
        """Hold to talk: while held, the microphone is open and its audio reaches the call."""
        self.caller_audio.talk(down)

    def _reporter(self) -> Any:
        """A report function for the caller's audio of the current call: reports of a replaced call are
        dropped when they arrive."""
        generation = self._generation

        def report(r: SpeechReport, g: int = generation) -> None:
            self._relay.emit(g, r)

        return report

    # ----- events from the worker threads (delivered here on the GUI thread) -----
    @Slot(int, object)
    def _on_relay(self, generation: int, item: object) -> None:
        if generation != self._generation or self.record is None:
            return
        if not isinstance(item, dict):  # a SpeechReport from the audio side, or the debugger holding the call
            if isinstance(item, Pause):
                self._set_pause(item)
                if item.node:
                    self.activeNodeChanged.emit(item.node)
            elif isinstance(item, Arrival):  # its request is already in the trace (one queue, in order)
                from ivr_studio.ui.call.history import last_twiml_request

                self.record.arrivals.append((last_twiml_request(self.record.trace), item))
            else:
                self._on_speech_report(item)
            return
        event: dict = item  # type: ignore[assignment]
        self.record.trace.append(event)
        kind = event.get("event")
        if kind == "gather_start":
            self.caller_audio.gather_started(event.get("attributes") or {})
        elif kind == "gather_end":
            self.caller_audio.gather_ended()
            self.speechModelLoading.emit(False)
            note = str(event.get("note") or "")
            if note:  # the Gather ended while the speech model was still loading
                self.notice.emit(note[:1].upper() + note[1:])
        elif kind == "record":
            self.caller_audio.listen("record" if event.get("status") == "recording" else None)
        elif kind == "request" and event.get("purpose", "twiml") == "twiml":
            node = event.get("node")
            if isinstance(node, str) and node and not node.startswith("("):
                self.activeNodeChanged.emit(node)
            if self._tracker is not None and self._tracker.feed(event) is not None:
                self.session_coverage.update(self._tracker.taken)
                self.pathChanged.emit(set(self._tracker.taken))
                self.coverageChanged.emit(set(self.session_coverage))
        self.traceEvent.emit(event)
        if kind == "call_end":
            self._set_pause(None)
            self.record.status = str(event.get("status"))
            self.caller_audio.close_speech()
            self.activeNodeChanged.emit(None)
            self.callEnded.emit(self.record.status)

    def _on_speech_report(self, report: SpeechReport) -> None:
        if report.kind == "level" and report.level_dbfs is not None:
            if report.at - self._last_level >= 0.05:
                self._last_level = report.at
                self.levelChanged.emit(report.level_dbfs)
        elif report.kind in ("loading", "ready"):
            self.speechModelLoading.emit(report.kind == "loading")
        elif report.kind == "no_model":
            self.speechModelMissing.emit(report.language, report.text)
        elif report.kind in ("error", "notice"):
            self.notice.emit(report.text)

    def path(self) -> set[ExitKey]:
        """The exits this (or the last) call took."""
        return set(self._tracker.taken) if self._tracker is not None else set()

    def add_coverage(self, taken: set[ExitKey]) -> None:
        """Merge exits taken elsewhere (an ``ivr-studio test --coverage`` file) into the session's."""
        self.session_coverage.update(taken)
        self.coverageChanged.emit(set(self.session_coverage))
