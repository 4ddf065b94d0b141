"""Small PCM helpers shared by the voice adapters: s16le <-> numpy, resampling, μ-law, WAV files, levels.

Everything that crosses :mod:`ivr_studio.voice.interfaces` is 16-bit signed little-endian mono PCM; these
helpers keep the conversions in one place so each adapter stays about its own engine.
"""

from __future__ import annotations

import math
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from ivr_studio.files import InputFileError, open_bounded, read_bytes
from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip

#: Level reported for digital silence, in dBFS (RMS of an all-zero frame is -inf).
SILENCE_DBFS = -120.0


def to_array(pcm: bytes) -> np.ndarray:
    """s16le bytes -> float32 samples in [-1, 1)."""
    return np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32) / 32768.0


def to_pcm(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] -> s16le bytes (clipped, rounded)."""
    clipped = np.clip(np.asarray(samples, dtype=np.float64) * 32768.0, -32768, 32767)
    return np.round(clipped).astype("<i2").tobytes()


def resample(pcm: bytes, from_rate: int, to_rate: int = SAMPLE_RATE) -> bytes:
    """Resample a whole piece of mono s16le audio (soxr, high quality)."""
    if from_rate == to_rate or not pcm:
        return pcm
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
    return np.asarray(soxr.resample(samples, from_rate, to_rate, quality="HQ"), dtype="<i2").tobytes()


class StreamResampler:
    """Resamples a stream of mono s16le blocks (a microphone's), keeping the filter's state across blocks.

    Resampling each 20 ms block on its own restarts the filter every block: at 48 kHz that gave a click
    every 20 ms and 321 samples per 320, so audio time ran 0.3 % fast. soxr's stream keeps its history; its
    output trails the input by the filter's delay (a few ms) and :meth:`flush` returns what is still in it.
    """

    def __init__(self, from_rate: int, to_rate: int = SAMPLE_RATE) -> None:
        self.from_rate, self.to_rate = from_rate, to_rate
        self._stream = (
            None
            if from_rate == to_rate
            else soxr.ResampleStream(from_rate, to_rate, 1, dtype="int16", quality="HQ")
        )

    def __call__(self, pcm: bytes) -> bytes:
        if self._stream is None:
            return pcm
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
        return np.asarray(self._stream.resample_chunk(samples), dtype="<i2").tobytes()

    def flush(self) -> bytes:
        if self._stream is None:
            return b""
        return np.asarray(
            self._stream.resample_chunk(np.zeros(0, dtype="<i2"), last=True), dtype="<i2"
        ).tobytes()


def rms_dbfs(pcm: bytes) -> float:
    """The RMS level of a frame in dBFS (0 dBFS = a full-scale square wave)."""
    samples = to_array(pcm)
    if samples.size == 0:
        return SILENCE_DBFS
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(SILENCE_DBFS, 20.0 * math.log10(rms)) if rms > 0 else SILENCE_DBFS


def silence(seconds: float, sample_rate: int = SAMPLE_RATE) -> bytes:
    return b"\x00\x00" * round(seconds * sample_rate)


# --- G.711 μ-law -------------------------------------------------------------------------------------------

_MULAW_BIAS = 0x84
_MULAW_CLIP = 32635


def _build_mulaw_decode_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + _MULAW_BIAS) << exponent) - _MULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_MULAW_TABLE = _build_mulaw_decode_table()


def mulaw_decode(data: bytes) -> bytes:
    """G.711 μ-law bytes -> s16le (same sample rate)."""
    return _MULAW_TABLE[np.frombuffer(data, dtype=np.uint8)].astype("<i2").tobytes()


def mulaw_encode(pcm: bytes) -> bytes:
    """s16le -> G.711 μ-law bytes (same sample rate), bit-exact with the ITU reference coder."""
    x = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.int32) >> 2  # 14-bit
    mask = np.where(x < 0, 0x7F, 0xFF)
    v = np.minimum(np.abs(x), _MULAW_CLIP >> 2) + (_MULAW_BIAS >> 2)
    segment = np.searchsorted(_MULAW_SEGMENTS, v)  # first segment whose end >= v
    mantissa = (v >> (np.minimum(segment, 7) + 1)) & 0x0F
    code = np.where(segment >= 8, 0x7F, (segment << 4) | mantissa)
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


_MULAW_SEGMENTS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


# --- WAV files ---------------------------------------------------------------------------------------------


#: Sample rates a caller's audio file or a <Play> medium may have (Hz): 4 kHz to 192 kHz. A header that
#: claims 1 Hz would make 64 kB of samples last nine hours once resampled to 16 kHz.
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 4_000, 192_000
#: The longest caller audio read when no shorter limit is given (one hour: 115 MB at 16 kHz).
MAX_AUDIO_SECONDS = 3_600.0
#: A WAV file's size is at most 4 GiB (its sizes are 32-bit); reads never go past that.
_WAV_READ_LIMIT = 4 * 1024**3


@dataclass(frozen=True)
class WavInfo:
    """A 16-bit PCM WAV file's header, checked: channels, sample rate and length in frames."""

    channels: int
    rate: int
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def check_sample_rate(rate: int, what: str) -> None:
    """ValueError unless ``rate`` is within :data:`MIN_SAMPLE_RATE`..:data:`MAX_SAMPLE_RATE`."""
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise ValueError(
            f"{what} has a sample rate of {rate:,} Hz; audio must be {MIN_SAMPLE_RATE:,}–{MAX_SAMPLE_RATE:,} Hz"
        )


def _checked(path: Path, w: wave.Wave_read, max_seconds: float) -> WavInfo:
    info = WavInfo(w.getnchannels(), w.getframerate(), w.getnframes())
    if w.getsampwidth() != 2:
        raise ValueError(f"{path.name}: only 16-bit PCM WAV files are supported (got {8 * w.getsampwidth()}-bit)")
    check_sample_rate(info.rate, path.name)
    if info.seconds > max_seconds:
        raise ValueError(
            f"{path.name} lasts {info.seconds:,.0f} s, longer than the {max_seconds:,g} s allowed here"
        )
    return info


def wav_info(path: str | Path, max_seconds: float = MAX_AUDIO_SECONDS) -> WavInfo:
    """Read and check only the header of a 16-bit PCM WAV file (nothing of its samples); ValueError naming the
    file when it is not one, has a rate outside 4–192 kHz, or lasts longer than ``max_seconds``."""
    path = Path(path)
    with open_bounded(path, _WAV_READ_LIMIT) as fh, wave.open(fh, "rb") as w:
        return _checked(path, w, max_seconds)


def read_wav(path: str | Path, max_seconds: float = MAX_AUDIO_SECONDS) -> AudioClip:
    """Read a 16-bit PCM WAV file as a 16 kHz mono clip (mixing down and resampling as it streams).

    The header is checked first (see :func:`wav_info`), so a file that claims hours of audio is refused
    before a sample is read, and the samples are read a second at a time: memory holds the result only.
    """
    path = Path(path)
    with open_bounded(path, _WAV_READ_LIMIT) as fh, wave.open(fh, "rb") as w:
        info = _checked(path, w, max_seconds)
        resampler = StreamResampler(info.rate)
        out = bytearray()
        while block := w.readframes(info.rate):
            if info.channels > 1:
                samples = np.frombuffer(block[: len(block) - len(block) % (2 * info.channels)], dtype="<i2")
                block = samples.reshape(-1, info.channels).mean(axis=1).astype("<i2").tobytes()
            out += resampler(block)
        out += resampler.flush()
    return AudioClip(bytes(out), SAMPLE_RATE)


def wav_pcm(path: str | Path, max_seconds: float = MAX_AUDIO_SECONDS) -> bytes:
    """16 kHz mono s16le of a caller's audio file: a 16-bit PCM WAV of any rate and channel count (mixed down
    and resampled, see :func:`read_wav`) or a headerless 16 kHz ``.raw`` file, at most ``max_seconds`` long.

    Any file that cannot be read raises ValueError naming the file and the reason.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".raw":
            return read_raw(path, max_seconds).pcm
        clip = read_wav(path, max_seconds)
    except InputFileError as exc:
        raise ValueError(f"cannot read {path.name}: {exc.problem}") from None
    except ValueError:
        raise
    except Exception as exc:  # wave.Error, EOFError …
        raise ValueError(f"{path.name} is not a WAV file this app can read: {exc}") from None
    return clip.pcm


def audio_seconds(path: str | Path, max_seconds: float = MAX_AUDIO_SECONDS) -> float:
    """How long a caller's audio file (WAV or 16 kHz ``.raw``) lasts, from its header or size; ValueError as
    :func:`wav_pcm` raises it, without reading the samples."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".raw":
            seconds = path.stat().st_size / (2 * SAMPLE_RATE)
            if seconds > max_seconds:
                raise ValueError(f"{path.name} lasts {seconds:,.0f} s, longer than the {max_seconds:,g} s allowed here")
            return seconds
        return wav_info(path, max_seconds).seconds
    except InputFileError as exc:
        raise ValueError(f"cannot read {path.name}: {exc.problem}") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    except ValueError:
        raise
    except Exception as exc:  # wave.Error, EOFError …
        raise ValueError(f"{path.name} is not a WAV file this app can read: {exc}") from None


def write_wav(path: str | Path, clip: AudioClip) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(clip.sample_rate)
        wav.writeframes(clip.pcm)


def read_raw(path: str | Path, max_seconds: float = MAX_AUDIO_SECONDS) -> AudioClip:
    """Read headerless 16 kHz mono s16le (the ``.raw`` files of pocketsphinx's test data), at most
    ``max_seconds`` of it (a longer file is an :class:`~ivr_studio.files.InputFileError`)."""
    return AudioClip(read_bytes(path, int(max_seconds * SAMPLE_RATE * 2)), SAMPLE_RATE)


def frames(pcm: bytes, frame_ms: int = 20, sample_rate: int = SAMPLE_RATE) -> list[bytes]:
    """Split PCM into frames of ``frame_ms`` (the last one may be shorter)."""
    size = sample_rate * frame_ms // 1000 * 2
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]
