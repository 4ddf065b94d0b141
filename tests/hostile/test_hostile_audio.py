"""Audio from outside: WAV headers that claim absurd rates or lengths, sparse multi-gigabyte files, and
<Play> media that would decode to hours of samples. Refused from the header, before samples are read."""

from __future__ import annotations

import io
import struct
import wave

import pytest
from hostile_flows import tiny_flow_text


def wav_bytes(rate: int = 16_000, seconds: float = 0.5, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * channels * int(rate * seconds))
    return buf.getvalue()


def with_rate(data: bytes, rate: int) -> bytes:
    """The same WAV with another rate in its header (and the byte rate to match)."""
    channels = struct.unpack_from("<H", data, 22)[0]
    return data[:24] + struct.pack("<II", rate, (rate * 2 * channels) % 2**32) + data[32:]


def sparse_wav(path, size: int) -> None:
    """A WAV whose data chunk claims ``size`` bytes of 16 kHz samples, stored as a sparse file."""
    header = wav_bytes(seconds=0)
    header = header[:4] + struct.pack("<I", 36 + size) + header[8:40] + struct.pack("<I", size)
    with open(path, "wb") as fh:
        fh.write(header)
        fh.truncate(len(header) + size)


def _call(hostile, *extra: str, memory_mb: int = 600):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("script.yaml", "steps: [{wait_for: listening}, {say_wav: caller.wav}]\n")
    return hostile.run("call", "menu.ivrflow", "--script", "script.yaml", "--quiet", *extra, memory_mb=memory_mb)


@pytest.mark.parametrize("rate", [1, 3_999, 192_001, 2_000_000_000])
def test_a_say_wav_with_an_absurd_sample_rate_is_refused(hostile, rate):
    hostile.write("caller.wav", with_rate(wav_bytes(seconds=2), rate))
    _call(hostile).fails(2, f"caller.wav has a sample rate of {rate:,} Hz; audio must be 4,000–192,000 Hz")


def test_a_say_wav_longer_than_the_call_is_refused(hostile):
    hostile.write("caller.wav", wav_bytes(seconds=12))
    _call(hostile, "--max-duration", "10").fails(2, "caller.wav lasts 12 s, longer than the 10 s allowed here")


def test_a_sparse_2_gib_wav_is_refused_from_its_header_in_little_memory(hostile):
    sparse_wav(hostile.path("caller.wav"), 2 * 1024**3 - 64)
    run = _call(hostile, memory_mb=400)
    run.fails(2, "caller.wav lasts 67,109 s, longer than the 600 s allowed here")


def test_a_raw_file_longer_than_allowed_is_refused(hostile):
    with open(hostile.path("caller.raw"), "wb") as fh:
        fh.truncate(2 * 16_000 * 20)
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("script.yaml", "steps: [{wait_for: listening}, {say_wav: caller.raw}]\n")
    hostile.run("call", "menu.ivrflow", "--script", "script.yaml", "--quiet", "--max-duration", "5").fails(
        2, "caller.raw lasts 20 s, longer than the 5 s allowed here"
    )


def test_an_8_bit_wav_is_refused_with_a_clear_message(hostile):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(8000)
        w.writeframes(b"\x80" * 8000)
    hostile.write("caller.wav", buf.getvalue())
    _call(hostile).fails(2, "caller.wav: only 16-bit PCM WAV files are supported (got 8-bit)")


DECODE = """
from ivr_studio.voice.media import MediaError, MediaFileDecoder
data = open("media.bin", "rb").read()
try:
    clip = MediaFileDecoder(max_seconds={max_seconds}).decode(data, "{content_type}")
    print("decoded", round(clip.duration, 2))
except MediaError as exc:
    print("error:", exc, file=sys.stderr)
    sys.exit(1)
"""


@pytest.mark.parametrize(
    ("media", "content_type", "message"),
    [
        (with_rate(wav_bytes(seconds=1), 1), "audio/wav", "WAV audio at 1 Hz: only 4,000–192,000 Hz can be played"),
        (wav_bytes(seconds=30), "audio/wav", "WAV audio of 30 s is longer than the 10 s allowed"),
        (b"\x7f" * 200_000, "audio/ulaw", "μ-law audio of 25 s is longer than the 10 s allowed"),
        (b"\x7f" * 2_000, "audio/ulaw;rate=1", "bad sample rate '1'"),
        (
            b".snd" + struct.pack(">5I", 24, 0xFFFFFFFF, 1, 1, 1) + b"\xff" * 4000,
            "audio/basic",
            "AU audio at 1 Hz",
        ),
    ],
)
def test_media_that_would_decode_to_hours_is_refused_from_its_header(hostile, media, content_type, message):
    hostile.write("media.bin", media)
    run = hostile.run_python(DECODE.format(max_seconds=10, content_type=content_type), memory_mb=500)
    run.fails(1, message)


def test_ordinary_media_still_decodes(hostile):
    hostile.write("media.bin", wav_bytes(rate=8000, seconds=2))
    run = hostile.run_python(DECODE.format(max_seconds=10, content_type="audio/wav")).succeeds()
    assert "decoded 2.0" in run.stdout
