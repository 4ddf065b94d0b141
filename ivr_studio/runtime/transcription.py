"""``<Record transcribe="true">``: the recording turned into text offline, reported to ``transcribeCallback``.

The caller's recorded audio goes through the same path as a script's ``say_wav`` (voice activity detection,
key tones silenced, one recognition per utterance, the offline recogniser in free mode, US English as
Twilio's transcription is); a caller who only spoke text (a scripted ``say``) is transcribed as that text.

Twilio transcribes recordings longer than 2 seconds and shorter than 120 seconds; others get a warning and
no transcription. The transcript is written beside the recording as ``TR….txt`` (``TranscriptionUrl`` is
its ``file://`` URL, standing in for Twilio's REST resource). ``transcribeCallback`` (always a POST) gets
the call's parameters and TranscriptionSid, TranscriptionText, TranscriptionStatus (``completed``, or
``failed`` when the audio could not be recognised), TranscriptionUrl, RecordingSid and RecordingUrl.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ivr_studio.files.atomic import write_text_atomic
from ivr_studio.runtime.events import SpeechFinal
from ivr_studio.runtime.params import new_sid
from ivr_studio.runtime.recordings import Recording
from ivr_studio.runtime.speech_feed import wav_feeder
from ivr_studio.runtime.verbs.gather import punctuate as punctuate_text
from ivr_studio.voice.interfaces import RecognizerProvider

#: Twilio transcribes only recordings longer than this and shorter than MAX_SECONDS (Record docs).
MIN_SECONDS = 2
MAX_SECONDS = 120
#: Twilio's transcription is US English only.
LANGUAGE = "en-US"


@dataclass(frozen=True)
class Transcript:
    """A transcription's outcome: ``status`` is ``completed`` or ``failed`` (then ``problem`` says why)."""

    sid: str
    text: str
    status: str
    url: str = ""
    problem: str = ""


def transcribable(duration: float) -> bool:
    return MIN_SECONDS < duration < MAX_SECONDS


def transcribe(
    recording: Recording,
    provider: RecognizerProvider | None,
    audio: bool,
    spoken: list[str],
    punctuate: bool = False,
) -> Transcript:
    """Transcribe ``recording``: its audio when the caller sent some (``audio``), else the ``spoken`` text.

    Never raises: a recogniser that is missing or fails gives a ``failed`` transcript saying why.
    """
    sid = new_sid("TR")
    if audio:
        if provider is None or recording.path is None:
            return Transcript(sid, "", "failed", problem="no speech recogniser is available to transcribe it")
        try:
            events = wav_feeder(provider)(str(recording.path), LANGUAGE, None, None)
        except Exception as exc:  # no model, an unreadable file, a recogniser error: the transcription failed
            return Transcript(sid, "", "failed", problem=f"{type(exc).__name__}: {exc}")
        text = " ".join(e.text for _, e in events if isinstance(e, SpeechFinal) and e.text.strip())
    else:
        text = " ".join(t.strip() for t in spoken if t.strip())
    if punctuate:
        text = punctuate_text(text)
    url = ""
    if recording.path is not None:
        path = Path(recording.path).with_name(f"{sid}.txt")
        write_text_atomic(path, text + "\n")
        url = path.as_uri()
    return Transcript(sid, text, "completed", url)


def callback_params(transcript: Transcript, recording: Recording) -> dict[str, str]:
    """What ``transcribeCallback`` gets besides the call's standard parameters."""
    return {
        "TranscriptionSid": transcript.sid,
        "TranscriptionText": transcript.text,
        "TranscriptionStatus": transcript.status,
        "TranscriptionUrl": transcript.url,
        "RecordingSid": recording.sid,
        "RecordingUrl": recording.url,
    }
