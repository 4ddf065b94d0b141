"""A speech Gather whose recogniser is still loading its model: the Gather's timers run on the caller's audio.

Real audio (Debian's pocketsphinx test recordings) goes through the panel's real speech session — keypad gate,
voice activity detection, the real pocketsphinx recogniser — into a real call engine, on a virtual clock the
test moves a frame (20 ms) at a time. Only the loading is held: the provider waits for the test to let the
model finish, as a big vosk model would for a minute on a busy machine.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from dependencies import needs

from ivr_studio.runtime.clock import VirtualClock
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.transports import WsgiTransport
from ivr_studio.runtime.verbs.gather import MODEL_LOADING_NOTE
from ivr_studio.ui.call.speech import KEEP_MARGIN_SECONDS, PRE_ROLL_SECONDS, SpeechConfig, SpeechSession
from ivr_studio.voice.providers import DefaultRecognizerProvider

DATA = Path("/usr/share/pocketsphinx/test/data")
GOFORWARD = DATA / "goforward.raw"  # "go forward ten meters", 16 kHz mono s16le, 2.8 s
FRAME = 640  # 20 ms
GATHER = (
    '<Gather input="speech dtmf" timeout="4" speechTimeout="auto" hints="go forward ten meters, ten of clubs"'
    ' action="/heard"><Say>Where to?</Say></Gather><Say>Goodbye</Say>'
)


class SlowLoadingProvider:
    """The real recogniser provider, whose model loads only once the test sets ``loaded``."""

    def __init__(self) -> None:
        self.loaded = threading.Event()
        self.real = DefaultRecognizerProvider(use_vosk=False)

    def prepare(self, language: str) -> None:
        assert self.loaded.wait(60), "the test never let the model finish loading"
        self.real.prepare(language)

    def open(self, language: str, phrases=None):
        return self.real.open(language, phrases)


class App:
    """A tiny TwiML app: the Gather, then whatever the action request carried."""

    def __init__(self, gather: str = GATHER) -> None:
        self.gather = gather
        self.heard: list[dict[str, str]] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = (
            dict(parse_qsl(environ["wsgi.input"].read(length).decode(), keep_blank_values=True))
            if length
            else {}
        )
        if environ["PATH_INFO"] == "/heard":
            self.heard.append(form)
            body = "<Response><Hangup/></Response>"
        else:
            body = f"<Response>{self.gather}</Response>"
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [body.encode()]


class Call:
    """A call engine on a virtual clock and the panel's speech session for its Gather."""

    def __init__(self, provider: SlowLoadingProvider) -> None:
        self.app = App()
        self.clock = VirtualClock()
        self.engine = CallEngine(
            "https://ivr.test/voice",
            WsgiTransport(self.app),
            clock=self.clock,
            settings=RuntimeSettings(say_words_per_second=20.0, say_overhead=0.0),
        )
        self.trace: list[dict] = []
        self.engine.trace.subscribe(self.trace.append)
        self.reports: list[str] = []
        self.ready = threading.Event()
        self.engine.start()
        self.clock.run(stop=lambda: any(e["event"] == "listening" for e in self.trace))
        start = next(e for e in self.trace if e["event"] == "gather_start")
        self.session = SpeechSession(
            provider,
            SpeechConfig.from_gather(start["attributes"]),  # as the panel reads the Gather
            self.engine.post,
            self._report,
            record_audio=False,
            now=self.clock.now,
        )

    def _report(self, report) -> None:
        self.reports.append(report.kind)
        if report.kind == "ready":
            self.ready.set()

    def speak(self, pcm: bytes, until=lambda: False) -> None:
        """Feed ``pcm`` a frame at a time, each arriving when its 20 ms have passed on the call's clock; stop
        early (after a frame) when ``until()`` is true."""
        for i in range(0, len(pcm), FRAME):
            self.clock.advance(FRAME / 32_000)
            self.session.feed(pcm[i : i + FRAME])
            assert self.session.wait_idle(10), "the speech worker stopped answering"
            self.clock.advance(0)  # what the worker posted, at this instant
            if until():
                return

    def events(self, kind: str, **match) -> list[dict]:
        return [e for e in self.trace if e["event"] == kind and all(e.get(k) == v for k, v in match.items())]

    def close(self, provider: SlowLoadingProvider) -> None:
        provider.loaded.set()
        self.session.close(wait=30)


@pytest.fixture
def provider():
    return SlowLoadingProvider()


@pytest.fixture
def goforward() -> bytes:
    return GOFORWARD.read_bytes() + b"\x00\x00" * 32_000  # the words, then 2 s of quiet


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_speech_while_the_model_loads_is_recognised_once_it_is_ready(provider, goforward):
    call = Call(provider)
    try:
        call.speak(goforward, until=lambda: bool(call.events("speech", phase="end")))
        # the caller stopped talking and the model is still loading: the call knows both already
        start, end = call.events("speech", phase="start"), call.events("speech", phase="end")
        assert start and start[0]["pending"] and start[0]["accepted"]
        assert end and end[0]["pending"] and 0.1 < end[0]["ago"] < 1.0
        assert "loading" in call.reports and not call.ready.is_set()
        assert not call.events("gather_end")
        released_at = call.clock.now()

        provider.loaded.set()  # the model is ready: it hears the kept audio, then the rest live
        assert call.ready.wait(60), "the recogniser never caught up with the kept audio"
        call.speak(b"\x00\x00" * 32_000, until=lambda: bool(call.events("gather_end")))

        final = call.events("speech", phase="final")
        assert [e["text"] for e in final] == ["go forward ten meters"]
        assert len(call.events("speech", phase="end")) == 1, "the end of speech is not sent twice"
        (gather_end,) = call.events("gather_end")
        assert gather_end["speech"] == "Go forward ten meters." and gather_end["reason"] == "speech"
        assert "note" not in gather_end
        # speechTimeout="auto" counted from where the words ended, before the model was ready
        words_ended = end[0]["t"] - end[0]["ago"]
        assert words_ended < released_at
        assert gather_end["t"] - words_ended == pytest.approx(
            call.engine.settings.auto_speech_timeout, abs=0.025
        )
        (heard,) = call.app.heard
        assert heard["SpeechResult"] == "Go forward ten meters."
        assert 0.0 < float(heard["Confidence"]) <= 1.0
        assert heard["msg"] == "Gather End" and heard["FinishedOnKey"] == "" and "Digits" not in heard
    finally:
        call.close(provider)


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_a_model_still_loading_when_the_gather_ends_is_named_in_the_trace(provider, goforward):
    call = Call(provider)
    try:
        call.speak(goforward + b"\x00\x00" * 64_000, until=lambda: bool(call.events("gather_end")))
        (gather_end,) = call.events("gather_end")
        assert gather_end["speech"] == "" and gather_end["reason"] == "speech"
        assert gather_end["note"] == MODEL_LOADING_NOTE == "speech model still loading; nothing recognised"
        assert call.app.heard == []  # speech heard, nothing understood: no input (spec §2.7), the next verb
        assert call.events("say", text="Goodbye")
    finally:
        call.close(provider)
    assert call.events("speech", phase="final") == [], "nothing reaches the call after its Gather ended"


def feed(session: SpeechSession, pcm: bytes) -> None:
    """``pcm`` in 20 ms frames, as a microphone delivers it."""
    for i in range(0, len(pcm), FRAME):
        session.feed(pcm[i : i + FRAME])


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_the_audio_kept_for_a_loading_model_is_bounded(provider):
    """A second of quiet before the caller speaks; once they speak, at most maxSpeechTime and a margin."""
    posted: list = []
    session = SpeechSession(provider, SpeechConfig(max_speech=5.0), posted.append, record_audio=False)
    try:
        feed(session, b"\x00\x00" * 16_000 * 5)  # 5 s of quiet
        assert session.wait_idle(10)
        assert 0 < session.kept_bytes <= PRE_ROLL_SECONDS * 32_000
        assert posted == []
        assert session.keep_limit_bytes == (5.0 + KEEP_MARGIN_SECONDS) * 32_000
        feed(session, GOFORWARD.read_bytes() * 5)  # 14 s of talking to a model that does not load
        assert session.wait_idle(10)
        assert posted, "the caller's speech reached the call"
        assert session.keep_limit_bytes - FRAME < session.kept_bytes <= session.keep_limit_bytes
    finally:
        provider.loaded.set()
        session.close(wait=30)


def _wav(path: Path, pcm: bytes) -> Path:
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16_000)
        w.writeframes(pcm)
    return path


#: The panel's calls run on the wall clock: a long no-input timeout, so a busy machine cannot end the Gather
#: before the caller's audio arrives (speechTimeout still ends it once they stop talking).
PANEL_GATHER = (
    '<Gather input="speech dtmf" numDigits="1" timeout="60" speechTimeout="auto" action="/heard">'
    "<Say>Where to?</Say></Gather>"
)


@pytest.fixture
def served():
    """The app on a real HTTP server on 127.0.0.1."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    app = App(PANEL_GATHER)
    httpd = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{httpd.server_port}/voice"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loading_panel(qtbot, document, provider, served):
    from ivr_studio.ui.call.controller import CallController
    from ivr_studio.ui.call.panel import CallPanel

    settings = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
    panel = CallPanel(document, controller=CallController(settings=settings, audio=False, provider=provider))
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    panel.show()
    panel.target.setCurrentIndex(1)
    panel.url.setText(served[1])
    panel.call_button.click()
    qtbot.waitUntil(lambda: _listening(panel))
    yield panel
    provider.loaded.set()
    panel.controller.shutdown()


def _trace(panel) -> list[dict]:
    return list(panel.controller.record.trace) if panel.controller.record else []


def _listening(panel) -> bool:
    return any(e["event"] == "listening" for e in _trace(panel))


def test_the_panel_says_the_model_is_loading_and_the_keypad_still_works(
    qtbot, loading_panel, served, tmp_path, shots
):
    from ivr_studio.ui.call.speech import LOADING_NOTICE

    panel = loading_panel
    panel.speak_wav(_wav(tmp_path / "quiet.wav", b"\x00\x00" * 16_000 * 3))  # the caller holds on, quietly
    qtbot.waitUntil(lambda: panel.strip.notice.text() == LOADING_NOTICE)
    assert panel.strip.notice.isVisible()
    assert panel.keypad.isEnabled()
    panel.grab().save(str(shots / "speech-model-loading.png"))
    panel.keypad.buttons["2"].click()  # the caller gives up talking and presses a key: it counts
    qtbot.waitUntil(lambda: bool(served[0].heard))
    assert served[0].heard[0]["Digits"] == "2"
    # the trace reaches the panel through the GUI thread's queue, a moment after the request left
    qtbot.waitUntil(lambda: any(e["event"] == "gather_end" for e in _trace(panel)))
    (gather_end,) = [e for e in _trace(panel) if e["event"] == "gather_end"]
    assert gather_end["digits"] == "2" and "note" not in gather_end
    assert panel.strip.notice.text() != LOADING_NOTICE, "the loading notice goes with the Gather it was for"


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_the_panel_says_when_a_gather_ended_before_the_model_was_ready(
    qtbot, loading_panel, served, tmp_path, shots
):
    panel = loading_panel
    panel.speak_wav(_wav(tmp_path / "goforward.wav", GOFORWARD.read_bytes()))
    qtbot.waitUntil(lambda: any(e["event"] == "gather_end" for e in _trace(panel)))
    (gather_end,) = [e for e in _trace(panel) if e["event"] == "gather_end"]
    assert gather_end["reason"] == "speech" and gather_end["note"] == MODEL_LOADING_NOTE
    qtbot.waitUntil(lambda: panel.strip.notice.text() == "Speech model still loading; nothing recognised")
    rows = [text for _kind, text in panel.timeline.rows()]
    assert any("no input — speech model still loading; nothing recognised" in row for row in rows), rows
    assert served[0].heard == []
    panel.grab().save(str(shots / "speech-model-still-loading.png"))
