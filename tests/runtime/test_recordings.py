"""Recordings (spec §4.7 ``record``, §4.8): recording status callbacks, ``<Dial record>``, noun status
callbacks of ``<Dial>`` legs, and ``<Record transcribe>`` with the offline recogniser."""

from __future__ import annotations

import threading
import wave
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dependencies import missing
from runtime_support import AUTH_TOKEN, FakeApp, Received, call, doc

from ivr_studio.runtime import CallEngine, HttpTransport, RealClock, WsgiTransport
from ivr_studio.runtime.audio import VoiceIO
from ivr_studio.runtime.live import LiveCall
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.settings import RuntimeSettings

BYE = doc("<Hangup/>")
GOFORWARD = Path("/usr/share/pocketsphinx/test/data/goforward.raw")  # a person: "go forward ten meters"


def _file(url: str) -> Path:
    return Path(urlsplit(url).path)


def _seconds(path: Path) -> tuple[float, int]:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate(), w.getnchannels()


@pytest.fixture
def settings(tmp_path: Path) -> RuntimeSettings:
    return RuntimeSettings(recordings_dir=str(tmp_path))


# ----- <Record recordingStatusCallback> -----
def test_a_recording_reports_in_progress_and_completed_with_only_the_documented_parameters(settings):
    record = '<Record action="/rec" timeout="2" playBeep="false" recordingStatusCallback="/rs" '
    record += 'recordingStatusCallbackEvent="in-progress completed"/>'
    r = call(
        {"/menu": doc(record), "/rec": BYE, "/rs": "ok"},
        [{"wait": 1}, {"say": "my message", "duration": 3}],
        settings=settings,
    )
    action = r.app.to("/rec")[0].form
    sent = [s.form for s in r.app.to("/rs")]
    assert [s["RecordingStatus"] for s in sent] == ["in-progress", "completed"]
    assert set(sent[1]) == {
        "AccountSid",
        "CallSid",
        "RecordingSid",
        "RecordingUrl",
        "RecordingStatus",
        "RecordingDuration",
        "RecordingChannels",
        "RecordingSource",
    }
    assert sent[1]["RecordingSid"] == sent[0]["RecordingSid"] == action["RecordingSid"]
    assert sent[1]["RecordingUrl"] == action["RecordingUrl"] and sent[1]["RecordingDuration"] == "4"
    assert (sent[1]["RecordingSource"], sent[1]["RecordingChannels"]) == ("RecordVerb", "1")
    assert sent[1]["CallSid"] == r.engine.identity.call_sid
    assert _file(action["RecordingUrl"]).is_file()


def test_an_empty_recording_is_reported_absent_and_falls_through(settings):
    record = '<Record action="/rec" timeout="2" playBeep="false" recordingStatusCallback="/rs" '
    record += 'recordingStatusCallbackEvent="absent completed"/><Say>Nothing recorded</Say>'
    r = call({"/menu": doc(record), "/rec": BYE, "/rs": "ok"}, settings=settings)
    assert r.app.to("/rec") == [] and r.said() == ["Nothing recorded"]
    [absent] = [s.form for s in r.app.to("/rs")]
    assert absent["RecordingStatus"] == "absent" and absent["ErrorCode"] == "16102"


def test_a_bad_recording_status_event_is_warned_about_and_completed_still_reported(settings):
    record = '<Record action="/rec" timeout="1" playBeep="false" recordingStatusCallback="/rs" '
    record += 'recordingStatusCallbackEvent="done"/>'
    r = call(
        {"/menu": doc(record), "/rec": BYE, "/rs": "ok"}, [{"say": "hi", "duration": 1}], settings=settings
    )
    assert [s.form["RecordingStatus"] for s in r.app.to("/rs")] == ["completed"]
    assert any(
        "'done' is not one of in-progress, completed, absent" in e["message"] for e in r.events("warning")
    )


# ----- <Dial record> and noun status callbacks -----
DIAL = (
    '<Dial action="/d" callerId="+15550001111" record="{mode}" recordingStatusCallback="/rs">{nouns}</Dial>'
)
NUMBER = '<Number statusCallback="/leg" statusCallbackEvent="initiated ringing answered completed">+15557654321</Number>'


def test_a_recorded_dial_reports_its_recording_with_the_action_and_the_callbacks(settings):
    r = call(
        {
            "/menu": doc(DIAL.format(mode="record-from-answer", nouns=NUMBER)),
            "/d": BYE,
            "/rs": "ok",
            "/leg": "ok",
        },
        [{"dial_outcome": "answered", "duration": 12, "ring": 3}],
        settings=settings,
    )
    action = r.app.to("/d")[0].form
    path = _file(action["RecordingUrl"])
    assert _seconds(path) == (12.0, 1)  # from the answer to the end of the bridged call
    [status] = [s.form for s in r.app.to("/rs")]
    assert status["RecordingUrl"] == action["RecordingUrl"] and status["RecordingDuration"] == "12"
    assert status["RecordingSource"] == "DialVerb" and status["RecordingStartTime"]
    completed = r.app.to("/leg")[-1].form
    assert completed["RecordingUrl"] == action["RecordingUrl"] and completed["RecordingDuration"] == "12"


def test_a_dual_channel_dial_recording_from_ringing_has_two_channels(settings):
    r = call(
        {
            "/menu": doc(DIAL.format(mode="record-from-ringing-dual", nouns=NUMBER)),
            "/d": BYE,
            "/rs": "ok",
            "/leg": "ok",
        },
        [{"dial_outcome": "answered", "duration": 5, "ring": 2}],
        settings=settings,
    )
    assert _seconds(_file(r.app.to("/d")[0].form["RecordingUrl"])) == (7.0, 2)
    assert r.app.to("/rs")[0].form["RecordingChannels"] == "2"


def test_an_unanswered_recorded_dial_has_no_recording(settings):
    mode = 'record-from-answer" recordingStatusCallbackEvent="absent completed'
    r = call(
        {"/menu": doc(DIAL.format(mode=mode, nouns=NUMBER)), "/d": BYE, "/rs": "ok", "/leg": "ok"},
        [{"dial_outcome": "busy"}],
        settings=settings,
    )
    assert "RecordingUrl" not in r.app.to("/d")[0].form
    assert [s.form["RecordingStatus"] for s in r.app.to("/rs")] == ["absent"]


def test_each_dialled_leg_reports_its_progress_as_a_child_call(settings):
    nouns = NUMBER + '<Client statusCallback="/leg2">agent_7</Client>'
    r = call(
        {
            "/menu": doc(DIAL.format(mode="do-not-record", nouns=nouns)),
            "/d": BYE,
            "/leg": "ok",
            "/leg2": "ok",
        },
        [{"dial_outcome": "answered", "duration": 9, "ring": 4}],
        settings=settings,
    )
    action = r.app.to("/d")[0].form
    first = [s.form for s in r.app.to("/leg")]
    assert [s["CallStatus"] for s in first] == ["initiated", "ringing", "in-progress", "completed"]
    assert {s["CallSid"] for s in first} == {action["DialCallSid"]}
    assert {s["ParentCallSid"] for s in first} == {r.engine.identity.call_sid}
    assert {(s["Direction"], s["From"], s["To"]) for s in first} == {
        ("outbound-dial", "+15550001111", "+15557654321")
    }
    assert first[-1]["CallDuration"] == action["DialCallDuration"] == "9"
    assert [s["SequenceNumber"] for s in first] == ["0", "1", "2", "3"]
    [second] = [
        s.form for s in r.app.to("/leg2")
    ]  # only completed: the first noun answered, this one is canceled
    assert (second["CallStatus"], second["To"]) == ("canceled", "client:agent_7")
    assert second["CallSid"] != action["DialCallSid"]


def test_a_busy_leg_reports_busy():
    r = call(
        {"/menu": doc(DIAL.format(mode="do-not-record", nouns=NUMBER)), "/d": BYE, "/leg": "ok"},
        [{"dial_outcome": "busy"}],
    )
    assert [s.form["CallStatus"] for s in r.app.to("/leg")] == ["initiated", "ringing", "busy"]


# ----- <Record transcribe> -----
TRANSCRIBED = '<Record action="/rec" method="GET" timeout="2" playBeep="false" transcribe="true" transcribeCallback="/t"/>'


def test_the_text_a_caller_says_during_a_recording_is_transcribed_and_posted(settings):
    r = call(
        {"/menu": doc(TRANSCRIBED), "/rec": BYE, "/t": "ok"},
        [{"wait": 0.5}, {"say": "please call me back", "duration": 3}],
        settings=settings,
    )
    action = r.app.to("/rec")[0]
    [posted] = r.app.to("/t")
    form = posted.form
    assert posted.method == "POST"  # transcribeCallback is always a POST
    assert form["TranscriptionText"] == "Please call me back." and form["TranscriptionStatus"] == "completed"
    assert (
        form["RecordingSid"] == action.query["RecordingSid"]
        and form["RecordingUrl"] == action.query["RecordingUrl"]
    )
    assert form["TranscriptionSid"].startswith("TR") and len(form["TranscriptionSid"]) == 34
    assert _file(form["TranscriptionUrl"]).read_text() == "Please call me back.\n"
    assert form["CallSid"] == r.engine.identity.call_sid and form["From"] == r.engine.identity.from_number
    [event] = r.events("transcription")
    assert (event["status"], event["text"], event["recording_sid"]) == (
        "completed",
        "Please call me back.",
        form["RecordingSid"],
    )


def test_a_recording_of_two_seconds_or_less_is_not_transcribed(settings):
    r = call(
        {"/menu": doc(TRANSCRIBED.replace('timeout="2"', 'timeout="1"')), "/rec": BYE, "/t": "ok"},
        [{"say": "hi", "duration": 0.8}],
        settings=settings,
    )
    assert r.app.to("/rec") and r.app.to("/t") == []
    assert "IVR921" in r.codes()


def test_a_transcribed_recording_stops_at_120_seconds_unless_max_length_says_otherwise(settings):
    r = call(
        {"/menu": doc(TRANSCRIBED.replace('timeout="2"', 'timeout="0"')), "/rec": BYE, "/t": "ok"},
        [{"say": "a very long message", "duration": 200}],
        settings=settings,
    )
    assert r.app.to("/rec")[0].query["RecordingDuration"] == "120"


def _wav_with(pcm: bytes, path: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 8000 + pcm + b"\x00\x00" * 40000)
    return path


@pytest.fixture
def goforward_wav(tmp_path: Path) -> Path:
    if not GOFORWARD.exists():
        missing("Debian's pocketsphinx-testdata (apt install pocketsphinx-testdata)")
    return _wav_with(GOFORWARD.read_bytes(), tmp_path / "goforward.wav")


def _audio_call(app: FakeApp, wav: Path, settings: RuntimeSettings, recognizers) -> CallEngine:
    from ivr_studio.runtime.speech_feed import wav_feeder

    engine = CallEngine(
        "https://a/menu", WsgiTransport(app), settings=settings, voice=VoiceIO(recognizers=recognizers)
    )
    feeder = wav_feeder(recognizers) if recognizers is not None else (lambda *a: [])
    steps = [{"wait": 0.2}, {"say_wav": str(wav)}]
    run_virtual(engine, parse_script({"steps": steps}), speech_feeder=feeder)
    return engine


@pytest.mark.slow
def test_a_persons_recorded_voice_is_transcribed_by_the_offline_recogniser(goforward_wav, settings):
    from ivr_studio.voice.providers import DefaultRecognizerProvider

    app = FakeApp({"/menu": doc(TRANSCRIBED), "/rec": BYE, "/t": "ok"})
    _audio_call(app, goforward_wav, settings, DefaultRecognizerProvider(use_vosk=False))
    form = app.to("/t")[0].form
    assert form["TranscriptionStatus"] == "completed"
    assert form["TranscriptionText"] == "Go forward ten meters."
    recording = _file(app.to("/rec")[0].query["RecordingUrl"])
    assert _seconds(recording)[0] > 2.8  # the caller's own audio was recorded, not silence


def test_recorded_audio_without_a_recogniser_is_a_failed_transcription(goforward_wav, settings):
    from ivr_studio.runtime.events import CallerAudio, SpeechEnded, SpeechStarted

    app = FakeApp({"/menu": doc(TRANSCRIBED), "/rec": BYE, "/t": "ok"})
    pcm = GOFORWARD.read_bytes()
    engine = CallEngine("https://a/menu", WsgiTransport(app), settings=settings)
    for t, event in [(0.5, SpeechStarted()), (0.5, CallerAudio(pcm)), (3.4, SpeechEnded())]:
        engine.clock.call_at(t, lambda e=event: engine.deliver(e))
    run_virtual(engine, parse_script({"steps": []}))
    form = app.to("/t")[0].form
    assert (form["TranscriptionStatus"], form["TranscriptionText"]) == ("failed", "")
    assert any(e["code"] == "IVR920" for e in engine.trace.of("warning"))


def test_a_live_call_sends_the_transcription_over_real_http_after_the_action(serve_wsgi, settings):
    arrived = threading.Event()
    order: list[str] = []

    def transcription(req: Received) -> str:
        order.append("transcription")
        arrived.set()
        return "ok"

    def action(req: Received) -> str:
        order.append("action")
        return BYE

    app = FakeApp({"/menu": doc(TRANSCRIBED), "/rec": action, "/t": transcription})
    base = serve_wsgi(app)
    engine = CallEngine(
        f"{base}/menu", HttpTransport(), clock=RealClock(), settings=settings, auth_token=AUTH_TOKEN
    )
    live = LiveCall(engine, max_duration=20)
    script = parse_script({"steps": [{"wait": 0.1}, {"say": "call me", "duration": 2.5}]})
    live.start(script)
    assert live.wait(30) and arrived.is_set()
    assert order == ["action", "transcription"]
    assert [e["text"] for e in engine.trace.of("transcription")] == ["Call me."]
    assert [e["status"] for e in engine.trace.events if e.get("callback") == "transcribeCallback"] == [200]
