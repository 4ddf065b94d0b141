"""Recordings of a call (``<Record>``, ``<Dial record>``): their files and their recording status callbacks.

A recording is written as a 16 kHz WAV file in the recordings directory (setting ``recordings_dir``, else a
temporary directory for the process); its ``RecordingUrl`` is the file's ``file://`` URL, which a local
handler can open. The file is written atomically, so a handler never reads half a recording.

``recordingStatusCallback`` reports a recording's life to the app: ``in-progress`` when it starts,
``completed`` when the file is ready, ``absent`` when there is nothing to keep (only ``completed`` unless
``recordingStatusCallbackEvent`` names others). Its parameters are only those Twilio documents for it —
AccountSid, CallSid, RecordingSid, RecordingUrl, RecordingStatus, RecordingDuration, RecordingChannels,
RecordingSource (and RecordingStartTime for ``<Dial>``) — not the whole set of call parameters.
"""

from __future__ import annotations

import io
import math
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from ivr_studio.files.atomic import write_bytes_atomic
from ivr_studio.runtime.activity import CallContext
from ivr_studio.runtime.params import new_sid
from ivr_studio.runtime.status_callbacks import parse_events
from ivr_studio.runtime.urls import resolve
from ivr_studio.voice.interfaces import AudioClip

RECORDING_EVENTS = ("in-progress", "completed", "absent")
_TEMP_DIR: Path | None = None


def recordings_dir(configured: str | None) -> Path:
    """Where recordings go: the configured folder, else one temporary folder per process."""
    global _TEMP_DIR
    if configured:
        path = Path(configured)
    else:
        if _TEMP_DIR is None:
            _TEMP_DIR = Path(tempfile.mkdtemp(prefix="ivr-studio-recordings-"))
        path = _TEMP_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Recording:
    """A finished recording: its SID, file URL, duration in whole seconds and channel count."""

    sid: str
    url: str
    duration: int
    channels: int = 1
    path: Path | None = None

    def action_params(self) -> dict[str, str]:
        return {"RecordingUrl": self.url, "RecordingDuration": str(self.duration), "RecordingSid": self.sid}


def recording_seconds(seconds: float) -> int:
    """Twilio reports a recording's length in whole seconds, at least 1."""
    return max(1, math.ceil(seconds - 1e-9))


def save_recording(
    configured_dir: str | None,
    clip: AudioClip,
    *,
    channels: int = 1,
    sid: str = "",
    duration: int | None = None,
) -> Recording:
    """Write ``clip`` as a WAV (its mono audio copied to every channel) and describe it; ``duration`` is the
    length to report when it is not the clip's (trimmed silence)."""
    sid = sid or new_sid("RE")
    path = recordings_dir(configured_dir) / f"{sid}.wav"
    pcm = clip.pcm
    if channels > 1:
        frames = [pcm[i : i + 2] for i in range(0, len(pcm) - 1, 2)]
        pcm = b"".join(f * channels for f in frames)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(clip.sample_rate)
        w.writeframes(pcm)
    write_bytes_atomic(path, out.getvalue())
    seconds = recording_seconds(clip.duration) if duration is None else duration
    return Recording(sid, path.as_uri(), seconds, channels, path)


class RecordingCallbacks:
    """One recording's ``recordingStatusCallback`` (attributes read from the verb), or nothing without one.

    ``source`` is ``RecordVerb``, ``DialVerb`` or ``Conference``; ``element`` names the TwiML in warnings. A bad
    event name is warned about and ignored.
    """

    def __init__(self, call: CallContext, attrs: dict, source: str, element: str = "") -> None:
        self.call = call
        self.source = source
        self.element = element or f"<{source[:-4]}>"
        url = attrs.get("recordingStatusCallback")
        self.url = resolve(call.doc_url, url) if url else None
        self.method = attrs.get("recordingStatusCallbackMethod") or "POST"
        self.events = frozenset({"completed"})
        raw = attrs.get("recordingStatusCallbackEvent")
        if raw:
            try:
                self.events = parse_events(raw, RECORDING_EVENTS, "recordingStatusCallbackEvent")
            except ValueError as exc:
                call.warn("12200", f"{self.element} {exc}; only 'completed' is reported")
        self.started_at: str | None = None

    def in_progress(self, sid: str) -> None:
        self.started_at = self.call.wall.timestamp()
        self._send("in-progress", {"RecordingSid": sid, "RecordingUrl": "", "RecordingDuration": "-1"})

    def completed(self, recording: Recording, extra: dict[str, str] | None = None) -> None:
        self._send(
            "completed",
            {
                "RecordingSid": recording.sid,
                "RecordingUrl": recording.url,
                "RecordingDuration": str(recording.duration),
                "RecordingChannels": str(recording.channels),
                **(extra or {}),
            },
        )

    def absent(self, sid: str, error_code: str) -> None:
        """No recording to keep (``error_code`` 16102 silent, 16101 too short)."""
        self._send(
            "absent",
            {"RecordingSid": sid, "RecordingUrl": "", "RecordingDuration": "0", "ErrorCode": error_code},
        )

    def _send(self, status: str, fields: dict[str, str]) -> None:
        if self.url is None or status not in self.events:
            return
        caller = {} if "ConferenceSid" in fields else {"CallSid": self.call.identity.call_sid}
        params = {
            "AccountSid": self.call.identity.account_sid,
            **caller,
            **fields,
            "RecordingStatus": status,
            "RecordingSource": self.source,
        }
        params.setdefault("RecordingChannels", "1")
        if self.source in ("DialVerb", "Conference"):
            params["RecordingStartTime"] = self.started_at or self.call.wall.timestamp()
        self.call.send_callback(
            self.url, self.method, params, kind="recordingStatusCallback", with_call_params=False, keep=True
        )
