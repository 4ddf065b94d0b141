"""``ivr-studio open [FILE]``: open the desktop editor (Qt is imported only when the command runs)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "open",
        help="open the flow editor",
        description="Open the desktop editor, with FILE if given (a .ivrflow file).",
    )
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE", help="the .ivrflow file to open")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ivr_studio.ui.app import run as run_editor

    return run_editor(args.file)
