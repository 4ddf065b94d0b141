"""``ivr-studio load TARGET``: many simulated callers at once, on one machine or a Locust cluster.

Every caller places calls back to back, each drawn from a weighted mix of scenario calls
(``--scenarios FILE[:WEIGHT]…``) and random callers (``--random-callers WEIGHT``), through the runtime's real
transport. TARGET replaces the scenarios' own targets: a deployed app's Voice URL, or a flow file or bundle
folder served in process. Everything the command is given is checked before Locust is loaded, so a bad
option costs nothing and never leaves a half-started cluster. Exit codes: 0 every call completed and met its
expectations, 1 a call failed or missed an expectation (or a worker's files differed), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from ivr_studio.cli.call import DEFAULT_AUTH_TOKEN

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?")
MAX_CALLERS = 100_000
MAX_CALLS = 1_000_000_000
MAX_SECONDS = 7 * 24 * 3600  # the longest run, call, wait or interval the options accept


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "load",
        help="load-test a phone menu with many simultaneous simulated callers (Locust)",
        description="Drive many simultaneous simulated callers against a deployed handler app (or a flow "
        "served in process) with scenario calls and random callers, on one machine or a Locust "
        "master/worker cluster. Reports calls by Twilio error code, webhook latency overall, per node and "
        "per Look up back-end, responses past the 15 s limit and expectations missed under load. Exits 1 "
        "when a call failed or missed an expectation, 2 on bad arguments.",
    )
    p.add_argument("target", help="the app's Voice URL (http/https), or a .ivrflow file or bundle folder")
    p.add_argument(
        "--scenarios",
        nargs="+",
        default=[],
        metavar="FILE[:WEIGHT]",
        help="scenario files whose calls the callers place; a file's WEIGHT (default 1) is shared by its calls",
    )
    p.add_argument(
        "--random-callers",
        type=float,
        default=0.0,
        metavar="WEIGHT",
        help="also place random calls that explore the menu, with this weight in the mix (default 0; "
        "1 when no --scenarios are given)",
    )
    p.add_argument(
        "--random-mix",
        metavar="MIX",
        help="what a random caller does at each Gather, in percent (default branch=70,wrong=10,silent=15,"
        "hangup=5; actions not given are 0 once one is)",
    )
    p.add_argument(
        "--random-delay",
        metavar="LOW-HIGH",
        help="seconds, drawn in this range, from a menu starting to listen to a random caller's answer "
        "(default 0.5-3)",
    )
    p.add_argument(
        "--menus",
        metavar="FILE",
        help="the menus' branches for random callers when TARGET is a URL: a bundle folder, its routing.json "
        "or the .ivrflow file",
    )
    p.add_argument("--callers", type=int, default=10, help="simultaneous callers (default 10)")
    p.add_argument("--ramp", type=float, help="callers started per second (default: all within a second)")
    p.add_argument(
        "--duration", default="60s", help="how long the run lasts: 90, 90s, 5m, 1h30m (default 60s)"
    )
    p.add_argument(
        "--calls",
        type=int,
        metavar="N",
        help="end the run once N calls have ended (each worker's own count in a distributed run); "
        "--duration still caps it",
    )
    p.add_argument(
        "--think-time",
        choices=("real", "fast"),
        default="real",
        help="real (default): prompts, waits and key gaps take their time; fast: no think time, to stress "
        "the server",
    )
    p.add_argument("--csv", metavar="PREFIX", help="write Locust's CSV statistics: PREFIX_stats.csv …")
    p.add_argument("--html", metavar="REPORT", help="write Locust's HTML report here")
    p.add_argument(
        "--seed",
        type=int,
        help="repeat the run's choices (mix draws, random callers' answers); default: new choices each run",
    )
    p.add_argument(
        "--auth-token",
        default=DEFAULT_AUTH_TOKEN,
        help="AuthToken for X-Twilio-Signature: the deployed app's TWILIO_AUTH_TOKEN (a flow or bundle "
        "TARGET is served with it; default: a fixed local token)",
    )
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a runtime setting for every call (on top of each scenario file's settings)",
    )
    p.add_argument(
        "--fallback-url", help="Voice fallback URL of random calls (scenario files have their own)"
    )
    p.add_argument(
        "--max-duration", type=float, default=600.0, help="end a random call after this many seconds (600)"
    )
    p.add_argument(
        "--stop-timeout",
        type=float,
        default=0.0,
        help="when the run ends, let calls in progress finish for up to this many seconds (default 0)",
    )
    p.add_argument("--progress", type=float, default=2.0, help="seconds between progress lines (default 2)")
    p.add_argument("--web-ui", metavar="[HOST:]PORT", help="also serve Locust's web UI while the run lasts")
    dist = p.add_argument_group("distributed runs (Locust master/worker)")
    dist.add_argument("--master", action="store_true", help="coordinate workers; place no calls here")
    dist.add_argument("--worker", action="store_true", help="place calls for a master")
    dist.add_argument("--expect-workers", type=int, default=1, help="master: workers to wait for (default 1)")
    dist.add_argument(
        "--expect-workers-max-wait", type=float, default=60.0, help="master: seconds to wait for them (60)"
    )
    dist.add_argument("--master-bind-host", default="*", help="master: interface to listen on (default all)")
    dist.add_argument("--master-bind-port", type=int, default=5557, help="master: port to listen on (5557)")
    dist.add_argument(
        "--master-host", default="127.0.0.1", help="worker: the master's host (default 127.0.0.1)"
    )
    dist.add_argument("--master-port", type=int, default=5557, help="worker: the master's port (5557)")
    p.set_defaults(func=run)


def header_lines(
    args: argparse.Namespace, url: str, ramp: float, duration: float, shares: dict[str, float]
) -> list[str]:
    """The run's first lines: what is called, by how many callers, for how long, and the caller mix.

    A flow file or bundle is named as given (it is served in process at a stand-in URL the user never
    typed); a URL is shown as it is called.
    """
    target = url if args.target.startswith(("http://", "https://")) else f"{args.target} (served in process)"
    callers = f"{args.callers} caller{'' if args.callers == 1 else 's'}"
    mix = ", ".join(f"{label} {share:.0%}" for label, share in shares.items())
    return [
        f"Load test of {target}: {callers} (started at {ramp:g}/s) for {duration:g} s"
        f"{'' if args.calls is None else f' or {args.calls} calls'}, "
        f"think time {args.think_time}{'' if args.seed is None else f', seed {args.seed}'}",
        f"Caller mix: {mix}",
    ]


class UsageError(ValueError):
    """A bad option or input; the message is the whole story."""


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``5m``, ``1h30m`` → seconds."""
    m = _DURATION.fullmatch(text.strip())
    if not text.strip() or m is None or not any(m.groups()):
        raise UsageError(f"--duration {_cut(text)!r}: write seconds (90), or 90s, 5m, 1h30m")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if not 0 < total <= MAX_SECONDS:
        raise UsageError(f"--duration must be more than 0 seconds and at most {MAX_SECONDS // 86400} days")
    return total


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shorten(message: str, limit: int = 300) -> str:
    """One error line of reasonable length: a huge value in the middle is cut, the reason at the end kept."""
    if len(message) <= limit:
        return message
    half = (limit - 3) // 2
    return f"{message[:half]} … {message[-half:]}"


def split_weight(item: str) -> tuple[str, float]:
    """``calls.test.yaml:3`` → (``calls.test.yaml``, 3.0); a file that exists is never split."""
    try:
        if Path(item).exists():
            return item, 1.0
    except OSError:  # a name too long for the file system: read_scenario says what is wrong with it
        return item, 1.0
    name, sep, raw = item.rpartition(":")
    if not sep or not name:
        return item, 1.0
    try:
        weight = float(raw)
    except ValueError:
        return item, 1.0
    if not math.isfinite(weight) or not 0 < weight <= 1e6:
        raise UsageError(f"--scenarios {_cut(item)!r}: a weight must be a number above 0 (at most 1e6)")
    return name, weight


def _positive(name: str, value: float, *, allow_zero: bool = False, most: float = MAX_SECONDS) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero) or value > most:
        low = "≥ 0" if allow_zero else "> 0"
        raise UsageError(f"{name} must be a number {low} and at most {most:g}, not {_cut(repr(value))}")


def _setting_changes(pairs: list[str]) -> dict[str, Any]:
    """The settings ``--set`` names, checked the way ``ivr-studio call`` checks them."""
    from ivr_studio.cli.call import parse_settings

    try:
        parsed = parse_settings(pairs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    names = {pair.partition("=")[0].strip() for pair in pairs}
    return {f.name: getattr(parsed, f.name) for f in fields(parsed) if f.name in names}


def _read_bytes(path: Path) -> bytes:
    from ivr_studio.files import InputFileError, read_bytes
    from ivr_studio.runtime.scenario import SCENARIO_LIMIT

    try:
        return read_bytes(path, SCENARIO_LIMIT)
    except InputFileError as exc:
        raise UsageError(str(exc)) from None


def _menus(source: str) -> dict:
    """The menus of a bundle folder, its routing.json, or a flow file (for random callers)."""
    from ivr_studio.load.mix import menus_from_routing

    path = Path(source)
    try:
        if path.is_file() and path.suffix == ".json":
            from ivr_studio.files import load_json, read_text

            routing = load_json(read_text(path), path)
        else:
            from ivr_studio.bundle.serve import routing_for_target

            routing = routing_for_target(path)
        return menus_from_routing(routing)
    except ValueError as exc:  # InputFileError and StructuredDataError name the file themselves
        raise UsageError(f"--menus: {exc}" if str(path) not in str(exc) else str(exc)) from None


def build(args: argparse.Namespace) -> tuple[Any, Any]:
    """The run's plan and options from the command line; UsageError for anything unusable."""
    from ivr_studio.cli.call import resolve_target
    from ivr_studio.load.calls import LoadPlan
    from ivr_studio.load.mix import CallerMix, RandomMix
    from ivr_studio.load.run import RunOptions
    from ivr_studio.runtime.scenario import ScenarioError, read_scenario

    if args.master and args.worker:
        raise UsageError("--master and --worker cannot be combined")
    if not 1 <= args.callers <= MAX_CALLERS:
        raise UsageError(f"--callers must be between 1 and {MAX_CALLERS}, not {args.callers}")
    ramp = float(args.callers) if args.ramp is None else args.ramp
    _positive("--ramp", ramp, most=MAX_CALLERS)
    duration = parse_duration(args.duration)
    if args.calls is not None and not 1 <= args.calls <= MAX_CALLS:
        raise UsageError(f"--calls must be between 1 and {MAX_CALLS:,}, not {args.calls}")
    _positive("--random-callers", args.random_callers, allow_zero=True, most=1e6)
    _positive("--max-duration", args.max_duration)
    _positive("--stop-timeout", args.stop_timeout, allow_zero=True)
    _positive("--progress", args.progress)
    _positive("--expect-workers-max-wait", args.expect_workers_max_wait)
    if not 1 <= args.expect_workers <= 1000:
        raise UsageError(f"--expect-workers must be between 1 and 1000, not {args.expect_workers}")
    for name in ("master_bind_port", "master_port"):
        if not 1 <= getattr(args, name) <= 65535:
            raise UsageError(f"--{name.replace('_', '-')} must be a port number (1–65535)")
    if args.fallback_url and not args.fallback_url.startswith(("http://", "https://")):
        raise UsageError("--fallback-url must be an absolute http(s) URL, as Twilio's Voice fallback URL is")
    web_ui = None
    if args.web_ui:
        host, _, port = args.web_ui.rpartition(":")
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise UsageError(f"--web-ui {_cut(args.web_ui)!r}: write PORT or HOST:PORT")
        web_ui = (host or "127.0.0.1", int(port))
    try:
        random_mix = RandomMix.parse(args.random_mix, args.random_delay)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    changes = _setting_changes(args.settings)

    scenarios = []
    digest = hashlib.sha256()
    for item in args.scenarios:
        name, weight = split_weight(item)
        try:
            scenario = read_scenario(name)
        except ScenarioError as exc:
            raise UsageError(str(exc)) from None
        settings = replace(scenario.settings, **changes)
        scenarios.append((replace(scenario, auth_token=args.auth_token, settings=settings), weight))
        digest.update(hashlib.sha256(_read_bytes(Path(name))).digest() + str(weight).encode())
    random_weight = args.random_callers if (args.scenarios or args.random_callers) else 1.0
    try:
        mix = CallerMix.build(scenarios, random_weight)
        transport, url = resolve_target(args.target, args.auth_token)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    menus: dict = {}
    if args.menus:
        menus = _menus(args.menus)
        digest.update(hashlib.sha256(json.dumps(str(sorted(menus.items()))).encode()).digest())
    elif not args.target.startswith(("http://", "https://")):
        menus = _menus(args.target)

    feeder = None
    if any(s.kind == "say_wav" for scenario, _ in scenarios for c in scenario.calls for s in c.script.steps):
        from ivr_studio.cli.call import default_recognizer_provider
        from ivr_studio.runtime.speech_feed import wav_feeder

        feeder = wav_feeder(default_recognizer_provider())
    from ivr_studio.runtime.settings import RuntimeSettings

    plan = LoadPlan(
        mix=mix,
        transport=transport,
        url=url,
        think_time=args.think_time,
        settings=replace(RuntimeSettings(), **changes),
        auth_token=args.auth_token,
        fallback_url=args.fallback_url,
        random_mix=random_mix,
        menus=menus,
        max_duration=args.max_duration,
        seed=args.seed,
        speech_feeder=feeder,
        calls=args.calls,
    )
    same_everywhere = [
        args.target,
        args.think_time,
        random_weight,
        repr(random_mix),
        args.seed,
        sorted(args.settings),
        args.max_duration,
        args.fallback_url,
        hashlib.sha256(args.auth_token.encode()).hexdigest(),
    ]
    digest.update(json.dumps(same_everywhere, default=str).encode())
    role = "master" if args.master else "worker" if args.worker else "local"
    header = header_lines(args, url, ramp, duration, mix.shares())
    options = RunOptions(
        callers=args.callers,
        ramp=ramp,
        duration=duration,
        stop_timeout=args.stop_timeout,
        csv_prefix=args.csv,
        html=args.html,
        role=role,
        master_host=args.master_host,
        master_port=args.master_port,
        master_bind_host=args.master_bind_host,
        master_bind_port=args.master_bind_port,
        expect_workers=args.expect_workers,
        expect_workers_max_wait=args.expect_workers_max_wait,
        web_ui=web_ui,
        progress_every=args.progress,
        fingerprint=digest.hexdigest(),
        header=header,
    )
    return plan, options


def run(args: argparse.Namespace) -> int:
    try:
        plan, options = build(args)
    except UsageError as exc:
        print(f"error: {_shorten(' '.join(str(exc).split()))}", file=sys.stderr)
        return EXIT_USAGE
    from ivr_studio.load.run import run_load

    return run_load(plan, options)
