"""Peak memory and time of IVR Studio refusing hostile inputs (the cases of issue #12), one process each.

Each case runs ``python -m ivr_studio ...`` in a fresh process on files made in a temporary folder and
prints the exit status, the wall time and the peak resident memory of that process (``ru_maxrss`` of the
child), next to a plain ``ivr-studio validate`` of the example flow for scale.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "resources" / "examples" / "support-line.ivrflow"


def _wav_header(size: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
    head = buf.getvalue()
    return head[:4] + struct.pack("<I", 36 + size) + head[8:40] + struct.pack("<I", size)


def _bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\nsteps:\n  - press: *i\n"


def _run(argv: list[str], cwd: Path) -> tuple[int, float, float]:
    """Exit status, wall seconds and peak resident MiB of one ``ivr-studio`` process (from its own rusage)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ivr_studio", *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "menu.ivrflow").write_text(EXAMPLE.read_text())
        with open(root / "huge.wav", "wb") as fh:
            fh.write(_wav_header(2 * 1024**3 - 64))
            fh.truncate(2 * 1024**3)  # sparse
        (root / "wav.yaml").write_text("steps: [{wait_for: listening}, {say_wav: huge.wav}]\n")
        (root / "bomb.yaml").write_text(_bomb())
        (root / "inf.json").write_text('{"steps": [{"say": "hi", "duration": 1e308}]}')
        with open(root / "big.ivrflow", "wb") as fh:
            fh.truncate(60 * 1024 * 1024)
        cases = [
            ("validate the example flow (for scale)", ["validate", "menu.ivrflow"]),
            ("validate /dev/zero", ["validate", "/dev/zero"]),
            ("validate a sparse 60 MB flow", ["validate", "big.ivrflow"]),
            ("say_wav of a sparse 2 GiB WAV", ["call", "menu.ivrflow", "--quiet", "--script", "wav.yaml"]),
            (
                "YAML alias bomb (9 levels) as a script",
                ["call", "menu.ivrflow", "--quiet", "--script", "bomb.yaml"],
            ),
            ("say with duration 1e308", ["call", "menu.ivrflow", "--quiet", "--script", "inf.json"]),
        ]
        print(f"{'case':<44} {'exit':>4} {'time':>8} {'peak RSS':>9}")
        for name, argv in cases:
            code, seconds, peak = _run(argv, root)
            print(f"{name:<44} {code:>4} {seconds:>7.2f}s {peak:>7.0f} MiB")


if __name__ == "__main__":
    main()
