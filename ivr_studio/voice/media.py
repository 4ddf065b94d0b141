"""``<Play>`` media decoding: WAV (PCM, μ-law, A-law), MP3, FLAC, Ogg Vorbis and raw/AU μ-law to 16 kHz mono.

miniaudio (pip-only, no ffmpeg) decodes the container formats and resamples; headerless μ-law
(``audio/ulaw``, ``audio/basic``) and Sun AU files are handled here with numpy. The content type decides
for headerless data; for everything else the bytes themselves are sniffed, because servers often send
``application/octet-stream`` or a wrong type. Anything else raises :class:`MediaError` naming the problem.
"""

from __future__ import annotations

import struct

import miniaudio
import numpy as np

from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip
from ivr_studio.voice.pcm import MAX_AUDIO_SECONDS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, mulaw_decode, resample

#: Content types Twilio documents for ``<Play>`` that we cannot decode offline.
_UNSUPPORTED = {"audio/aiff", "audio/x-aiff", "audio/x-aifc", "audio/gsm", "audio/x-gsm"}
_MULAW_TYPES = {"audio/ulaw", "audio/x-ulaw", "audio/mulaw", "audio/x-mulaw", "audio/basic", "audio/pcmu"}
#: Sample rates accepted in a headerless μ-law content type's ``rate`` parameter (Hz).
_MULAW_RATES = range(MIN_SAMPLE_RATE, MAX_SAMPLE_RATE + 1)
_INFO = {"wav": miniaudio.wav_get_info, "flac": miniaudio.flac_get_info, "mp3": miniaudio.mp3_get_info,
         "ogg": miniaudio.vorbis_get_info}


class MediaError(ValueError):
    """The media could not be decoded; the message says why (type, size, what was found)."""


def _params(content_type: str) -> tuple[str, dict[str, str]]:
    main, *rest = (content_type or "").split(";")
    params: dict[str, str] = {}
    for item in rest:
        key, _, value = item.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), params


def _mulaw_rate(main: str, params: dict[str, str]) -> int:
    """The ``rate`` parameter of a headerless μ-law content type (8000 when absent)."""
    text = params.get("rate", "8000")
    rate = int(text) if text.isascii() and text.isdigit() else None
    if rate is None or rate not in _MULAW_RATES:
        raise MediaError(
            f"bad sample rate {text!r} in content type {main};rate={text}: expected a whole number of Hz "
            f"between {_MULAW_RATES.start} and {_MULAW_RATES.stop - 1}, such as 8000"
        )
    return rate


def _sniff(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b".snd":
        return "au"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] in (b"FORM",):
        return "aiff"
    return None


def _check_length(kind: str, rate: int, seconds: float, max_seconds: float) -> None:
    """MediaError for a rate outside 4–192 kHz or media longer than ``max_seconds`` (checked from the
    header, before anything is decoded: a 1 Hz header makes a few kB last hours once resampled)."""
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise MediaError(
            f"{kind} audio at {rate:,} Hz: only {MIN_SAMPLE_RATE:,}–{MAX_SAMPLE_RATE:,} Hz can be played"
        )
    if seconds > max_seconds:
        raise MediaError(f"{kind} audio of {seconds:,.0f} s is longer than the {max_seconds:,g} s allowed")


def _decode_au(data: bytes, max_seconds: float = MAX_AUDIO_SECONDS) -> AudioClip:
    if len(data) < 24:
        raise MediaError("truncated AU header")
    offset, size, encoding, rate, channels = struct.unpack(">5I", data[4:24])
    body = data[offset:] if size == 0xFFFFFFFF else data[offset : offset + size]
    width = 1 if encoding == 1 else 2
    _check_length("AU", rate, len(body) / (width * max(channels, 1) * max(rate, 1)), max_seconds)
    if encoding == 1:
        pcm = mulaw_decode(body)
    elif encoding == 3:
        pcm = np.frombuffer(body[: len(body) - len(body) % 2], dtype=">i2").astype("<i2").tobytes()
    else:
        raise MediaError(f"AU encoding {encoding} is not supported (only 8-bit μ-law and 16-bit PCM)")
    if channels > 1:
        samples = np.frombuffer(pcm, dtype="<i2")
        samples = samples[: samples.size - samples.size % channels].reshape(-1, channels)
        pcm = samples.mean(axis=1).astype("<i2").tobytes()
    return AudioClip(resample(pcm, rate), SAMPLE_RATE)


def _decode_miniaudio(data: bytes, kind: str, max_seconds: float = MAX_AUDIO_SECONDS) -> AudioClip:
    try:
        info = _INFO[kind.lower()](data)
    except miniaudio.DecodeError as exc:
        raise MediaError(f"could not decode {kind} data ({len(data)} bytes): {exc}") from exc
    _check_length(kind, info.sample_rate, info.duration, max_seconds)
    try:
        decoded = miniaudio.decode(
            data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SAMPLE_RATE
        )
    except miniaudio.DecodeError as exc:
        raise MediaError(f"could not decode {kind} data ({len(data)} bytes): {exc}") from exc
    pcm = decoded.samples.tobytes()
    if not pcm:
        raise MediaError(f"{kind} data decoded to no audio ({len(data)} bytes)")
    return AudioClip(pcm, SAMPLE_RATE)


class MediaFileDecoder:
    """Implements ``MediaDecoder``: bytes + content type -> 16 kHz mono clip, or :class:`MediaError`.

    Media longer than ``max_seconds``, or at a rate outside 4–192 kHz, is refused from its header.
    """

    def __init__(self, max_seconds: float = MAX_AUDIO_SECONDS) -> None:
        self.max_seconds = max_seconds

    def decode(self, data: bytes, content_type: str = "") -> AudioClip:
        main, params = _params(content_type)
        if not data:
            raise MediaError(f"empty media body (content type {main or 'unknown'})")
        kind = _sniff(data)
        if kind == "au":
            return _decode_au(data, self.max_seconds)
        if kind == "aiff" or (kind is None and main in _UNSUPPORTED):
            raise MediaError(f"{main or 'AIFF'} audio is not supported offline; use WAV or MP3")
        if kind is None and main in _MULAW_TYPES:
            rate = _mulaw_rate(main, params)
            _check_length("μ-law", rate, len(data) / rate, self.max_seconds)
            return AudioClip(resample(mulaw_decode(data), rate), SAMPLE_RATE)
        if kind is None:
            head = data[:16].hex(" ")
            raise MediaError(
                f"unrecognised media (content type {main or 'none'}, {len(data)} bytes, starts {head})"
            )
        return _decode_miniaudio(data, kind.upper(), self.max_seconds)


def decode_media(data: bytes, content_type: str = "") -> AudioClip:
    """Convenience wrapper around :meth:`MediaFileDecoder.decode`."""
    return MediaFileDecoder().decode(data, content_type)
