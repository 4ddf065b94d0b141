"""``ivr-studio import studio|twiml …``: bring an existing phone menu in as an ``.ivrflow`` file.

``import studio FLOW.json -o FLOW.ivrflow`` reads a Twilio Studio flow definition; ``import twiml DIR_OR_FILES
-o FLOW.ivrflow`` reads TwiML documents. Both print the import report (what mapped, what became a
placeholder, what was skipped, and why) and write the flow atomically. Exit status: 0 imported, 1 the input
could not be imported, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import a Twilio Studio flow or TwiML documents as a flow",
        description="Turn a Twilio Studio flow definition or a set of TwiML documents into an .ivrflow file, "
        "and report what mapped onto IVR Studio's nodes and what did not. Exits 1 when nothing could be "
        "imported, 2 on bad arguments (or an output file that exists, without --force).",
    )
    kinds = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    s = kinds.add_parser(
        "studio",
        help="a Studio flow definition (JSON, as the REST API or the editor's Export gives it)",
        description="Import a Twilio Studio flow definition (the JSON of the Flows API, or of Studio's "
        "Export to JSON). Voice widgets become nodes; widgets with no local meaning become placeholders.",
    )
    s.add_argument("file", help="the Studio flow definition (.json)")
    _common(s)
    s.set_defaults(func=run_studio)
    t = kinds.add_parser(
        "twiml",
        help="TwiML documents (files, or folders of .xml/.twiml files)",
        description="Import TwiML documents: each becomes a chain of nodes; an action or Redirect URL that "
        "names another document of the set becomes a link, any other URL a Redirect node.",
    )
    t.add_argument("inputs", nargs="+", metavar="DIR_OR_FILE", help="TwiML files or folders of them")
    t.add_argument("--start", metavar="NAME", help="the document the call starts with (its name, no suffix)")
    _common(t)
    t.set_defaults(func=run_twiml)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FLOW.ivrflow", help="the flow file to write")
    p.add_argument("--name", help="the flow's name (default: taken from the input)")
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    p.add_argument("--quiet", action="store_true", help="print only the summary line of the report")


def _check_output(args: argparse.Namespace) -> Path | None:
    out = Path(args.output)
    if out.suffix != ".ivrflow":
        print(f"error: {args.output}: the output must be an .ivrflow file", file=sys.stderr)
        return None
    if out.exists() and not args.force:
        print(f"error: {args.output} exists; use --force to overwrite it", file=sys.stderr)
        return None
    return out


def _finish(flow, report, out: Path, quiet: bool) -> int:
    from ivr_studio.files import InputFileError
    from ivr_studio.flow.ivrflow import save_flow

    print(report.summary() if quiet else report.to_text())
    try:
        save_flow(flow, out)
    except (OSError, InputFileError) as exc:
        print(f"error: cannot write {out}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Wrote '{flow.name}' ({len(flow)} nodes) to {out}")
    return EXIT_OK


def run_twiml(args: argparse.Namespace) -> int:
    from ivr_studio.interop.twiml_import import TwimlImportError, collect_documents, import_twiml

    out = _check_output(args)
    if out is None:
        return EXIT_USAGE
    try:
        docs = collect_documents(args.inputs)
        flow, report = import_twiml(docs, start=args.start, name=args.name or "")
    except TwimlImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return _finish(flow, report, out, args.quiet)


def run_studio(args: argparse.Namespace) -> int:
    from ivr_studio.interop.studio_import import StudioImportError, load_studio

    out = _check_output(args)
    if out is None:
        return EXIT_USAGE
    try:
        flow, report = load_studio(args.file, name=args.name or "")
    except StudioImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return _finish(flow, report, out, args.quiet)
