"""``ivr-studio map TARGET -o FLOW.ivrflow``: explore a live phone menu and draw it as a flow.

TARGET is any TwiML app (an http(s) URL), or an ``.ivrflow`` file or bundle folder served in process. The
app is called through the local runtime, breadth-first, trying every key, phrase and silence at each menu
(see :mod:`ivr_studio.explore.mapper`). Exit status: 0 mapped, 1 the app could not be mapped (its first
request failed, or the output could not be written), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_HTTP_RATE = 5.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "map",
        help="explore a live phone menu and draw it as a flow",
        description="Call a TwiML app through the local runtime, try every key, hint phrase and silence at "
        "each menu, and write what it does as a flow (every document a node, every transition a link). "
        "Exits 1 when nothing could be mapped or the output could not be written, 2 on bad arguments.",
    )
    p.add_argument("target", help="http(s) URL of the app, or an .ivrflow file or bundle folder")
    p.add_argument("-o", "--output", required=True, metavar="FLOW.ivrflow", help="the flow file to write")
    p.add_argument("--max-states", type=int, default=50, metavar="N", help="stop after N documents (50)")
    p.add_argument("--max-depth", type=int, default=8, metavar="D", help="at most D inputs in a row (8)")
    p.add_argument(
        "--max-requests", type=int, default=20000, metavar="N", help="stop after N requests (20,000)"
    )
    p.add_argument("--keys", default="0-9*#", help="keys to try at each menu (default 0-9*#)")
    p.add_argument(
        "--digits", default="", metavar="LIST", help="comma-separated digit strings for numDigits > 1 menus"
    )
    p.add_argument(
        "--phrases", default="", metavar="LIST", help="comma-separated phrases to say at speech menus"
    )
    p.add_argument("--phrases-from-hints", action="store_true", help="say each of a menu's hints too")
    p.add_argument(
        "--ignore-param",
        action="append",
        default=[],
        metavar="NAME",
        help="a URL query parameter that does not make a document different (a retry counter); repeatable",
    )
    p.add_argument(
        "--stop-before-dial-record",
        action="store_true",
        help="hang up before any <Dial> or <Record> runs, so the app's transfers and recordings are not used",
    )
    p.add_argument("--no-dial-outcomes", action="store_true", help="do not try each outcome of a <Dial>")
    p.add_argument(
        "--rate",
        type=float,
        default=None,
        metavar="N",
        help=f"at most N requests a second (default {DEFAULT_HTTP_RATE:g} for URLs, no limit in process)",
    )
    p.add_argument("--tests", metavar="DIR", help="also write one scenario file per distinct path into DIR")
    p.add_argument(
        "--auth-token",
        default="",
        help="the app's AuthToken, to sign requests (X-Twilio-Signature); default: a fixed local token",
    )
    p.add_argument("--name", help="the flow's name (default: Map of TARGET)")
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    p.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    p.set_defaults(func=run)


def parse_keys(text: str) -> str:
    """``0-9*#`` → ``0123456789*#``; ValueError naming a bad key."""
    out = ""
    for a, b, single in re.findall(r"(\d)-(\d)|(.)", text):
        if single:
            if single not in "0123456789*#":
                raise ValueError(f"--keys: {single!r} is not a keypad key")
            out += single
        else:
            out += "".join(str(d) for d in range(int(a), int(b) + 1))
    if not out:
        raise ValueError("--keys: no keys given")
    return "".join(dict.fromkeys(out))


def _list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def run(args: argparse.Namespace) -> int:
    from ivr_studio.cli.call import DEFAULT_AUTH_TOKEN, resolve_target
    from ivr_studio.explore.flowmap import map_to_flow
    from ivr_studio.explore.mapper import MapOptions, Mapper
    from ivr_studio.explore.scenarios import write_scenarios
    from ivr_studio.flow.ivrflow import save_flow

    out = Path(args.output)
    try:
        if out.suffix != ".ivrflow":
            raise ValueError(f"{args.output}: the output must be an .ivrflow file")
        if out.exists() and not args.force:
            raise ValueError(f"{args.output} exists; use --force to overwrite it")
        for name in ("max_states", "max_depth", "max_requests"):
            if getattr(args, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
        digits = _list(args.digits)
        if any(not re.fullmatch(r"[0-9*#]{1,32}", d) for d in digits):
            raise ValueError("--digits: each entry is 1-32 keys from 0-9, * and #")
        is_url = args.target.startswith(("http://", "https://"))
        rate = args.rate if args.rate is not None else (DEFAULT_HTTP_RATE if is_url else 0.0)
        if rate < 0 or rate != rate:
            raise ValueError("--rate must be a positive number of requests a second (0: no limit)")
        options = MapOptions(
            max_states=args.max_states,
            max_depth=args.max_depth,
            max_requests=args.max_requests,
            keys=parse_keys(args.keys),
            digit_strings=digits,
            phrases=_list(args.phrases),
            phrases_from_hints=args.phrases_from_hints,
            ignore_params=tuple(args.ignore_param),
            stop_before_outside=args.stop_before_dial_record,
            explore_dial_outcomes=not args.no_dial_outcomes,
            rate=rate,
        )
        token = args.auth_token or DEFAULT_AUTH_TOKEN
        transport, url = resolve_target(args.target, token)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    def progress(result, waiting: int) -> None:
        if not args.quiet and sys.stderr.isatty():
            print(
                f"\rmapping: {len(result.states)} states, {result.requests} requests, {waiting} paths waiting ",
                end="",
                file=sys.stderr,
                flush=True,
            )

    mapper = Mapper(transport, url, options, auth_token=token, progress=progress)
    try:
        result = mapper.run()
    except KeyboardInterrupt:
        print("\nstopped; writing what was mapped so far", file=sys.stderr)
        result = mapper.result
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    if not result.states:
        trace = result.paths[0].log.trace if result.paths else []
        why = next(
            (f" ({e.get('code')}: {e.get('message', '')})" for e in trace if e["event"] == "error"), ""
        )
        print(
            f"error: {args.target}: the app answered nothing that could be mapped{why[:200]}", file=sys.stderr
        )
        return EXIT_FAILED
    # a flow or bundle is served in process at a stand-in URL: the map is named after what was given
    flow, _report = map_to_flow(result, args.name or ("" if is_url else f"Map of {args.target}"))
    print(
        f"Mapped {len(result.states)} documents with {result.calls} calls and {result.requests} requests"
        + (f"; stopped at {', '.join(result.limits_hit)}" if result.limits_hit else "")
    )
    for line in result.diverged[:10]:
        print(f"  the app answered differently on a replay: {line}")
    errors = [s for s in result.states.values() if s.error]
    for s in errors:
        print(f"  error: {s.error} (reached by {' / '.join(i.label for i in s.path) or 'the first request'})")
    try:
        save_flow(flow, out)
        if args.tests:
            folder = Path(args.tests)
            target = args.target if is_url else os.path.relpath(Path(args.target).resolve(), folder.resolve())
            files = write_scenarios(result, folder, target)
            print(f"Wrote {len(files)} scenario files to {folder}")
    except OSError as exc:
        print(f"error: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Wrote '{flow.name}' ({len(flow)} nodes) to {out}")
    return EXIT_OK
