"""What the engine speaks on its own (the application-error message, text/plain and audio responses, the
trial notice) goes through the prompt player: it reaches the audio sink and stops when the caller hangs up."""

from __future__ import annotations

import pytest
from runtime_support import FixedTTS, Reply, call, doc

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.voice.interfaces import AudioClip


class RecordingSink:
    """An AudioSink that notes each clip it is asked to play and each clip stopped."""

    def __init__(self) -> None:
        self.played: list[AudioClip] = []
        self.stopped: list[AudioClip] = []

    def play(self, clip: AudioClip, on_done=None):
        sink = self
        self.played.append(clip)

        class Handle:
            def stop(self) -> None:
                sink.stopped.append(clip)

        return Handle()


class WordTTS(FixedTTS):
    """Clips whose first bytes name the text, so a test can tell which text the sink played."""

    def synthesize(self, text: str, language: str = "en-US", voice: str = "man") -> AudioClip:
        return AudioClip(text.encode() + b"\x00" * (32000 - len(text.encode())))


def _spoken(sink: RecordingSink) -> list[str]:
    return [clip.pcm.rstrip(b"\x00").decode() for clip in sink.played]


def test_the_application_error_message_is_played_to_the_caller():
    sink = RecordingSink()
    r = call({"/menu": Reply("boom", 500, "text/plain")}, tts=WordTTS(), sink=sink)
    assert _spoken(sink) == [RuntimeSettings().application_error_text]
    assert r.status == "completed" and r.end_time() == 1.0


def test_a_text_plain_response_is_played_to_the_caller():
    sink = RecordingSink()
    call({"/menu": Reply("Hello from text", content_type="text/plain")}, tts=WordTTS(), sink=sink)
    assert _spoken(sink) == ["Hello from text"]


class Decoder:
    def decode(self, data: bytes, content_type: str) -> AudioClip:
        return AudioClip(b"\x01\x00" * 16000 * 2)


def test_an_audio_response_is_played_to_the_caller():
    sink = RecordingSink()
    r = call({"/menu": Reply(b"ID3 fake mp3", content_type="audio/mpeg")}, sink=sink, decoder=Decoder())
    assert [clip.duration for clip in sink.played] == [2.0]
    assert r.end_time() == 2.0


def test_the_trial_notice_is_played_before_the_document():
    sink = RecordingSink()
    settings = RuntimeSettings(trial_notice=True)
    call({"/menu": doc("<Say>Menu</Say>")}, tts=WordTTS(), sink=sink, settings=settings)
    assert _spoken(sink) == [settings.trial_notice_text, "Menu"]


def test_hanging_up_during_the_application_error_message_stops_it():
    sink = RecordingSink()
    r = call(
        {"/menu": Reply("boom", 500, "text/plain")},
        [{"wait": 0.4}, {"hangup": True}],
        tts=WordTTS(),
        sink=sink,
    )
    assert len(sink.played) == 1 and sink.stopped == sink.played
    assert r.end_time() == 0.4


def test_ssml_breaks_are_silence_in_the_spoken_prompt():
    """With a voice, <break> pauses are part of the audio (and its length), not dropped."""
    sink = RecordingSink()
    r = call(
        {"/menu": doc('<Say>Press one<break time="2s"/>or two</Say><Hangup/>')}, tts=WordTTS(), sink=sink
    )
    [clip] = sink.played
    assert clip.duration == 1.0 + 2.0 + 1.0  # two synthesised pieces (1 s each) and the break between
    pause = clip.pcm[32000 : 32000 + 64000]
    assert pause == b"\x00" * 64000
    say = r.events("say")[0]
    assert say["duration"] == 4.0 and say["text"] == "Press one or two"


def test_play_digits_plays_keypad_tones():
    from ivr_studio.voice.dtmf import detect

    sink = RecordingSink()
    r = call({"/menu": doc('<Play digits="12w#"/><Hangup/>')}, sink=sink)
    [clip] = sink.played
    assert "".join(h.digit for h in detect(clip)) == "12#"
    settings = RuntimeSettings()
    expected = 3 * settings.play_digit_seconds + settings.play_w_seconds
    assert clip.duration == pytest.approx(expected, abs=0.001)
    assert r.end_time() == pytest.approx(expected, abs=0.001)
