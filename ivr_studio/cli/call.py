"""``ivr-studio call TARGET``: place a test call against a webhook, a flow file or an exported bundle.

TARGET is an http(s) URL (reached over real HTTP), or an ``.ivrflow`` file or bundle folder (served in
process by the bundle's handler app). The call runs on a virtual clock unless ``--realtime`` is given, so a
scripted call of several minutes finishes at once. Exit codes: 0 the call ended normally, 1 application
error, 2 bad arguments or a script that did not go as written: a bad step, a step that failed during the
call (a ``say_wav`` for a language with no speech model), a step with no effect (a key outside any Gather)
or a step the call ended before (see :mod:`ivr_studio.runtime.script`).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_APP_ERROR, EXIT_USAGE = 0, 1, 2
#: A script step did not go as written (failed, had no effect, or never ran).
EXIT_SCRIPT_FAILED = EXIT_USAGE
DEFAULT_AUTH_TOKEN = "ivr-studio-local-auth-token"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "call",
        help="place a scripted test call",
        description="Run a call against a TwiML webhook URL, an .ivrflow file or an exported bundle folder, "
        "exactly as Twilio would run it. Exits 0 when the call ended normally, 1 on an application error, 2 "
        "on bad arguments or when a script step did not go as written (it failed, had no effect, or the "
        "call ended before it); the reason is printed on standard error, with --quiet too.",
    )
    p.add_argument("target", help="http(s) URL, .ivrflow file or bundle folder")
    p.add_argument(
        "--script",
        metavar="FILE",
        help='JSON or YAML call script ({"steps": [...]}); without one the caller stays silent',
    )
    p.add_argument("--trace", metavar="FILE", help="write the call trace here as JSON Lines")
    p.add_argument("--realtime", action="store_true", help="run on the wall clock instead of virtual time")
    p.add_argument(
        "--auth-token",
        default=DEFAULT_AUTH_TOKEN,
        metavar="TOKEN",
        help="AuthToken used for X-Twilio-Signature (default: a fixed local token; give your app's "
        "TWILIO_AUTH_TOKEN when it checks signatures)",
    )
    p.add_argument(
        "--from",
        dest="from_number",
        default="+15005550006",
        metavar="NUMBER",
        help="caller number, From (default %(default)s)",
    )
    p.add_argument(
        "--to",
        dest="to_number",
        default="+15005550001",
        metavar="NUMBER",
        help="called number, To (default %(default)s)",
    )
    p.add_argument(
        "--method",
        type=http_method,
        default="POST",
        help="the Voice URL's method, as configured on the Twilio number (default POST)",
    )
    p.add_argument(
        "--fallback-url",
        metavar="URL",
        help="Voice fallback URL, requested with ErrorCode/ErrorUrl on failures",
    )
    p.add_argument(
        "--fallback-method",
        type=http_method,
        help="the Voice fallback URL's method (default POST)",
    )
    p.add_argument(
        "--max-duration",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="end the call after this many seconds (default 600, at most 86,400)",
    )
    p.add_argument(
        "--status-callback",
        metavar="URL",
        help="the call's status callback: call-progress events are sent here (absolute http(s) URL)",
    )
    p.add_argument(
        "--status-callback-event",
        nargs="+",
        metavar="EVENT",
        help="events sent to --status-callback: initiated ringing answered completed (default: completed)",
    )
    p.add_argument(
        "--status-callback-method", metavar="M", help="GET or POST for --status-callback (default POST)"
    )
    p.add_argument(
        "--quiet", action="store_true", help="do not print the timeline (errors are still printed)"
    )
    p.add_argument(
        "--at",
        metavar="DATETIME",
        help="the handler's date and time when the call starts, e.g. 2026-12-24T18:30 (flow files and "
        "bundles only; Hours and Decide nodes see it, and it moves on with the call)",
    )
    p.add_argument(
        "--tz", metavar="ZONE", help="the time zone of --at (IANA name, e.g. Europe/Berlin; default UTC)"
    )
    p.add_argument(
        "--backend",
        metavar="FILE",
        help="stub answers for Look up nodes (YAML or JSON: method, URL pattern, status, json/text, delay, "
        "fail); requests no stub answers go out for real",
    )
    p.add_argument(
        "--phone-fidelity",
        action="store_true",
        help="pass say_wav audio through an 8 kHz mu-law phone line before recognition, as a real call would",
    )
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a runtime setting where Twilio's behaviour is undocumented, e.g. --set type_ahead=true "
        "or --set terminator_first=legacy (repeatable; see the README for the list)",
    )
    p.set_defaults(func=run)


def _write_trace(path: Path, text: str) -> None:
    """The trace file, replaced atomically; a device or FIFO (``/dev/stdout``) is written in place."""
    from ivr_studio.files import write_text_atomic

    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return
    write_text_atomic(path, text)


def _unwritable(path: Path) -> str | None:
    """Why the trace file cannot be written (checked before the call, so a long call is not wasted)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        return "it is a folder"
    if not folder.is_dir():
        return f"no folder {folder}"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


def http_method(value: str) -> str:
    """``--method``/``--fallback-method``: GET or POST, in any case (the value is cut in the error)."""
    if value.upper() not in ("GET", "POST"):
        raise argparse.ArgumentTypeError(f"must be GET or POST, not {value[:20]!r}")
    return value.upper()


def parse_settings(pairs: list[str]) -> Any:
    """RuntimeSettings from ``NAME=VALUE`` pairs (values as JSON: true, 0.5, "text"; bare words are text)."""
    import json

    from ivr_studio.runtime.settings import RuntimeSettings

    data: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {pair!r}: expected NAME=VALUE")
        try:
            value = json.loads(raw)
        except ValueError:  # not JSON (or an integer too long to convert): the text itself
            value = raw
        data[name.strip()] = value
    return RuntimeSettings.from_mapping(data)


def parse_status_callback(args: argparse.Namespace) -> Any:
    """The call's StatusCallback from ``--status-callback*`` (None without a URL); ValueError when bad."""
    from ivr_studio.runtime.status_callbacks import StatusCallback

    if not args.status_callback:
        if args.status_callback_event or args.status_callback_method:
            raise ValueError(
                "--status-callback-event and --status-callback-method need --status-callback URL"
            )
        return None
    return StatusCallback.build(args.status_callback, args.status_callback_event, args.status_callback_method)


def resolve_target(
    target: str,
    auth_token: str,
    options: dict[str, Any] | None = None,
    *,
    clock: Any = None,
    base_dir: Path | None = None,
) -> tuple[Any, str]:
    """A transport and entry URL for TARGET; ValueError with a user-facing message when it is unusable.

    ``options`` (``at``, ``tz``, ``backend``) are for a flow file or bundle served in process; ``clock`` is
    the call's clock (the handler's time moves with it); ``base_dir`` is where a stub file is found.
    """
    from ivr_studio.runtime.transports import HttpTransport, WsgiTransport

    options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    if target.startswith(("http://", "https://")):
        if options:
            raise ValueError(
                f"{', '.join(sorted(options))}: only for a flow file or bundle served in process, "
                "not for a URL (your own app keeps its own time and back-ends)"
            )
        return HttpTransport(), target
    path = Path(target)
    if not path.exists():
        raise ValueError(f"{target}: no such file or folder (and not an http(s) URL)")
    try:
        from ivr_studio.bundle.serve import serve_target_with
    except ImportError as exc:
        raise ValueError(f"serving flow files and bundles is not available in this build ({exc})") from None
    served = serve_target_with(path, options, auth_token, clock, base_dir)
    return WsgiTransport(served.app), served.url


#: The target options of a local call: ``--at``, ``--tz`` and ``--backend`` here, ``at:``, ``tz:`` and
#: ``backend:`` in a scenario file.
TARGET_OPTIONS = ("at", "tz", "backend")


def check_target_options(args: argparse.Namespace) -> None:
    """ValueError naming the option when ``--at``/``--tz``/``--backend`` cannot work for this call."""
    given = [f"--{name}" for name in TARGET_OPTIONS if getattr(args, name) not in (None, "")]
    if given and args.target.startswith(("http://", "https://")):
        raise ValueError(
            f"{' and '.join(given)}: only for a flow file or bundle served in process, not for a URL "
            "(your own app keeps its own time and back-ends)"
        )
    if args.tz not in (None, "") and args.at in (None, ""):
        raise ValueError("--tz needs --at: say when the call happens (--at 2026-12-24T18:30)")


def as_option_message(message: str) -> str:
    """A target option's error as the command line spells it: ``at: 'x' is not …`` → ``--at: 'x' is not …``
    (the handler's messages name the scenario file's keys)."""
    key, sep, rest = message.partition(": ")
    return f"--{key}: {rest}" if sep and key in TARGET_OPTIONS else message


def default_recognizer_provider() -> Any:
    """The offline recogniser used for ``say_wav`` steps: an installed vosk model for the Gather's
    language, else the bundled pocketsphinx English model."""
    from ivr_studio.voice.providers import DefaultRecognizerProvider

    return DefaultRecognizerProvider()


def run(args: argparse.Namespace) -> int:
    from ivr_studio.runtime.audio import VoiceIO
    from ivr_studio.runtime.clock import RealClock, VirtualClock
    from ivr_studio.runtime.engine import CallEngine
    from ivr_studio.runtime.live import LiveCall
    from ivr_studio.runtime.params import CallIdentity
    from ivr_studio.runtime.script import Script, ScriptError, load_script, run_virtual
    from ivr_studio.runtime.script_steps import MAX_CALL_SECONDS
    from ivr_studio.runtime.trace import format_amendment, format_event, to_json
    from ivr_studio.runtime.transports import callback_transport

    if not (math.isfinite(args.max_duration) and 0 < args.max_duration <= MAX_CALL_SECONDS):
        print(
            f"error: --max-duration must be a number of seconds above 0 and at most {MAX_CALL_SECONDS:,.0f}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.fallback_url and not args.fallback_url.startswith(("http://", "https://")):
        print(
            "error: --fallback-url must be an absolute http(s) URL, as Twilio's Voice fallback URL is",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.fallback_method and not args.fallback_url:
        print("error: --fallback-method needs --fallback-url", file=sys.stderr)
        return EXIT_USAGE
    try:
        script = load_script(args.script, args.max_duration) if args.script else Script()
    except ScriptError as exc:
        print(f"error: bad script: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = parse_settings(args.settings)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        status_callback = parse_status_callback(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    feeder = provider = None
    if any(step.kind == "say_wav" for step in script.steps):
        provider = default_recognizer_provider()  # also transcribes recordings of that audio
        from ivr_studio.runtime.speech_feed import wav_feeder

        feeder = wav_feeder(provider, phone_fidelity=args.phone_fidelity, max_seconds=args.max_duration)
    clock = RealClock() if args.realtime else VirtualClock()
    target_options = {name: getattr(args, name) for name in TARGET_OPTIONS}
    try:
        check_target_options(args)
        transport, url = resolve_target(args.target, args.auth_token, target_options, clock=clock)
    except ValueError as exc:
        print(f"error: {as_option_message(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    engine = CallEngine(
        url,
        transport,
        clock=clock,
        settings=settings,
        identity=CallIdentity(from_number=args.from_number, to_number=args.to_number),
        voice=VoiceIO(recognizers=provider),
        auth_token=args.auth_token,
        method=args.method,
        fallback_url=args.fallback_url,
        fallback_method=args.fallback_method or "POST",
        status_callback=status_callback,
        callback_transport=(
            callback_transport(status_callback.url, url, transport) if status_callback else None
        ),
    )
    if args.trace:
        problem = _unwritable(Path(args.trace))
        if problem:
            print(f"error: cannot write the trace to {args.trace}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if not args.quiet:
        engine.trace.subscribe(lambda e: print(format_event(e), flush=True))
        engine.trace.on_amend(lambda e, fields: print(format_amendment(e, fields), flush=True))
    runner = None
    trace_error = None
    try:
        if args.realtime:
            live = LiveCall(engine, max_duration=args.max_duration)
            live.run(script, feeder)
            runner = live.runner
        else:
            runner = run_virtual(engine, script, max_duration=args.max_duration, speech_feeder=feeder)
    except KeyboardInterrupt:
        if not engine.ended:
            engine.end_call("completed", "interrupted")
    finally:
        # written whole when the call is over: a prompt learns that barge-in cut it after it was traced
        if args.trace:
            try:
                _write_trace(Path(args.trace), "".join(to_json(e) + "\n" for e in engine.trace.events))
            except OSError as exc:
                trace_error = exc.strerror or str(exc)
    if trace_error is not None:
        print(f"error: cannot write the trace to {args.trace}: {trace_error}", file=sys.stderr)
        return EXIT_USAGE
    failed_steps = runner.failures if runner is not None else []
    for message in failed_steps:  # printed even with --quiet: the call did not go as scripted
        print(f"error: {message}", file=sys.stderr)
    if engine.app_error is not None:  # printed even with --quiet: it is why the exit status is 1
        print(f"application error {engine.app_error.code}: {engine.app_error.message}", file=sys.stderr)
        return EXIT_APP_ERROR
    return EXIT_SCRIPT_FAILED if failed_steps else EXIT_OK
