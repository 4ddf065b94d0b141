"""The ``ivr-studio`` command.

Each sub-command lives in its own small module in this package and exposes ``register(subparsers)``;
registering is cheap (argparse only) and each command imports what it needs when it runs, so
``ivr-studio --help`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

# Order here is the order shown in ``ivr-studio --help``.
COMMAND_MODULES = (
    "ivr_studio.cli.validate",
    "ivr_studio.cli.export",
    "ivr_studio.cli.call",
    "ivr_studio.cli.test",
    "ivr_studio.cli.load",
    "ivr_studio.cli.import_flow",
    "ivr_studio.cli.map",
    "ivr_studio.cli.open",
    "ivr_studio.cli.models",
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Version(argparse.Action):
    """``--version``: the version is looked up only when asked for (reading package metadata is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        import ivr_studio

        print(f"ivr-studio {ivr_studio.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ivr-studio",
        description="Design, export and test Twilio phone menus (IVRs) offline.",
        epilog="Run 'ivr-studio COMMAND --help' for a command's options, defaults and exit status.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _shown(text: str) -> str:
    """What the terminal gets: a name, title or value from a file can hold control characters or a
    right-to-left override that rewrite the line; they are shown escaped. Carriage returns stay (progress
    lines use them); values echoed in messages are already escaped by ``cut``."""
    from ivr_studio.files import printable

    return printable(text, keep="\n\t\r")


class _EscapedOutput:
    """Standard error with the same escaping as standard output (see :func:`_shown`)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_shown(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _GuardedOutput:
    """Standard output that turns a failed write (a full disk, ``> /dev/full``) into one clear error.

    The first failure is kept in ``error``; from then on output goes to ``/dev/null``, so neither the rest of
    the command nor the interpreter's final flush fails again with a traceback.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.error: OSError | None = None

    def _failed(self, exc: OSError) -> None:
        if isinstance(exc, BrokenPipeError):
            raise exc
        if self.error is None:
            self.error = exc
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass

    def write(self, text: str) -> int:
        if self.error is None:
            try:
                self._stream.write(_shown(text))
                return len(text)
            except OSError as exc:
                self._failed(exc)
        return len(text)

    def flush(self) -> None:
        if self.error is None:
            try:
                self._stream.flush()
            except OSError as exc:
                self._failed(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    original, guarded = sys.stdout, _GuardedOutput(sys.stdout)
    original_err = sys.stderr
    sys.stdout = guarded  # type: ignore[assignment]
    sys.stderr = _EscapedOutput(original_err)  # type: ignore[assignment]
    try:
        code = int(args.func(args) or 0)
        guarded.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ivr-studio call … | head`: the reader went away; that is not an error
        sys.stderr.close()
        return 0
    finally:
        sys.stdout = original
        sys.stderr = original_err
    if guarded.error is not None:
        reason = guarded.error.strerror or str(guarded.error)
        print(f"error: cannot write to standard output: {reason}", file=sys.stderr)
        return EXIT_USAGE
    return code
