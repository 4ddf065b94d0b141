"""``ivr-studio export FILE -o DIR``: write the flow's TwiML documents and handler app as a bundle.

``ivr-studio export --studio FILE -o flow.json`` writes a Twilio Studio flow definition instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: The Voice URL of a bundle that ``gunicorn app:app`` serves with its default ``--bind``.
GUNICORN_VOICE_URL = "http://127.0.0.1:8000/voice"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export a flow as a deployable bundle, or as a Twilio Studio flow definition",
        description="Write one TwiML document per node, the routing data and the handler web app into DIR; "
        "with --studio, write a Twilio Studio flow definition (JSON) instead. Exits 1 when the flow has "
        "errors (without --force) or cannot be exported, 2 when FILE cannot be read as a flow.",
    )
    p.add_argument("file", help="the .ivrflow file")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="the bundle folder, created if needed (exporting again replaces only the generated files); "
        "with --studio: the .json file, replaced if it exists",
    )
    p.add_argument(
        "--studio",
        action="store_true",
        help="write a Twilio Studio flow definition (JSON) to deploy in Studio",
    )
    p.add_argument("--force", action="store_true", help="export even when the flow has errors")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ivr_studio.bundle.export import ExportError, export_bundle
    from ivr_studio.cli.validate import EXIT_UNREADABLE, format_diagnostic
    from ivr_studio.flow.ivrflow import FlowFileError, load_flow
    from ivr_studio.flow.validate import validate_flow

    try:
        flow = load_flow(args.file)
    except FlowFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    base_dir = Path(args.file).resolve().parent
    problems = [d for d in validate_flow(flow, base_dir) if d.is_error]
    if problems and not args.force:
        for d in problems:
            print(format_diagnostic(d, args.file), file=sys.stderr)
        print(f"error: {len(problems)} errors; fix them or export with --force", file=sys.stderr)
        return 1
    if args.studio:
        return _studio(flow, args.output)
    try:
        out = export_bundle(flow, args.output, base_dir=base_dir)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Exported '{flow.name}' ({len(flow)} nodes) to {out}")
    print(f"  TwiML documents: {out / 'twiml'}")
    print(f"  Run it: cd {out} && pip install -r requirements.txt && gunicorn app:app")
    print(f"  Call it: ivr-studio call {GUNICORN_VOICE_URL}  (gunicorn's default address)")
    return 0


def _studio(flow, output: str) -> int:
    from pathlib import Path

    from ivr_studio.files import write_text_atomic
    from ivr_studio.interop.studio_export import StudioExportError, dumps_studio

    out = Path(output)
    if out.suffix.lower() != ".json":
        print(f"error: {output}: a Studio flow definition is written to a .json file", file=sys.stderr)
        return 2
    try:
        text = dumps_studio(flow)
    except StudioExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        write_text_atomic(out, text)
    except OSError as exc:
        print(f"error: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Exported '{flow.name}' ({len(flow)} nodes) as a Studio flow definition to {out}")
    print("  Import it in Studio (Import from JSON), or send it as the Definition of the Flows API.")
    return 0
