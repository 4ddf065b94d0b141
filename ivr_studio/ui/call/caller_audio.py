"""The caller's sound in a test call: the microphone, key tones, WAV files and where their audio goes.

The microphone opens by itself while the call listens — a speech Gather (its audio goes through the
recogniser, see :mod:`.speech`), a keys-only Gather (a phone's keypad held to the microphone, see
:mod:`.audio_worker`) or a ``<Record>`` (its audio is the recording, see :mod:`.recording`) — and while the
user holds "Hold to talk" (or Space). With push-to-talk on, only holding it opens the microphone. While a
WAV file is being spoken it stands in for the microphone. A key pressed on screen plays its tone on the
speaker, and the microphone ignores that tone's echo for a moment.

:class:`CallerAudio` is driven by the :class:`~.controller.CallController` (the call started, now listens
for this, the user talks …) and answers only through the callbacks it was given: the live call's event
queue, the call's report channel (speech results, levels, notices), the panel's notices and the
microphone's state. It never reaches back into the controller.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the audio and speech code loads with the first call, not with the editor
    from ivr_studio.runtime.clock import Clock
    from ivr_studio.ui.call.audio_worker import KeypadInput
    from ivr_studio.ui.call.recording import RecordingInput
    from ivr_studio.ui.call.speech import PacedAudio, SpeechConfig, SpeechReport, SpeechSession

#: How long an on-screen key's tone plays, and how long after it the microphone may still hear it.
KEY_TONE_SECONDS = 0.12
ECHO_SECONDS = 0.4

Report = Callable[["SpeechReport"], None]


class CallerAudio:
    """The caller's microphone, key tones and WAV files, and the session their audio goes to.

    ``available``: whether a microphone and speaker are there; ``running``: whether a call is running;
    ``provider``: the recogniser provider; ``poster``: the running call's function that puts an event on
    its queue; ``reporter``: a report function for the current call (reports of a replaced call are
    dropped by it); ``call_clock``: the running call's clock, which dates the caller's audio (a Record
    subtracts how long ago speech ended from the call's time) and paces a WAV spoken into the call;
    ``notice``: something the user should know; ``microphone_changed``: the microphone opened or closed.
    """

    def __init__(
        self,
        *,
        available: Callable[[], bool],
        running: Callable[[], bool],
        provider: Callable[[], Any],
        poster: Callable[[], Callable[[Any], None]],
        reporter: Callable[[], Report],
        call_clock: Callable[[], Clock],
        notice: Callable[[str], None],
        microphone_changed: Callable[[bool], None],
    ) -> None:
        self._available = available
        self._running = running
        self._provider = provider
        self._poster = poster
        self._call_clock = call_clock
        self._reporter = reporter
        self._notice = notice
        self._microphone_changed = microphone_changed
        self.input_device: int | None = None
        self.output_device: int | None = None
        self.phone_fidelity = False
        self._push_to_talk = False
        self._speech_config: SpeechConfig | None = None
        self._session: SpeechSession | RecordingInput | KeypadInput | None = None
        self._listening: str | None = None  # what the call listens for: "speech", "keys", "record" or None
        self._echo: tuple[str, float] = ("", 0.0)  # the key tone we played, and until when it may echo back
        self._paced: PacedAudio | None = None  # the WAV being spoken; the microphone is muted while it plays
        self._microphone: Any = None
        self._talking = False
        self._tone: Any = None  # the key tone playing (a StreamPlayback)

    # ----- state -----
    @property
    def push_to_talk(self) -> bool:
        """On: only holding "Hold to talk" opens the microphone. Off: it also opens while the call listens."""
        return self._push_to_talk

    @push_to_talk.setter
    def push_to_talk(self, on: bool) -> None:
        self._push_to_talk = bool(on)
        self._sync_microphone()

    @property
    def microphone_open(self) -> bool:
        return self._microphone is not None

    # ----- what the call does -----
    def prepare(self, languages: set[str]) -> None:
        """Load and warm the recognisers the flow's speech Gathers will need, in the background, so the
        caller's first words are not recognised by a cold engine (a vosk model takes seconds)."""
        prepare = getattr(self._provider(), "prepare", None)
        if prepare is None or not languages:
            return

        def work() -> None:
            for language in sorted(languages):
                with contextlib.suppress(Exception):  # no model: the Gather itself says so when it listens
                    prepare(language)

        threading.Thread(target=work, name="ivr-speech-prepare", daemon=True).start()

    def gather_started(self, attributes: dict) -> None:
        """A Gather listens: for speech (the recogniser, loading its model while the prompt plays) or keys."""
        if "speech" not in str(attributes.get("input", "dtmf")):
            self.listen("keys")  # a phone's keypad held to the microphone
            return
        from ivr_studio.ui.call.speech import SpeechConfig

        self._speech_config = SpeechConfig.from_gather(attributes, self.phone_fidelity)
        self.listen("speech")

    def gather_ended(self) -> None:
        self._speech_config = None
        self.listen(None)

    def listen(self, what: str | None) -> None:
        """The call now listens for ``what`` ("speech", "keys", "record" or nothing): a fresh session."""
        self._close_session()
        self._listening = what
        if what is not None or (self._talking and self._running()):
            self._ensure_session()
        self._sync_microphone()

    def close_speech(self) -> None:
        """The call stopped listening for good (it ended): the session and the microphone close."""
        self._listening = None
        self._close_session()
        self._close_microphone()

    def stop(self) -> None:
        """Everything off: the session, the microphone and a key tone still playing."""
        self.close_speech()
        self._stop_tone()
        self._speech_config = None

    # ----- what the user does -----
    def play_tone(self, key: str) -> None:
        """Play ``key``'s tone on the speaker (one at a time); its echo is not taken for a key press."""
        if not self._available():
            return
        from ivr_studio.voice.devices import SpeakerSink
        from ivr_studio.voice.dtmf import tones

        self._stop_tone()  # one tone at a time: a quick key press cuts the previous one off
        with contextlib.suppress(Exception):  # a key tone that fails to play is not worth a message
            self._tone = SpeakerSink(self.output_device).play(
                tones(key, tone_seconds=KEY_TONE_SECONDS, gap_seconds=0.0)
            )
            self._echo = (key, time.monotonic() + KEY_TONE_SECONDS + ECHO_SECONDS)

    def speak_wav(self, path: str | Path) -> float:
        """Speak a WAV file into the call in real time, as the caller's voice; returns its length (s).

        In a speech Gather it goes through the recogniser; in a ``<Record>`` it is what gets recorded. The
        microphone is muted while it plays, so the two do not mix.
        """
        from ivr_studio.ui.call.speech import PacedAudio, wav_pcm

        pcm = wav_pcm(path)
        if not self._running():
            return 0.0
        self._ensure_session()
        if self._paced is not None:
            self._paced.stop()
        # paced by the call's clock: in step with call time (which dates the audio), on the call's thread
        self._paced = PacedAudio(pcm, self._feed_wav, clock=self._call_clock())
        self._paced.start()
        return self._paced.duration

    def talk(self, down: bool) -> None:
        """Hold to talk: while held, the microphone is open and its audio reaches the call; release ends
        the caller's speech (and closes the microphone unless the call is listening without push-to-talk)."""
        if down == self._talking:
            return
        self._talking = down
        if down:
            if self._running():
                self._ensure_session()
        elif self._session is not None:
            self._session.end_utterance()
        self._sync_microphone()

    # ----- plumbing -----
    def _stop_tone(self) -> None:
        tone, self._tone = self._tone, None
        if tone is not None:
            with contextlib.suppress(Exception):
                tone.stop()

    def _feed_wav(self, pcm: bytes) -> None:
        """A frame of the WAV being spoken (the call's thread); goes to whichever session is current."""
        session = self._session
        if session is not None:
            session.feed(pcm)

    def _ensure_session(self) -> SpeechSession | RecordingInput | KeypadInput:
        """The session the caller's audio goes to: the recording's during a Record, else the recogniser's."""
        if self._session is None:
            from ivr_studio.ui.call.audio_worker import KeypadInput
            from ivr_studio.ui.call.recording import RecordingInput
            from ivr_studio.ui.call.speech import SpeechConfig, SpeechSession

            report, post, now = self._reporter(), self._poster(), self._call_clock().now
            keys = self._not_our_own_tone
            if self._listening == "record":
                self._session = RecordingInput(post, report, now=now, key_filter=keys)
            elif self._listening == "keys":
                self._session = KeypadInput(post, report, now=now, key_filter=keys)
            else:
                config = self._speech_config or SpeechConfig(phone_fidelity=self.phone_fidelity)
                self._session = SpeechSession(self._provider(), config, post, report, now=now, key_filter=keys)
        return self._session

    def _not_our_own_tone(self, key: str) -> bool:
        """False for a key tone the microphone picked up from our own speaker (an on-screen key press)."""
        echo_key, until = self._echo
        return not (key == echo_key and time.monotonic() < until)

    def _on_frame(self, pcm: bytes) -> None:
        """A microphone frame (PortAudio's thread): only queued, never processed here."""
        paced = self._paced
        if paced is not None and paced.playing:
            return  # a WAV file is speaking for the caller
        session = self._session
        if session is not None and (self._talking or not self._push_to_talk):
            session.feed(pcm)

    def _sync_microphone(self) -> None:
        """Open the microphone while the user talks or (without push-to-talk) the call listens; else close."""
        wanted = self._running() and (
            self._talking or (self._listening is not None and not self._push_to_talk)
        )
        if wanted:
            self._open_microphone()
        else:
            self._close_microphone()

    def _open_microphone(self) -> None:
        if not self._available() or self._microphone is not None:
            return
        from ivr_studio.voice.devices import Microphone

        mic = Microphone(self._on_frame, device=self.input_device)
        try:
            mic.start()
        except Exception as exc:
            self._notice(f"The microphone could not be opened: {exc}")
            return
        self._microphone = mic
        self._microphone_changed(True)

    def _close_microphone(self) -> None:
        if self._microphone is not None:
            with contextlib.suppress(Exception):
                self._microphone.stop()
            self._microphone = None
            self._microphone_changed(False)

    def _close_session(self) -> None:
        """The call stopped (or changed how it is) listening: end the WAV being spoken and the session."""
        if self._paced is not None:
            self._paced.stop()
            self._paced = None
        if self._session is not None:
            self._session.close()
            self._session = None
