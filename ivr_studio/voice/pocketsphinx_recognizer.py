"""The bundled fallback recogniser: pocketsphinx with the US-English model shipped inside its wheel.

It needs no download, so English speech input works right after install. Two modes:

* **free** — the wheel's general English language model;
* **phrase list** — a JSGF grammar of exactly the given phrases picks the closest phrase, and a
  keyphrase-spotting pass over the same audio acts as the gate: when no phrase is spotted the transcript is
  empty, so out-of-grammar speech is not forced onto a branch (the job ``[unk]`` does for vosk). A phone-loop
  "garbage" alternative inside the grammar was tried first; it rejected well but ran at ~6x real time.
  When that final pass gives nothing (the grammar's path breaks off — pocketsphinx's "Final result does not
  match the grammar" — or the gate spots nothing) but the live decoder's hypothesis at the end of the
  utterance is one whole phrase of the list, that phrase is the result (``partial_fallback``): on synthetic
  speech the final pass loses most of what the live pass, adapting its cepstral mean as it goes, heard. A
  hypothesis that is only part of a phrase ("opening" for "good morning") is still rejected, and so is a
  phrase a confident free decode of the same audio contradicts: on human speech outside the list both
  grammar passes agree on the nearest phrase and only the gate — or a free decode — tells. See
  ``benchmarks/README.md`` for the phrase accuracy before and after.

The transcript comes from one batch decode of the whole utterance — when the VAD reports ``speech_end``
(through :meth:`PocketsphinxSession.on_vad`, inside the silence the runtime waits out anyway) or in
:meth:`PocketsphinxSession.final`. Batch cepstral-mean normalisation is markedly more accurate on short
utterances from an unknown channel than live decoding ("ten of clubs" came out as "a ton of close" live and
right in batch). With the narrowed search (:data:`DECODER_SEARCH`) it runs at RTF ~0.04 with a grammar and
~0.11-0.15 free on 2 cores. A second, live decoder produces interim results as audio arrives (the panel's
live transcript, ``partialResultCallback``, the words so far when ``maxSpeechTime`` cuts a caller off): by
default in phrase-list mode only, where it is cheap; in free mode it would double the cost (RTF 0.23-0.32).

Confidence is the mean posterior probability of the recognised words (pocketsphinx computes it from the
lattice). Word timings come in 10 ms frames and are turned into audio seconds since the session began.

Decoders take ~0.4 s to create, so :class:`PocketsphinxEngine` keeps small pools and lends decoders to each
session; a session returns them when :meth:`PocketsphinxSession.final` or :meth:`~PocketsphinxSession.close`
is called.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from collections.abc import Sequence

from pocketsphinx import Decoder

from ivr_studio.voice.interfaces import SAMPLE_RATE, FinalResult, PartialResult, VadEvent

log = logging.getLogger(__name__)

#: The search, narrower than pocketsphinx's defaults: at most 5,000 active HMMs a frame (default 30,000) and
#: no second (flat-lexicon) pass. On Debian's pocketsphinx-testdata recordings (goforward, something, cards,
#: librivox: 101 words) this decoded at RTF 0.12 instead of 0.22 with the same word error rate (20 vs 21
#: errors; on phone-fidelity audio 39 vs 49), and the longest sentence (7.1 s) in 0.84 s instead of 1.45 s —
#: which is what keeps the final result inside the speechTimeout a caller waits out anyway.
DECODER_SEARCH = {"maxhmmpf": 5000, "fwdflat": False}
#: Keyphrase-spotting threshold per word of a phrase (pocketsphinx's kws thresholds scale with length).
KWS_THRESHOLD_PER_WORD = 1e-10
#: A free decode this sure (mean word posterior) of words that are not a phrase's vetoes taking that phrase
#: from the live pass (see ``PocketsphinxSession._live_phrase``). On pocketsphinx-testdata's speech outside
#: the phrase list the free decode is 0.62-0.99 sure of what was really said, the same in every run; on
#: espeak-ng saying the phrases it is 0-0.9 sure of mostly wrong words, and the posteriors of synthetic
#: speech change from one process to the next (pocketsphinx's own variation), so some synthetic phrases are
#: vetoed in some runs. Human speech off the list is what this must keep out.
FREE_VETO_CONFIDENCE = 0.55
#: The veto's free decode only needs to know whether the caller clearly said other words: a search of 2,000
#: HMMs a frame costs a third less than :data:`DECODER_SEARCH` and gives the same confidences on that speech.
VETO_SEARCH = {"maxhmmpf": 2000, "fwdflat": False}
#: How much audio (s) passes between two interim-hypothesis checks (a backtrace is not free).
_PARTIAL_INTERVAL = 0.2
#: Longest utterance kept for the batch pass; Twilio ends a speech Gather after 60 s anyway (§2.4).
_MAX_SECONDS = 60
_FRAME_RATE = 100  # pocketsphinx frames per second
_WORD_RE = re.compile(r"[a-z0-9']+")


#: pocketsphinx's log level for every decoder (its log goes straight to stderr, not to Python's logging).
POCKETSPHINX_LOG_LEVEL = "FATAL"


def normalize_phrase(phrase: str) -> list[str]:
    """Lower-case words of a phrase, punctuation dropped (``"Sales!"`` -> ``["sales"]``)."""
    return _WORD_RE.findall(phrase.lower())


def _is_filler(word: str) -> bool:
    return word.startswith(("<", "[", "+"))


def _base_word(word: str) -> str:
    """Drop pocketsphinx's alternate-pronunciation suffix: ``and(2)`` -> ``and``."""
    return word.split("(", 1)[0]


class PocketsphinxEngine:
    """Owns the pocketsphinx model and pools of decoders; opens :class:`PocketsphinxSession` objects.

    Live decoders (interim results) and batch decoders (final results) are pooled apart: live decoding
    moves a decoder's running cepstral mean, and a batch decoder that never decodes live gives the same
    result for the same audio whatever it decoded before.
    """

    language = "en-US"

    def __init__(self, live_partials: bool | None = None, partial_fallback: bool = True) -> None:
        #: Decode while audio arrives to report interim text: True always, False never, None (default) in
        #: phrase-list mode only — in free mode the live pass costs as much again as the batch pass (RTF
        #: 0.23-0.32 in all on 2 cores, at or over the 0.3 budget) for text nothing but a display uses.
        self.live_partials = live_partials
        #: In phrase-list mode, when the final pass finds no phrase, take the live pass's hypothesis if it is
        #: exactly one phrase of the list (see the module docstring).
        self.partial_fallback = partial_fallback
        self._pools: dict[str, list[Decoder]] = {"live": [], "batch": [], "veto": []}
        self._lock = threading.Lock()
        self._warming = threading.Lock()
        self._warm = False

    def _acquire(self, kind: str) -> Decoder:
        with self._lock:
            if self._pools[kind]:
                return self._pools[kind].pop()
        # FATAL: pocketsphinx's own log lines stay off stderr. Its ERROR lines are ordinary outcomes here
        # ("Final result does not match the grammar" is a phrase list hearing nothing it knows, which the
        # session reports as an empty result); real failures raise exceptions through the bindings.
        search = VETO_SEARCH if kind == "veto" else DECODER_SEARCH
        return Decoder(loglevel=POCKETSPHINX_LOG_LEVEL, samprate=SAMPLE_RATE, **search)

    def _release(self, kind: str, decoder: Decoder) -> None:
        with self._lock:
            if len(self._pools[kind]) < 4:
                self._pools[kind].append(decoder)

    def idle_decoders(self) -> dict[str, int]:
        """How many decoders of each kind ("live", "batch", "veto") wait in the pools."""
        with self._lock:
            return {kind: len(pool) for kind, pool in self._pools.items()}

    @property
    def warm(self) -> bool:
        """True once :meth:`warm_up` has run (a decoder of each kind a session needs was made)."""
        return self._warm

    def warm_up(self) -> None:
        """Create decoders ahead of time so the first Gather does not wait for model loading; once.

        Each decoder loads the model, so a second caller while one warms up (the call's warm-up thread and
        a Gather's speech session, say) waits for that one instead of loading the model again beside it.
        """
        kinds = ["batch"] if self.live_partials is False else ["live", "batch"]
        if self.partial_fallback and self.live_partials is not False:
            kinds.append("veto")
        with self._warming:
            if self._warm:
                return
            for kind in kinds:
                self._release(kind, self._acquire(kind))
            self._warm = True

    def open(self, phrases: Sequence[str] | None = None) -> PocketsphinxSession:
        return PocketsphinxSession(self, phrases)


def _phrase_searches(decoder: Decoder, phrases: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Add the ``phrases`` grammar and ``gate`` keyphrase searches; returns (normalised -> original, skipped).

    Phrases with a word missing from the pronunciation dictionary cannot be recognised and are skipped.
    """
    originals: dict[str, str] = {}
    skipped: list[str] = []
    for phrase in phrases:
        words = normalize_phrase(phrase)
        if not words:
            continue
        if any(decoder.lookup_word(w) is None for w in words):
            skipped.append(phrase)
            continue
        originals.setdefault(" ".join(words), phrase.strip())
    if skipped:
        log.warning("pocketsphinx: no pronunciation for some words; skipped phrases %r", skipped)
    if not originals:
        return originals, skipped
    body = " | ".join(f"( {key} )" for key in originals)
    decoder.add_jsgf_string("phrases", f"#JSGF V1.0;\ngrammar phrases;\npublic <utterance> = {body};\n")
    lines = [f"{key} /{KWS_THRESHOLD_PER_WORD ** len(key.split()):.0e}/" for key in originals]
    fd, path = tempfile.mkstemp(suffix=".kws", text=True)
    try:
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        decoder.add_kws("gate", path)
    finally:
        os.unlink(path)
    return originals, skipped


class PocketsphinxSession:
    """One utterance's recognition with pocketsphinx (implements ``StreamingRecognizer``)."""

    def __init__(self, engine: PocketsphinxEngine, phrases: Sequence[str] | None) -> None:
        self._engine = engine
        self._batcher: Decoder | None = engine._acquire("batch")
        self._decoder: Decoder | None = None
        self._open = True
        self._originals: dict[str, str] = {}
        self.skipped_phrases: list[str] = []
        self.mode = "free"
        if phrases:
            self._originals, self.skipped_phrases = _phrase_searches(self._batcher, phrases)
            if self._originals:
                self.mode = "phrases"
        live = engine.live_partials if engine.live_partials is not None else self.mode == "phrases"
        if live:
            self._decoder = engine._acquire("live")
            if self.mode == "phrases":
                _phrase_searches(self._decoder, phrases or ())
        self._search = "phrases" if self.mode == "phrases" else "_default"
        self._audio = bytearray()
        self._since_partial = 0
        self._last_partial = ""
        self._result: FinalResult | None = None
        self._prepared: FinalResult | None = None
        if self._decoder is not None:
            self._decoder.activate_search(self._search)
            self._decoder.start_utt()

    @property
    def _seconds(self) -> float:
        return len(self._audio) / 2 / SAMPLE_RATE

    def accept(self, pcm: bytes) -> PartialResult | None:
        if not self._open:
            raise RuntimeError("accept() after final(): open a new session for the next utterance")
        if not pcm or len(self._audio) >= _MAX_SECONDS * SAMPLE_RATE * 2:
            return None
        self._audio += pcm
        if self._decoder is None:
            return None
        self._decoder.process_raw(pcm, False, False)
        self._since_partial += len(pcm) // 2
        if self._since_partial < _PARTIAL_INTERVAL * SAMPLE_RATE:
            return None
        self._since_partial = 0
        hyp = self._decoder.hyp()
        words = hyp.hypstr.split() if hyp is not None else []
        text = " ".join(_base_word(w) for w in words if not _is_filler(w))
        if text == self._last_partial:
            return None
        self._last_partial = text
        return PartialResult(text, self._seconds)

    def _batch(self, decoder: Decoder, search: str) -> list[tuple[str, int, int, float]]:
        decoder.activate_search(search)
        decoder.start_utt()
        decoder.process_raw(bytes(self._audio), False, True)
        decoder.end_utt()
        return [
            (_base_word(s.word), s.start_frame, s.end_frame, s.prob)
            for s in decoder.seg() or ()
            if not _is_filler(s.word) and _base_word(s.word)  # a grammar's "(NULL)" transitions are no words
        ]

    def _decode(self) -> FinalResult:
        decoder = self._batcher
        words = self._batch(decoder, self._search) if self._audio else []
        chosen = " ".join(w[0] for w in words)
        if words and self.mode == "phrases":
            spotted = {" ".join(normalize_phrase(w[0])) for w in self._batch(decoder, "gate")}
            if chosen not in spotted:
                words = []  # the spotter did not hear that phrase: out-of-grammar speech, not a branch
        if not words and self.mode == "phrases" and self._engine.partial_fallback:
            words = self._live_phrase(chosen)
        if not words:
            return FinalResult("", 0.0, 0.0, self._seconds)
        text = " ".join(w[0] for w in words)
        text = self._originals.get(text, text)
        confidence = sum(min(1.0, max(0.0, w[3])) for w in words) / len(words)
        start, end = words[0][1] / _FRAME_RATE, min(self._seconds, (words[-1][2] + 1) / _FRAME_RATE)
        return FinalResult(text, round(confidence, 5), start, end)

    def _live_phrase(self, grammar_choice: str) -> list[tuple[str, int, int, float]]:
        """The live pass's words when the final pass found no phrase but the live pass heard one whole phrase
        of the list, and nothing says otherwise; else none.

        Something says otherwise when the grammar's final pass chose a different whole phrase, or when a
        free (whole-vocabulary) decode of the utterance is confident (mean word posterior at least
        ``FREE_VETO_CONFIDENCE``) of words that do not include the phrase's: then the caller said something
        else, which both grammar passes were forced onto the nearest phrase.
        """
        if self._decoder is None or not self._audio:
            return []
        self._decoder.hyp()  # the backtrace that seg() reads
        words = [
            (_base_word(s.word), s.start_frame, s.end_frame, s.prob)
            for s in self._decoder.seg() or ()
            if not _is_filler(s.word) and _base_word(s.word)  # a grammar's "(NULL)" transitions are no words
        ]
        heard = " ".join(w[0] for w in words)
        if heard not in self._originals:
            return []
        if grammar_choice in self._originals and grammar_choice != heard:
            return []
        veto = self._engine._acquire("veto")
        try:
            free = self._batch(veto, "_default")
        finally:
            self._engine._release("veto", veto)
        if free:
            confidence = sum(min(1.0, max(0.0, w[3])) for w in free) / len(free)
            said = {w[0] for w in free}
            if confidence >= FREE_VETO_CONFIDENCE and not set(heard.split()) <= said:
                return []
        return words

    def on_vad(self, event: VadEvent) -> None:
        """Optional hook (called by :class:`~ivr_studio.voice.speech_input.SpeechInput`).

        At ``speech_end`` the batch pass runs at once, while the runtime waits out ``speechTimeout``, so
        :meth:`final` returns without delay; a later ``speech_start`` discards that early result.
        """
        if not self._open:
            return
        self._prepared = self._decode() if event.kind == "speech_end" else None

    def final(self) -> FinalResult:
        if self._result is not None:
            return self._result
        if self._batcher is None:
            raise RuntimeError("final() after close()")
        self._open = False
        try:
            self._result = self._prepared if self._prepared is not None else self._decode()
        finally:
            self._give_back()
        return self._result

    def close(self) -> None:
        """End the session without wanting its result: the decoders go back to the engine's pools."""
        self._open = False
        self._give_back()

    def _give_back(self) -> None:
        if self._decoder is not None:
            self._decoder.end_utt()
            self._engine._release("live", self._decoder)
            self._decoder = None
        if self._batcher is not None:
            self._engine._release("batch", self._batcher)
            self._batcher = None
