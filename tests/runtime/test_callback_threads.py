"""The background thread of a live call (callbacks, transcriptions) never outlives the call's work: a thread
left waiting, or still working, while tests or the editor go on — and then while the interpreter shuts down —
is how a process crashes in a C extension with a callback thread on the stack."""

from __future__ import annotations

import threading

from runtime_support import AUTH_TOKEN, FakeApp, Received, doc

from ivr_studio.runtime import CallEngine, HttpTransport, RealClock
from ivr_studio.runtime.callbacks import CallbackWorker
from ivr_studio.runtime.live import LiveCall
from ivr_studio.runtime.script import parse_script
from ivr_studio.runtime.settings import RuntimeSettings

TRANSCRIBED = '<Record action="/rec" method="GET" timeout="2" playBeep="false" transcribe="true" transcribeCallback="/t"/>'


def _callback_threads(before: set[int]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ivr-callbacks" and t.ident not in before]


def test_a_job_kept_after_the_close_runs_and_its_thread_then_ends():
    worker = CallbackWorker()
    ran: list[str] = []
    worker.submit(lambda: ran.append("before"), keep=True)
    worker.close()
    assert worker.join(10)  # closed and idle: the thread ends
    worker.submit(lambda: ran.append("interim"))  # dropped: the call is over
    worker.submit(lambda: ran.append("kept"), keep=True)  # still runs, on a new thread
    assert worker.join(10), "the thread started for a kept job is still waiting after it"
    assert ran == ["before", "kept"]


def test_no_callback_thread_outlives_a_live_call_with_a_transcription(serve_wsgi, tmp_path):
    arrived = threading.Event()

    def transcription(req: Received) -> str:
        arrived.set()
        return "ok"

    app = FakeApp({"/menu": doc(TRANSCRIBED), "/rec": doc("<Hangup/>"), "/t": transcription})
    base = serve_wsgi(app)
    before = {t.ident for t in threading.enumerate()}
    engine = CallEngine(
        f"{base}/menu",
        HttpTransport(),
        clock=RealClock(),
        settings=RuntimeSettings(recordings_dir=str(tmp_path)),
        auth_token=AUTH_TOKEN,
    )
    live = LiveCall(engine, max_duration=20)
    live.start(parse_script({"steps": [{"wait": 0.1}, {"say": "call me", "duration": 2.5}]}))
    assert live.wait(60) and arrived.is_set()
    assert [e["text"] for e in engine.trace.of("transcription")] == ["Call me."]
    assert _callback_threads(before) == []
