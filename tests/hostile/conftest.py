"""The hostile-input suite: every case runs the real ``ivr-studio`` command in a subprocess, in a sandbox
folder, under a memory cap and a time limit, and checks what a user sees and what is left on disk.

Add a case in one line with the ``hostile`` fixture::

    def test_validate_refuses_a_fifo(hostile):
        os.mkfifo(hostile.path("menu.ivrflow"))
        hostile.run("validate", "menu.ivrflow").fails(2, "menu.ivrflow: is a FIFO")

- ``hostile.path(name)`` is a path inside the sandbox (the command's working folder);
  ``hostile.write(name, text_or_bytes)`` creates a file there (folders included) and returns its path.
- ``hostile.run(*argv, memory_mb=768, seconds=60)`` runs ``python -m ivr_studio *argv`` with the sandbox as
  working folder and as ``HOME``, an empty speech-models folder inside it (``.home/models``), ``RLIMIT_AS``
  of ``memory_mb`` and a CPU-time limit of ``seconds`` (the wall-clock limit is twice that, for a busy
  machine). It returns a :class:`CliRun`. ``disk_full_after=N`` makes every write past byte N of a file fail
  as on a full disk (``RLIMIT_FSIZE``: the write fails with EFBIG); ``env={...}`` adds environment variables. ``hostile.run_python(source)`` runs Python code the same way, for cases that need an API
  rather than the command line (the handler app, the editor's Open).
- :meth:`CliRun.fails` asserts the exit status, that standard error holds ``message`` (text, or a compiled
  regex) in one short line, that no traceback was printed anywhere, and that no file changed;
  :meth:`CliRun.succeeds` asserts exit 0 and no traceback. Both take ``changed=`` — the sandbox paths
  (relative, folders end in ``/`` and cover what is inside) that the command may create, change or remove.
- A run that is killed by the memory cap, the CPU limit or the wall-clock limit fails the test with what
  happened, so an unbounded read or an endless loop is a failure, never a hang of the suite.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The longest one-line error a user should have to read (long input values are cut, never echoed whole).
MAX_MESSAGE_CHARS = 400

_PRELUDE = """
import resource, signal, sys
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))
if {file_size} >= 0:  # a full disk: writes past this size fail with EFBIG instead of killing the process
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size}, {file_size}))
"""


def _fingerprint(path: Path) -> tuple:
    """What identifies a sandbox entry's content: kind and link target, or size, mode and a content hash
    (size and modification time only for files over 1 MiB, such as sparse multi-gigabyte WAVs)."""
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return ("dir", stat.S_IMODE(st.st_mode))
    if not stat.S_ISREG(st.st_mode):
        return ("special", stat.S_IFMT(st.st_mode))
    if st.st_size > 1024 * 1024:
        return ("file", st.st_size, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ("file", st.st_size, digest, stat.S_IMODE(st.st_mode))


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` (relative, folders with a trailing ``/``) and its fingerprint."""
    result: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in dirs + files:
            p = base / name
            rel = p.relative_to(root).as_posix() + ("/" if p.is_dir() and not p.is_symlink() else "")
            result[rel] = _fingerprint(p)
    return result


def _covered(path: str, allowed: tuple[str, ...]) -> bool:
    return any(path == a or (a.endswith("/") and path.startswith(a)) for a in allowed)


@dataclass
class CliRun:
    """The outcome of one sandboxed run."""

    argv: tuple[str, ...]
    exit: int
    stdout: str
    stderr: str
    changed: list[str] = field(default_factory=list)
    killed: str | None = None

    def _describe(self) -> str:
        return (
            f"ivr-studio {' '.join(self.argv)[:200]}\n  exit {self.exit}"
            f"{f' ({self.killed})' if self.killed else ''}\n  stdout: {self.stdout[-1500:]!r}\n"
            f"  stderr: {self.stderr[-3000:]!r}\n  changed: {self.changed}"
        )

    def _common(self, changed: tuple[str, ...]) -> None:
        assert self.killed is None, f"the run was stopped: {self._describe()}"
        for stream in (self.stdout, self.stderr):
            assert "Traceback (most recent call last)" not in stream, f"a traceback: {self._describe()}"
        unexpected = [p for p in self.changed if not _covered(p, changed)]
        assert not unexpected, f"files changed that should not have: {unexpected}\n{self._describe()}"

    def fails(
        self, exit: int, message: str | re.Pattern[str], changed: tuple[str, ...] | list[str] = ()
    ) -> CliRun:
        """Assert a clean failure: exit status ``exit``, ``message`` on one short line of standard error (or
        of standard output, where ``ivr-studio test`` reports), no traceback, and nothing but ``changed``
        touched in the sandbox."""
        self._common(tuple(changed))
        assert self.exit == exit, f"expected exit {exit}: {self._describe()}"
        lines = self.stderr.splitlines() + self.stdout.splitlines()  # `test` reports on standard output
        if isinstance(message, re.Pattern):
            hits = [line for line in lines if message.search(line)]
        else:
            hits = [line for line in lines if message in line]
        assert hits, f"standard error does not say {message!r}: {self._describe()}"
        too_long = [line for line in hits if len(line) > MAX_MESSAGE_CHARS]
        assert not too_long, f"the error line is {len(too_long[0]):,} characters long: {too_long[0][:300]!r}…"
        return self

    def succeeds(self, changed: tuple[str, ...] | list[str] = ()) -> CliRun:
        """Assert exit 0, no traceback, and nothing but ``changed`` touched in the sandbox."""
        self._common(tuple(changed))
        assert self.exit == 0, f"expected success: {self._describe()}"
        return self


class Hostile:
    """A sandbox folder and a way to run IVR Studio in it under caps (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / ".home"
        self.home.mkdir(parents=True)
        (self.home / "models").mkdir()

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, content: str | bytes) -> Path:
        p = self.path(name)
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        return p

    def _env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IVR_STUDIO_", "XDG_"))}
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_STATE_HOME=str(self.home / ".local" / "state"),
            IVR_STUDIO_MODELS_DIR=str(self.home / "models"),
            QT_QPA_PLATFORM="offscreen",
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONFAULTHANDLER="",
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
        )
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
        env.update(extra or {})
        return env

    def _run(
        self,
        code: str,
        argv: tuple[str, ...],
        memory_mb: int,
        seconds: int,
        stdin: bytes = b"",
        disk_full_after: int | None = None,
        env: dict[str, str] | None = None,
    ) -> CliRun:
        before = snapshot(self.root)
        file_size = -1 if disk_full_after is None else disk_full_after
        prelude = _PRELUDE.format(memory=memory_mb << 20, seconds=seconds, file_size=file_size)
        killed = None
        try:
            proc = subprocess.run(
                [sys.executable, "-c", prelude + code, *argv],
                cwd=self.root,
                env=self._env(env),
                input=stdin,
                capture_output=True,
                timeout=seconds * 2,
            )
            exit_code, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            exit_code, out, err = -1, exc.stdout or b"", exc.stderr or b""
            killed = f"still running after {seconds * 2} s"
        if exit_code < 0 and killed is None:
            killed = f"killed by {signal.Signals(-exit_code).name}"
        stderr = err.decode("utf-8", "replace")
        if killed is None and "MemoryError" in stderr:
            killed = f"out of memory under the {memory_mb} MiB cap"
        after = snapshot(self.root)
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        return CliRun(argv, exit_code, out.decode("utf-8", "replace"), stderr, changed, killed)

    def run(
        self,
        *argv: str,
        memory_mb: int = 768,
        seconds: int = 60,
        stdin: bytes = b"",
        disk_full_after: int | None = None,
        env: dict[str, str] | None = None,
    ) -> CliRun:
        """``ivr-studio *argv`` in the sandbox, under a memory cap and a CPU-time limit."""
        code = "from ivr_studio.cli import main\nsys.exit(main(sys.argv[1:]))\n"
        argv = tuple(str(a) for a in argv)
        return self._run(code, argv, memory_mb, seconds, stdin, disk_full_after, env)

    def run_python(
        self,
        source: str,
        memory_mb: int = 768,
        seconds: int = 60,
        disk_full_after: int | None = None,
        env: dict[str, str] | None = None,
    ) -> CliRun:
        """Python ``source`` in the sandbox under the same caps; it should print what the test checks."""
        code = textwrap.dedent(source)
        return self._run(code, ("<python>",), memory_mb, seconds, b"", disk_full_after, env)


@pytest.fixture
def hostile(tmp_path: Path) -> Hostile:
    """A fresh sandbox (see the module docstring)."""
    return Hostile(tmp_path / "sandbox")
