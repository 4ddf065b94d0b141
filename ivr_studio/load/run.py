"""Running a load test on Locust: one process, or a master and its workers.

Why gevent (Locust's own model) and not threads. Locust runs every simulated user as a greenlet and
monkey-patches the standard library (threads, locks, ``queue``, sockets, ``time.sleep``) so that blocking
calls yield to the other greenlets. The call runtime was written for threads: a call runs on one thread
(its clock's), a :class:`~ivr_studio.runtime.clock.RealClock` waits on a ``threading.Condition``, partial
result callbacks go through a ``queue.SimpleQueue`` to a worker thread, and webhooks go out through
``http.client``. Under the patch each of these becomes its greenlet equivalent, so one greenlet per caller
runs the unchanged runtime, and a caller waiting for a timer or a response costs nothing.

Measured side by side with one OS thread per caller (``benchmarks/load.py``, numbers in
``benchmarks/README.md``): both kept every scenario expectation; threads used about a quarter less CPU per
webhook and kept real think time's timers closer at the median with 200 callers in one process (a greenlet
whose timer is due waits for every ready greenlet to yield, a thread gets the interpreter within its switch
interval), while greenlets had the smaller worst case. We keep greenlets: Locust's runners, statistics, web
UI and master/worker messages live on gevent's hub, so a thread per call would have to hand every sample
back to the hub, and under the patch the runtime's locks and sockets would need a hub per OS thread. Timer
lateness grows with the callers one process carries; more callers belong on more workers (one per core).
This module patches the process (:func:`patch_process`) before it imports Locust or starts anything.

The run itself is Locust as a library: an :class:`~locust.env.Environment` with the one
:class:`~ivr_studio.load.user.Caller` class, a local, master or worker runner, Locust's CSV writer, HTML
report and web UI, and our live progress line and final report on top. A worker runs the same command as
the master and checks that its scenarios and options are the master's (a fingerprint travels with the
master's start message); a worker that differs places no calls and the master says so.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


def patch_process() -> None:
    """gevent's monkey-patching, which Locust needs; call before anything starts a thread or a socket."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        monkey.patch_all()


@dataclass(frozen=True)
class RunOptions:
    """How to run: the load shape, the reports, and this process's part in a distributed run."""

    callers: int = 1
    ramp: float = 1.0
    duration: float = 60.0
    stop_timeout: float = 0.0
    csv_prefix: str | None = None
    html: str | None = None
    role: str = "local"  # local | master | worker
    master_host: str = "127.0.0.1"
    master_port: int = 5557
    master_bind_host: str = "*"
    master_bind_port: int = 5557
    expect_workers: int = 1
    expect_workers_max_wait: float = 60.0
    web_ui: tuple[str, int] | None = None
    progress_every: float = 2.0
    fingerprint: str = ""
    header: list[str] = field(default_factory=list)


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_TALLY_KEY = "ivr_studio"


def run_load(plan: Any, options: RunOptions, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the load test described by ``plan`` and ``options``; returns the exit status.

    0: every call completed and met its expectations; 1: some call failed, missed an expectation, or a
    worker's configuration differed; 2: the run could not start (workers missing, a port in use …).
    """
    patch_process()
    import gevent
    from locust import argument_parser
    from locust.env import Environment
    from locust.runners import MasterRunner, WorkerRunner
    from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter, stats_history

    from ivr_studio.load.report import final_report, progress_line
    from ivr_studio.load.tally import LoadTally
    from ivr_studio.load.user import caller_class

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=err)
    tally = LoadTally()
    user = caller_class(plan, tally)
    parser = argument_parser.get_empty_argument_parser(add_help=False, default_config_files=[])
    argument_parser.setup_parser_arguments(parser)
    parsed = parser.parse_args([])
    parsed.headless = options.web_ui is None
    parsed.num_users, parsed.spawn_rate, parsed.run_time = (
        options.callers,
        options.ramp,
        int(options.duration),
    )
    parsed.ivr_studio_fingerprint = options.fingerprint  # sent to the workers with the start message
    env = Environment(
        user_classes=[user], host=plan.url, stop_timeout=options.stop_timeout, parsed_options=parsed
    )
    env.locustfile = "ivr-studio load"
    problems: list[str] = []

    try:
        if options.role == "master":
            runner = env.create_master_runner(options.master_bind_host, options.master_bind_port)
        elif options.role == "worker":
            runner = env.create_worker_runner(options.master_host, options.master_port)
        else:
            runner = env.create_local_runner()
    except (OSError, ConnectionError) as exc:  # locust raises ConnectionError after giving up on a master
        print(f"error: cannot start the {options.role}: {exc or type(exc).__name__}", file=err)
        return EXIT_USAGE
    except SystemExit:  # locust exits when the master's port is taken; it has logged why
        return EXIT_USAGE

    if isinstance(runner, WorkerRunner):
        _worker_checks(env, user, tally, options)
        print(f"worker: connected to {options.master_host}:{options.master_port}", file=out, flush=True)
        runner.greenlet.join()
        return EXIT_OK

    if isinstance(runner, MasterRunner):
        env.events.worker_report.add_listener(lambda client_id, data: _merge_report(tally, problems, data))

    csv_writer = csv_greenlet = None
    if options.csv_prefix:
        Path(options.csv_prefix).parent.mkdir(parents=True, exist_ok=True)
        csv_writer = StatsCSVFileWriter(env, PERCENTILES_TO_REPORT, options.csv_prefix, False)
        csv_greenlet = gevent.spawn(csv_writer.stats_writer)
    gevent.spawn(stats_history, runner)
    if options.web_ui is not None:
        # Locust's web UI parses the process's command line as Locust's own to list extra options; ours is
        # not Locust's and would make it exit, so it sees the bare program name.
        del sys.argv[1:]
        host, port = options.web_ui
        web = env.create_web_ui(host=host, port=port, stats_csv_writer=csv_writer)
        print(f"Locust web UI: http://{host or '127.0.0.1'}:{port}", file=out, flush=True)
    else:
        web = None

    for line in options.header:
        print(line, file=out)
    out.flush()
    if isinstance(runner, MasterRunner) and not _wait_for_workers(runner, options, out, err):
        runner.quit()
        return EXIT_USAGE

    started = time.monotonic()

    def progress() -> None:
        while True:
            gevent.sleep(options.progress_every)
            print(
                progress_line(time.monotonic() - started, runner.user_count, tally, runner.stats),
                file=out,
                flush=True,
            )

    ticker = gevent.spawn(progress)
    stopper = gevent.spawn_later(options.duration, runner.quit)
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, runner.quit)
    runner.start(options.callers, options.ramp)
    runner.greenlet.join()
    stopper.kill(block=False)
    ticker.kill(block=False)
    if web is not None:
        web.stop()

    print("", file=out)
    print(final_report(tally, runner.stats), file=out)
    if tally.ended == 0:
        problems.append("no call ended within the run: give it a --duration longer than a call")
    for problem in problems:
        print(f"error: {problem}", file=err)
    if runner.exceptions:
        for exc in runner.exceptions.values():
            print(
                f"error: a caller failed {exc['count']} time(s): {exc['msg']}\n{exc['traceback']}", file=err
            )
    if csv_writer is not None:
        csv_greenlet.kill(block=True)
        _final_csv(csv_writer)
    if options.html:
        from locust.html import get_html_report

        from ivr_studio.files import write_text_atomic

        write_text_atomic(options.html, get_html_report(env, show_download_link=False))
    failed = tally.failed or tally.missed_calls or problems or runner.exceptions
    return EXIT_FAILED if failed else EXIT_OK


def _merge_report(tally: Any, problems: list[str], data: dict) -> None:
    report = data.get(_TALLY_KEY) or {}
    tally.merge(report.get("tally"))
    refused = report.get("refused")
    if refused and refused not in problems:
        problems.append(refused)


def _worker_checks(env: Any, user: Any, tally: Any, options: RunOptions) -> None:
    """Send the tally with every report; refuse to call when the master's configuration differs."""
    refusal: list[str] = []

    def on_test_start(environment: Any, **_kw: Any) -> None:
        theirs = getattr(environment.parsed_options, "ivr_studio_fingerprint", None)
        if theirs != options.fingerprint:
            user.accepted[0] = False
            refusal[:] = [
                f"a worker ({environment.runner.client_id}) placed no calls: its scenario files or options "
                "differ from the master's (run the same command, with the same files, on every machine)"
            ]
            logging.getLogger("ivr_studio.load").error(refusal[0])

    def on_report(client_id: str, data: dict) -> None:
        data[_TALLY_KEY] = {"tally": tally.drain(), "refused": refusal[0] if refusal else None}

    env.events.test_start.add_listener(on_test_start)
    env.events.report_to_master.add_listener(on_report)


def _wait_for_workers(runner: Any, options: RunOptions, out: TextIO, err: TextIO) -> bool:
    import gevent

    deadline = time.monotonic() + options.expect_workers_max_wait
    print(
        f"master: waiting for {options.expect_workers} worker(s) on port {options.master_bind_port}",
        file=out,
        flush=True,
    )
    while len(runner.clients.ready) < options.expect_workers:
        if time.monotonic() > deadline:
            print(
                f"error: only {len(runner.clients.ready)} of {options.expect_workers} worker(s) connected within "
                f"{options.expect_workers_max_wait:g} s",
                file=err,
            )
            return False
        gevent.sleep(0.2)
    return True


def _final_csv(writer: Any) -> None:
    """Write the CSV files once more with the final statistics, and close them.

    Locust's writer rewrites them every second while the run lasts and not at its end, so without this the
    files miss up to the last second of a run.
    """
    import time as _time

    for handle, csv_writer, columns, rows in (
        (writer.requests_csv_filehandle, writer.requests_csv_writer, writer.requests_csv_columns,
         writer._requests_data_rows),
        (writer.failures_csv_filehandle, writer.failures_csv_writer, writer.failures_columns,
         writer._failures_data_rows),
        (writer.exceptions_csv_filehandle, writer.exceptions_csv_writer, writer.exceptions_columns,
         writer._exceptions_data_rows),
    ):  # fmt: skip
        handle.seek(0)
        handle.truncate()
        csv_writer.writerow(columns)
        rows(csv_writer)
    writer._stats_history_data_rows(writer.stats_history_csv_writer, _time.time())
    writer.close_files()
