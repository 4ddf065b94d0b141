"""``ivr-studio open [FILE]``: open the desktop editor (Qt is imported only when the command runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_UNREADABLE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "open",
        help="open the flow editor",
        description=(
            "Open the desktop editor, with FILE if given (a .ivrflow file). "
            "Exits 2 without opening a window when FILE does not exist."
        ),
    )
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE", help="the .ivrflow file to open")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """A FILE that does not exist is said on the terminal, before any window opens (exit 2); one that
    exists but cannot be read as a flow opens the editor with a dialog, and is said on stderr too."""
    if args.file is not None and not args.file.exists():
        from ivr_studio.files import printable

        print(printable(f"error: {args.file}: no such file", keep=""), file=sys.stderr)
        return EXIT_UNREADABLE
    from ivr_studio.ui.app import run as run_editor

    return run_editor(args.file)
