"""``ivr-studio validate FILE [--json]``: check a flow against Twilio's rules and IVR Studio's graph rules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

#: The file could not be read as a flow (not UTF-8, not JSON, a FIFO …): bad input, as for the other commands.
EXIT_UNREADABLE = 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a .ivrflow file",
        description="Check a flow against Twilio's TwiML rules and IVR Studio's graph rules. "
        "Exits 1 when there are errors, 2 when the file cannot be read as a flow.",
    )
    p.add_argument("file", help="the .ivrflow file")
    p.add_argument("--json", action="store_true", help="print the diagnostics as JSON")
    p.set_defaults(func=run)


def format_diagnostic(d, file: str) -> str:
    """``FILE: severity CODE node (path): message`` and, when there is one, an indented fix line.

    Titles, values and the file name come from the user: a control character or a right-to-left override
    in them is shown escaped, so it cannot reorder or rewrite the terminal line."""
    from ivr_studio.files import printable

    where = f"{d.node_id}" + (f" ({d.path})" if d.path else "") if d.node_id else (d.path or "flow")
    line = printable(f"{file}: {d.severity} {d.code} {where}: {d.message}", keep="")
    return line + (f"\n    fix: {printable(d.fix, keep='')}" if d.fix else "")


def run(args: argparse.Namespace) -> int:
    from ivr_studio.flow.ivrflow import FlowFileError, load_flow
    from ivr_studio.flow.validate import has_errors, summarize, validate_flow

    try:
        flow = load_flow(args.file)
    except FlowFileError as exc:
        if args.json:
            print(
                json.dumps(
                    {"file": args.file, "ok": False, "load_error": str(exc), "diagnostics": []}, indent=2
                )
            )
        else:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    diagnostics = validate_flow(flow, Path(args.file).resolve().parent)
    counts = summarize(diagnostics)
    if args.json:
        print(
            json.dumps(
                {
                    "file": args.file,
                    "ok": not has_errors(diagnostics),
                    "counts": counts,
                    "diagnostics": [d.to_dict() for d in diagnostics],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for d in diagnostics:
            print(format_diagnostic(d, args.file))
        print(
            f"{args.file}: {len(flow)} nodes, {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
        )
    return 1 if has_errors(diagnostics) else 0
