"""Test-call panel latency: what a caller on a live test call waits for, on the real clock.

1. Key → next prompt. A ``LiveCall`` (real clock, worker thread) against the support-line example's
   handler app built in memory, as the panel does. At the main menu the caller presses 3; measured is the
   wall time from ``call.press("3")`` to the ``say`` event of the next node (Billing hours), minus the
   webhook's own time (the result request's ``elapsed_ms``). Target: < 150 ms.
2. End of speech → SpeechResult. A speech Gather (phrase list, ``speechTimeout="auto"``) hears a real
   recording (pocketsphinx-testdata's goforward.raw, "go forward ten meters") spoken in real time through
   the panel's live speech path (``PacedAudio`` → ``SpeechSession`` → VAD + pocketsphinx). Measured from
   the moment the recording's speech ends (the recogniser's end time, in wall time) to ``SpeechFinal``
   reaching the call, and to ``gather_end`` (the SpeechResult request). The latter includes the ``auto``
   speechTimeout on purpose: it is what the caller waits. It no longer includes the VAD's hangover:
   ``SpeechEnded.ago`` dates the end of speech back to where the VAD heard the words stop, and the runtime
   counts speechTimeout from there, so the wait is the dated end's small lag behind the words plus the
   speechTimeout (and the request).

3. The call debugger (``ivr_studio.runtime.debugger``). The key → prompt of (1) again, now with a breakpoint
   on Billing hours: the call is held when the response for it arrives (the clock is paused) and resumed.
   Measured (a) with the resume made at once on the call's own thread, so the difference from (1) is what
   pausing and resuming cost the call; (b) with the resume made from another thread, as the editor does,
   from the ``resume()`` call to the ``say`` that starts Billing hours; (c) with the debugger installed but
   holding nothing, as the editor installs it on every test call (it is told of every response, with the
   call's cookies and the TwiML, for looking back). Target: pausing and resuming adds < 5 ms.

Run: ``.venv/bin/python benchmarks/call_latency.py`` (``--debugger``: only part 3).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _machine import machine  # noqa: E402

from ivr_studio.bundle.serve import wsgi_app_for_target  # noqa: E402
from ivr_studio.runtime.clock import RealClock  # noqa: E402
from ivr_studio.runtime.debugger import CallDebugger  # noqa: E402
from ivr_studio.runtime.engine import CallEngine  # noqa: E402
from ivr_studio.runtime.live import LiveCall  # noqa: E402
from ivr_studio.runtime.settings import RuntimeSettings  # noqa: E402
from ivr_studio.runtime.transports import WsgiTransport  # noqa: E402
from ivr_studio.ui.call.speech import PacedAudio, SpeechConfig, SpeechSession, wav_pcm  # noqa: E402
from ivr_studio.voice.providers import DefaultRecognizerProvider  # noqa: E402
from ivr_studio.voice.speech_input import AUTO_SPEECH_TIMEOUT  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SUPPORT_LINE = ROOT / "resources" / "examples" / "support-line.ivrflow"
GOFORWARD = Path("/usr/share/pocketsphinx/test/data/goforward.raw")
FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
KEY_RUNS = 30
SPEECH_RUNS = 5

ROBOT = {
    "format": "ivrflow",
    "version": 1,
    "name": "Robot",
    "start": "menu",
    "nodes": [
        {
            "id": "menu",
            "kind": "gather",
            "title": "Where to",
            "attributes": {"input": "speech", "hints": "go forward ten meters, turn left, stop",
                           "speechTimeout": "auto", "timeout": 8},
            "prompts": [{"kind": "say", "text": "Where to?"}],
            "branches": [{"id": "forward", "phrases": ["go forward ten meters"]},
                         {"id": "left", "phrases": ["turn left"]}, {"id": "stop", "phrases": ["stop"]}],
            "links": {"branch:forward": "done", "branch:left": "done", "branch:stop": "done"},
        },
        {"id": "done", "kind": "say", "title": "Done", "text": "Okay."},
    ],
}  # fmt: skip


class Watch:
    """Wall time (perf_counter) of each trace event, taken on the call's thread as it is emitted."""

    def __init__(self, call: LiveCall) -> None:
        self.events: list[tuple[float, dict]] = []
        self.changed = threading.Condition()
        call.subscribe(self._on_event)

    def _on_event(self, event: dict) -> None:
        with self.changed:
            self.events.append((time.perf_counter(), event))
            self.changed.notify_all()

    def wait_for(self, test, timeout: float = 20.0) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for wall, event in self.events:
                    if test(event):
                        return wall, event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the expected event did not come")
                self.changed.wait(left)


def key_to_prompt() -> list[tuple[float, float]]:
    app, url = wsgi_app_for_target(SUPPORT_LINE)
    results = []
    for _ in range(KEY_RUNS):
        call = LiveCall(CallEngine(url, WsgiTransport(app), clock=RealClock(), settings=FAST))
        watch = Watch(call)
        call.start()
        watch.wait_for(lambda e: e["event"] == "listening")
        pressed = time.perf_counter()
        call.press("3")
        said, _ = watch.wait_for(lambda e: e["event"] == "say" and "billing team" in e["text"])
        _, request = watch.wait_for(lambda e: e["event"] == "request" and "/result" in e["url"])
        call.hang_up()
        call.wait(5)
        total_ms = (said - pressed) * 1000
        results.append((total_ms, total_ms - float(request["elapsed_ms"])))
    return results


def one_key_to_prompt(
    app, url: str, breakpoint: bool, resume_from_call_thread: bool = True, gate: bool = False
) -> float:
    """One call: press 3 at the main menu; ms until Billing hours' prompt starts. With ``breakpoint`` the
    call is held at Billing hours and resumed: at once on the call's thread, or from this thread (then the
    time is counted from the ``resume()`` call, what the user waits after pressing Continue). With ``gate``
    (and no breakpoint) the debugger is installed as the editor installs it on every call, holding nothing
    but told of every arrival."""
    engine = CallEngine(url, WsgiTransport(app), clock=RealClock(), settings=FAST)
    held = threading.Event()
    if gate and not breakpoint:
        arrivals = []
        engine.gate = CallDebugger(engine.clock, (), None, on_arrival=arrivals.append)
    if breakpoint:

        def on_pause(_pause) -> None:
            if resume_from_call_thread:
                engine.gate.resume()
            else:
                held.set()

        engine.gate = CallDebugger(engine.clock, {"billing_info"}, on_pause)
    call = LiveCall(engine)
    watch = Watch(call)
    call.start()
    watch.wait_for(lambda e: e["event"] == "listening")
    pressed = time.perf_counter()
    call.press("3")
    if breakpoint and not resume_from_call_thread:
        assert held.wait(10), "the call was not held at Billing hours"
        pressed = time.perf_counter()
        engine.gate.resume()
    said, _ = watch.wait_for(lambda e: e["event"] == "say" and "billing team" in e["text"])
    call.hang_up()
    call.wait(5)
    return (said - pressed) * 1000


def debugger_overhead() -> tuple[list[float], list[float], list[float], list[float]]:
    """(plain, the debugger installed but holding nothing, held and resumed at once, resume() from another
    thread → prompt), interleaved call by call so a busy machine slows all four alike."""
    app, url = wsgi_app_for_target(SUPPORT_LINE)
    plain, installed, held, from_ui = [], [], [], []
    for _ in range(KEY_RUNS):
        plain.append(one_key_to_prompt(app, url, breakpoint=False))
        installed.append(one_key_to_prompt(app, url, breakpoint=False, gate=True))
        held.append(one_key_to_prompt(app, url, breakpoint=True))
        from_ui.append(one_key_to_prompt(app, url, breakpoint=True, resume_from_call_thread=False))
    return plain, installed, held, from_ui


def speech_to_result(provider: DefaultRecognizerProvider) -> list[tuple[float, float, float]]:
    pcm = wav_pcm(GOFORWARD)
    with tempfile.TemporaryDirectory() as tmp:
        flow = Path(tmp) / "robot.ivrflow"
        flow.write_text(json.dumps(ROBOT), encoding="utf-8")
        app, url = wsgi_app_for_target(flow)
    results = []
    for _ in range(SPEECH_RUNS):
        call = LiveCall(CallEngine(url, WsgiTransport(app), clock=RealClock()))
        watch = Watch(call)
        call.start()
        _, gather = watch.wait_for(lambda e: e["event"] == "gather_start")
        reports = []
        session = SpeechSession(
            provider, SpeechConfig.from_gather(gather["attributes"]), call.post, reports.append
        )
        watch.wait_for(lambda e: e["event"] == "listening")
        paced = PacedAudio(pcm, session.feed)
        started = time.perf_counter()
        paced.start()
        final_wall, _ = watch.wait_for(lambda e: e["event"] == "speech" and e["phase"] == "final", 15)
        end_wall, end = watch.wait_for(lambda e: e["event"] == "gather_end", 15)
        assert end["speech"] == "Go forward ten meters.", end
        # where the words stop in the recording, by the recogniser's own alignment of the final result
        spoken_end = started + session_speech_end(reports, provider, pcm)
        paced.stop()
        session.close(2)
        call.hang_up()
        call.wait(5)
        results.append(((final_wall - spoken_end) * 1000, (end_wall - spoken_end) * 1000, 0.0))
    return results


def debugger_report() -> int:
    plain, installed, at_once, from_ui = debugger_overhead()
    print(f"\nThe call debugger, 4 x {KEY_RUNS} calls interleaved (a breakpoint on Billing hours):")
    print("| measure | median | p90 | max |")
    print("|---|---|---|---|")
    for name, values in (
        ("key -> say, no debugger", sorted(plain)),
        ("key -> say, debugger installed, no breakpoint (as in the editor)", sorted(installed)),
        ("key -> say, held at the breakpoint and resumed at once", sorted(at_once)),
        ("resume() from another thread -> say", sorted(from_ui)),
    ):
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"| {name} | {statistics.median(values):.1f} ms | {p90:.1f} ms | {max(values):.1f} ms |")
    added = statistics.median(at_once) - statistics.median(plain)
    installed_added = statistics.median(installed) - statistics.median(plain)
    print(f"\nPausing and resuming adds {added:.2f} ms to the key -> prompt median (target < 5 ms)")
    print(f"The debugger installed but holding nothing adds {installed_added:.2f} ms")
    return 0


_speech_end_cache: dict[int, float] = {}


def session_speech_end(_reports: list, provider: DefaultRecognizerProvider, pcm: bytes) -> float:
    """Audio time (s) at which the words end in the recording (recogniser alignment, computed once)."""
    if id(pcm) not in _speech_end_cache:
        from ivr_studio.voice.speech_input import SpeechInput

        speech = SpeechInput(provider.open("en-US", ["go forward ten meters", "turn left", "stop"]))
        speech.feed(pcm)
        _speech_end_cache[id(pcm)] = speech.final().end
    return _speech_end_cache[id(pcm)]


def main() -> int:
    print(f"Machine: {machine()}\n")
    if "--debugger" in sys.argv[1:]:  # only the call debugger's part
        return debugger_report()
    keys = key_to_prompt()
    totals = sorted(k[0] for k in keys)
    beyond = sorted(k[1] for k in keys)
    print(f"Key -> next prompt, {KEY_RUNS} calls (support-line, press 3 -> Billing hours):")
    print("| measure | median | p90 | max |")
    print("|---|---|---|---|")
    for name, values in (("key -> say, total", totals), ("beyond the webhook's own time", beyond)):
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"| {name} | {statistics.median(values):.1f} ms | {p90:.1f} ms | {max(values):.1f} ms |")
    debugger_report()
    if not GOFORWARD.exists():
        print("\n(pocketsphinx-testdata not installed: speech latency skipped)")
        return 0
    provider = DefaultRecognizerProvider()
    provider.open("en-US", ["warm up"])  # load the model before measuring
    speech = speech_to_result(provider)
    print(f"\nEnd of speech -> result, {SPEECH_RUNS} calls, goforward.raw in real time, phrase list, auto:")
    print("| measure | median | max |")
    print("|---|---|---|")
    for name, idx in (
        ("end of words -> SpeechFinal posted", 0),
        ("end of words -> gather_end (SpeechResult)", 1),
    ):
        values = [s[idx] for s in speech]
        print(f"| {name} | {statistics.median(values):.0f} ms | {max(values):.0f} ms |")
    print(f"\n(auto speechTimeout = {AUTO_SPEECH_TIMEOUT} s after the VAD's end of speech, by design)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
