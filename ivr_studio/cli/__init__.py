"""The ``ivr-studio`` command.

Each sub-command lives in its own small module in this package and exposes ``register(subparsers)``;
registering is cheap (argparse only) and each command imports what it needs when it runs, so
``ivr-studio --help`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ivr_studio import __version__

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ivr-studio",
        description="Design, export and test Twilio phone menus (IVRs) offline.",
    )
    parser.add_argument("--version", action="version", version=f"ivr-studio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ivr-studio call … | head`: the reader went away; that is not an error
        sys.stderr.close()
        return 0
