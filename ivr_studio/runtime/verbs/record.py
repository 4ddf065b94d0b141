"""``<Record>`` (spec §4.8): beep, record the caller until silence, a key, ``maxLength`` or hang-up.

What is "recorded" is the caller audio posted as ``CallerAudio`` events; a scripted caller who only speaks
text is recorded as silence of the same length. The file and ``recordingStatusCallback`` are described in
:mod:`ivr_studio.runtime.recordings`; ``transcribe="true"`` in :mod:`ivr_studio.runtime.transcription`. A
recording without any caller speech is *empty*: no action request, execution falls through to the next verb
(§4.8), and a recording status callback subscribed to ``absent`` hears of it.
"""

from __future__ import annotations

from lxml import etree

from ivr_studio.runtime import codes
from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.audio import silence
from ivr_studio.runtime.callbacks import Background
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import CallerAudio, Dtmf, Event, SpeechEnded, SpeechFinal, SpeechStarted
from ivr_studio.runtime.params import new_sid
from ivr_studio.runtime.recordings import Recording, RecordingCallbacks, recording_seconds, save_recording
from ivr_studio.runtime.transcription import MAX_SECONDS, callback_params, transcribable, transcribe
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.rules import read_verb
from ivr_studio.voice.interfaces import AudioClip

#: Twilio's maxLength when ``transcribe="true"`` and no maxLength is written (Record docs).
TRANSCRIBED_MAX_LENGTH = MAX_SECONDS
#: Twilio's error code of an absent recording that was silent.
SILENT_RECORDING = "16102"


class RecordActivity:
    """One running ``<Record>``: the beep, then the recording until it ends, then its action request."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)
        self.sid = new_sid("RE")
        self.callbacks = RecordingCallbacks(call, self.attrs.values, "RecordVerb")
        self.spoken: list[str] = []  # text of the caller's utterances (a scripted say)
        self.audio = False  # the caller sent real audio (not only text)
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
        self.callbacks.in_progress(self.sid)
        self._silence_timer()
        max_length = self.attrs["maxLength"]
        if self.attrs["transcribe"] and not self.attrs.has("maxLength"):
            max_length = TRANSCRIBED_MAX_LENGTH
        self.max_timer = self.call.clock.call_later(max_length, lambda: self._end(""))

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
        return isinstance(event, (SpeechStarted, SpeechEnded, SpeechFinal, CallerAudio))

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
        elif isinstance(event, SpeechFinal):
            if event.text.strip():
                self.spoken.append(event.text)
        elif isinstance(event, CallerAudio):
            self.sample_rate = event.sample_rate
            self.pcm += event.pcm
            if any(event.pcm[i] or event.pcm[i + 1] for i in range(0, len(event.pcm) - 1, 2)):
                self.heard = self.audio = True

    def stop(self) -> None:
        self.done = True
        for t in (self.timer, self.max_timer):
            if t:
                t.cancel()

    def on_caller_hangup(self) -> None:
        """The recording ends with the hang-up: its action request is still sent (Digits=hangup), its
        response ignored, as the call is over."""
        if self.recording and not self.done and self.heard:
            recording, params = self._finish("hangup")
            self.stop()
            url = resolve(self.call.doc_url, self.attrs["action"] or "")
            self.call.send_callback(url, self.attrs["method"], params, kind="action", keep=True)
            self._transcribe(recording)

    def _finish(self, digits: str) -> tuple[Recording, dict[str, str]]:
        """Save the recording and report it (trace, recording status); the action request's parameters."""
        now = self.call.clock.now()
        end = now
        if self.attrs["trim"] == "trim-silence" and self.last_speech_end is not None and not self.speaking:
            end = self.last_speech_end
        seconds = max(0.0, end - self.started_at)
        clip = AudioClip(bytes(self.pcm), self.sample_rate) if self.pcm else silence(seconds)
        recording = save_recording(
            self.call.settings.recordings_dir, clip, sid=self.sid, duration=recording_seconds(seconds)
        )
        self.call.trace.emit(
            "record", status="completed", duration=str(recording.duration), url=recording.url, digits=digits
        )
        self.callbacks.completed(recording)
        params = recording.action_params()
        if digits:
            params["Digits"] = digits
        return recording, params

    def _transcribe(self, recording: Recording) -> None:
        """With ``transcribe="true"``, transcribe off the clock's thread (seconds on a live call), after the
        action request as on Twilio; report to the trace and to ``transcribeCallback`` (always a POST)."""
        call = self.call
        if not self.attrs["transcribe"]:
            return
        if not transcribable(recording.duration):
            call.warn(
                codes.NOT_TRANSCRIBED,
                f"The recording lasts {recording.duration} s; Twilio transcribes only recordings longer than "
                "2 s and shorter than 120 s, so it was not transcribed",
            )
            return
        provider, audio, spoken = call.voice.recognizers, self.audio, list(self.spoken)
        punctuate = call.settings.punctuate_speech
        callback = self.attrs["transcribeCallback"]
        url = resolve(call.doc_url, callback) if callback else None
        base = call.params()

        def job(background: Background) -> None:
            transcript = transcribe(recording, provider, audio, spoken, punctuate)
            if transcript.problem:
                background.warn(codes.TRANSCRIPTION_FAILED, f"Transcription failed: {transcript.problem}")
            background.emit(
                "transcription",
                status=transcript.status,
                text=transcript.text,
                sid=transcript.sid,
                recording_sid=recording.sid,
            )
            if url:
                params = {**base, **callback_params(transcript, recording)}
                background.send(url, "POST", params, kind="transcribeCallback")

        call.in_background(job)

    def _end(self, key: str) -> None:
        if self.done:
            return
        self.stop()
        if not self.heard:
            self.call.trace.emit("record", status="empty", duration="0", url=None, digits=key)
            self.callbacks.absent(self.sid, SILENT_RECORDING)
            self.call.verb_done(self, None)  # §4.8: an empty recording falls through
            return
        recording, params = self._finish(key)
        url = resolve(self.call.doc_url, self.attrs["action"] or "")
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))
        self._transcribe(recording)
