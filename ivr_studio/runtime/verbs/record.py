"""``<Record>`` (spec §4.8): beep, record the caller until silence, a key, ``maxLength`` or hang-up.

What is "recorded" is the caller audio posted as ``CallerAudio`` events; a scripted caller who only speaks
text is recorded as silence of the same length. The recording is written as a 16 kHz WAV file in the
recordings directory (setting ``recordings_dir``, else a temporary directory) and ``RecordingUrl`` is its
``file://`` URL, which a local handler can open. A recording without any caller speech is *empty*: no action
request, execution falls through to the next verb (§4.8).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from lxml import etree

from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.audio import clip_to_wav, silence
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import CallerAudio, Dtmf, Event, SpeechEnded, SpeechStarted
from ivr_studio.runtime.params import new_sid
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.rules import read_verb
from ivr_studio.voice.interfaces import AudioClip

_TEMP_DIR: Path | None = None


def recordings_dir(configured: str | None) -> Path:
    global _TEMP_DIR
    if configured:
        path = Path(configured)
    else:
        if _TEMP_DIR is None:
            _TEMP_DIR = Path(tempfile.mkdtemp(prefix="ivr-studio-recordings-"))
        path = _TEMP_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


class RecordActivity:
    """One running ``<Record>``: the beep, then the recording until it ends, then its action request."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)
        self.recording = False
        self.done = False
        self.started_at = 0.0
        self.last_speech_end: float | None = None
        self.speaking = False
        self.heard = False
        self.pcm = bytearray()
        self.sample_rate = 16_000
        self.timer: TimerHandle | None = None
        self.max_timer: TimerHandle | None = None

    def start(self) -> None:
        for d in self.attrs.diagnostics:
            self.call.warn(d.code, d.message)
        if self.attrs["playBeep"]:
            self.call.trace.emit(
                "play", url=None, loop=1, duration=self.call.settings.beep_seconds, digits=None
            )
            self.timer = self.call.clock.call_later(self.call.settings.beep_seconds, self._begin)
        else:
            self._begin()

    def _begin(self) -> None:
        self.recording = True
        self.started_at = self.call.clock.now()
        self.call.trace.emit("record", status="recording", duration=None, url=None, digits=None)
        self._silence_timer()
        self.max_timer = self.call.clock.call_later(self.attrs["maxLength"], lambda: self._end(""))

    def _silence_timer(self, already: float = 0.0) -> None:
        """``timeout`` seconds of silence end the recording; ``already`` of them have passed."""
        if self.timer:
            self.timer.cancel()
        if self.attrs["timeout"] > 0:
            left = max(0.0, self.attrs["timeout"] - already)
            self.timer = self.call.clock.call_later(left, lambda: self._end(""))

    def wants(self, event: Event) -> bool:
        if self.done or not self.recording:
            return False
        if isinstance(event, Dtmf):
            return event.key in self.attrs["finishOnKey"]
        return isinstance(event, (SpeechStarted, SpeechEnded, CallerAudio))

    def on_event(self, event: Event) -> None:
        if isinstance(event, Dtmf):
            self._end(event.key)
        elif isinstance(event, SpeechStarted):
            self.heard = self.speaking = True
            if self.timer:
                self.timer.cancel()
        elif isinstance(event, SpeechEnded):
            self.speaking = False
            self.last_speech_end = max(self.started_at, self.call.clock.now() - event.ago)
            self._silence_timer(event.ago)
        elif isinstance(event, CallerAudio):
            self.sample_rate = event.sample_rate
            self.pcm += event.pcm
            if any(event.pcm[i] or event.pcm[i + 1] for i in range(0, len(event.pcm) - 1, 2)):
                self.heard = True

    def stop(self) -> None:
        self.done = True
        for t in (self.timer, self.max_timer):
            if t:
                t.cancel()

    def on_caller_hangup(self) -> None:
        if self.recording and not self.done and self.heard:
            params = self._finish_params("hangup")
            self.stop()
            url = resolve(self.call.doc_url, self.attrs["action"] or "")
            self.call.send_callback(url, self.attrs["method"], params)

    def _finish_params(self, digits: str) -> dict[str, str]:
        now = self.call.clock.now()
        end = now
        if self.attrs["trim"] == "trim-silence" and self.last_speech_end is not None and not self.speaking:
            end = self.last_speech_end
        seconds = max(0.0, end - self.started_at)
        clip = AudioClip(bytes(self.pcm), self.sample_rate) if self.pcm else silence(seconds)
        path = recordings_dir(self.call.settings.recordings_dir) / f"{new_sid('RE')}.wav"
        path.write_bytes(clip_to_wav(clip))
        duration = str(max(1, math.ceil(seconds)))
        self.call.trace.emit(
            "record", status="completed", duration=duration, url=path.as_uri(), digits=digits
        )
        params = {"RecordingUrl": path.as_uri(), "RecordingDuration": duration, "RecordingSid": path.stem}
        if digits:
            params["Digits"] = digits
        return params

    def _end(self, key: str) -> None:
        if self.done:
            return
        self.stop()
        if not self.heard:
            self.call.trace.emit("record", status="empty", duration="0", url=None, digits=key)
            self.call.verb_done(self, None)  # §4.8: an empty recording falls through
            return
        params = self._finish_params(key)

        url = resolve(self.call.doc_url, self.attrs["action"] or "")
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))
