"""The primary recogniser: vosk (Kaldi) with one model per Gather ``language``.

* **free mode** — the model's own language model.
* **phrase-list mode** — a vosk grammar (a JSON list) of the given phrases plus ``"[unk]"``, so speech
  outside the list comes back as ``[unk]`` (reported as an empty transcript) instead of being forced onto a
  branch. Small vosk models support grammars; big ones (static HCLG graphs) ignore them and run free.
  A few small models (the Korean one, for instance) have no ``[unk]`` word; then it is left out (Kaldi
  would only warn and ignore it) and such a model can still force other speech onto a phrase —
  ``VoskSession.rejects_unknown`` says which case applies.

Word confidences come from ``SetWords(True)``; the result's confidence is their mean. Vosk's own endpointer
may close segments mid-stream (``AcceptWaveform`` returns True); their words are kept and joined in
:meth:`VoskSession.final`. Word times are audio seconds since the session began.

Loading a model costs seconds and hundreds of MB, so :class:`VoskEngine` loads it once (lazily, under a
lock) and every session shares it; a model that fails to load raises :class:`ModelLoadError` naming the
folder and what is wrong with it.

**Free-mode recognisers are pooled.** Small vosk models (``HCLr.fst`` + ``Gr.fst``) compose their decoding
graph on the fly, and each recogniser caches the part of the composition it has visited. A new recogniser
starts with an empty cache, and on 2 cores that expansion costs more than the search itself: the first
utterance through a fresh recogniser ran at ~0.6x real time, the same audio through one that had already
decoded a few utterances at ~0.05x. So :class:`VoskEngine` lends free-mode recognisers to sessions and takes
them back when a session ends (:meth:`VoskSession.final` or :meth:`VoskSession.close`), and
:meth:`VoskEngine.warm_up` decodes a short clip so even a call's first utterance finds a warm cache. A
returned recogniser has been finalised, so the next session starts with a fresh feature pipeline (no
adaptation carried over); vosk keeps counting audio time across sessions, which the session subtracts so
its word times still start at zero. Phrase-list sessions build their own small grammar graph and are not
pooled.

Transcripts are as reproducible pooled as not: Kaldi dithers the audio with its process-wide random
generator, so the same clip can come out slightly differently depending on how much audio the process has
decoded before — visibly only on synthetic speech with digital silence (espeak-ng prompts), not on recordings
of people. Tests therefore assert exact transcripts on recorded speech.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ivr_studio.voice.interfaces import SAMPLE_RATE, FinalResult, PartialResult

log = logging.getLogger(__name__)

UNKNOWN = "[unk]"
#: Interim results are computed at most this often (in samples of audio): 0.2 s.
PARTIAL_EVERY_SAMPLES = SAMPLE_RATE // 5
#: Idle free-mode recognisers an engine keeps (each holds its own cache of the composed graph).
MAX_IDLE_RECOGNIZERS = 2
#: Fed to a recogniser stopped right at one of vosk's own endpoints, so that it can be finalised (10 ms).
_FLUSH = b"\x00\x00" * (SAMPLE_RATE // 100)


class ModelLoadError(RuntimeError):
    """A speech model folder is missing, incomplete or could not be loaded."""


def vosk_model_problem(path: str | Path) -> str | None:
    """None if ``path`` looks like a vosk model folder, else what is missing (checked before loading).

    A vosk model has an acoustic model (``am/final.mdl``, or ``final.mdl`` in older layouts), a feature
    config (``conf/mfcc.conf`` or ``mfcc.conf``) and a decoding graph (``HCLG.fst`` or ``HCLr.fst`` +
    ``Gr.fst``, in ``graph/`` or at the top).
    """
    root = Path(path)
    if not root.is_dir():
        return f"{root} is not a folder"

    def has(*names: str) -> bool:
        return any((root / n).is_file() for n in names)

    if not has("am/final.mdl", "final.mdl"):
        return f"{root} has no acoustic model (am/final.mdl)"
    if not has("conf/mfcc.conf", "mfcc.conf"):
        return f"{root} has no feature configuration (conf/mfcc.conf)"
    if not (has("graph/HCLG.fst", "HCLG.fst") or has("graph/HCLr.fst", "HCLr.fst")):
        return f"{root} has no decoding graph (graph/HCLG.fst or graph/HCLr.fst)"
    return None


def _quiet_vosk() -> Any:
    import vosk

    vosk.SetLogLevel(-1)
    return vosk


class _Pooled:
    """A free-mode recogniser and the audio (in samples) it has decoded in earlier sessions."""

    __slots__ = ("rec", "samples")

    def __init__(self, rec: Any) -> None:
        self.rec = rec
        self.samples = 0


class VoskEngine:
    """One vosk model (one language); opens :class:`VoskSession` objects that share it."""

    def __init__(self, model_path: str | Path, language: str = "") -> None:
        self.model_path = Path(model_path)
        self.language = language
        self._model: Any = None
        self._lock = threading.Lock()
        self._idle: list[_Pooled] = []
        self._warm = False
        self._warming = threading.Lock()

    def load(self) -> Any:
        """Load the model now (else the first session does it). Raises :class:`ModelLoadError`."""
        with self._lock:
            if self._model is None:
                problem = vosk_model_problem(self.model_path)
                if problem:
                    raise ModelLoadError(f"cannot use the {self.language or 'vosk'} speech model: {problem}")
                vosk = _quiet_vosk()
                try:
                    self._model = vosk.Model(str(self.model_path))
                except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
                    tag = self.language or "<lang>"
                    raise ModelLoadError(
                        f"vosk could not load the model in {self.model_path}: {exc}. The folder may be "
                        "damaged or from an incompatible vosk version; remove it with "
                        f"`ivr-studio models remove {tag}`, then download it again "
                        f"(`ivr-studio models download {tag}`) or add a working copy "
                        f"(`ivr-studio models add DIR --language {tag}`)"
                    ) from exc
            return self._model

    @property
    def warm(self) -> bool:
        """True once :meth:`warm_up` has run (the model is loaded and a recogniser has a warm cache)."""
        return self._warm

    def warm_up(self, pcm: bytes = b"") -> None:
        """Load the model and decode ``pcm`` (16 kHz mono speech) on a pooled recogniser, once.

        Any speech in the model's language helps — a few spoken numbers fill most of the cache a call's
        first utterance needs. Without ``pcm``, a second of silence still expands the graph's start.
        """
        with self._warming:  # a second caller waits for the first warm-up instead of starting another
            if self._warm:
                return
            session = self.open(None)
            session.accept(pcm or b"\x00\x00" * SAMPLE_RATE)
            session.final()
            self._warm = True

    def idle_recognizers(self) -> int:
        """How many free-mode recognisers wait in the pool."""
        with self._lock:
            return len(self._idle)

    def _acquire(self) -> _Pooled:
        model = self.load()
        with self._lock:
            if self._idle:
                return self._idle.pop()
        rec = _quiet_vosk().KaldiRecognizer(model, SAMPLE_RATE)
        rec.SetWords(True)
        return _Pooled(rec)

    def _release(self, pooled: _Pooled) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE_RECOGNIZERS:
                self._idle.append(pooled)

    def open(self, phrases: Sequence[str] | None = None) -> VoskSession:
        return VoskSession(self.load(), phrases, self)


class VoskSession:
    """One utterance's recognition with vosk (implements ``StreamingRecognizer``)."""

    def __init__(self, model: Any, phrases: Sequence[str] | None, engine: VoskEngine | None = None) -> None:
        """Phrase-list sessions get a recogniser of their own; free-mode ones borrow one from ``engine``."""
        vosk = _quiet_vosk()
        # A grammar entry must be words of the model's vocabulary: lower case, NFC (how vosk lexicons are
        # written), punctuation of any script dropped ("감사합니다." -> "감사합니다", "Sales!" -> "sales"),
        # letters, combining marks and digits of every script kept, and an apostrophe inside a word ("don't").
        # The result reports the phrase as the user wrote it.
        self._originals: dict[str, str] = {}
        for phrase in phrases or ():
            text = unicodedata.normalize("NFC", phrase).lower().replace("\u2019", "'")
            kept = "".join(c if c == "'" or unicodedata.category(c)[0] in "LMN" else " " for c in text)
            key = " ".join(w for w in (word.strip("'") for word in kept.split()) if w)
            if key:
                self._originals.setdefault(key, phrase.strip())
        #: Whether out-of-list speech can come back as "[unk]" (the model must know that word).
        self.rejects_unknown = False
        self._engine = engine
        self._pooled: _Pooled | None = None
        #: Audio seconds vosk had counted before this session (its times run over a recogniser's life).
        self._offset = 0.0
        if self._originals:
            entries = list(self._originals)
            if model.vosk_model_find_word(UNKNOWN) >= 0:
                entries.append(UNKNOWN)
                self.rejects_unknown = True
            grammar = json.dumps(entries, ensure_ascii=False)
            self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE, grammar)
            self._rec.SetWords(True)
            self.mode = "phrases"
        else:
            if engine is not None:
                self._pooled = engine._acquire()
                self._rec = self._pooled.rec
                self._offset = self._pooled.samples / SAMPLE_RATE
            else:
                self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE)
                self._rec.SetWords(True)
            self.mode = "free"
        self._words: list[dict[str, Any]] = []
        self._samples = 0
        self._partial_at = 0
        self._last_partial = ""
        self._at_endpoint = False  # vosk's endpointer closed a segment and no audio came since
        self._result: FinalResult | None = None
        self._closed = False

    def _collect(self, result_json: str) -> None:
        result = json.loads(result_json)
        self._words.extend(result.get("result", []))

    def accept(self, pcm: bytes) -> PartialResult | None:
        if self._result is not None:
            raise RuntimeError("accept() after final(): open a new session for the next utterance")
        if not pcm:
            return None
        if self._closed:
            raise RuntimeError("accept() after close()")
        self._samples += len(pcm) // 2
        self._at_endpoint = False
        if self._rec.AcceptWaveform(pcm):
            self._collect(self._rec.Result())
            self._at_endpoint = True
            partial = ""
        elif self._samples - self._partial_at >= PARTIAL_EVERY_SAMPLES:
            # Asking vosk for a partial result re-searches the lattice; every 20 ms frame that is most of the
            # decoding cost. Interim text five times a second is plenty for a live display.
            self._partial_at = self._samples
            partial = json.loads(self._rec.PartialResult()).get("partial", "")
        else:
            return None
        done = " ".join(w["word"] for w in self._words if w.get("word") != UNKNOWN)
        text = " ".join(t for t in (done, partial.replace(UNKNOWN, "").strip()) if t)
        if text == self._last_partial:
            return None
        self._last_partial = text
        return PartialResult(text, self._samples / SAMPLE_RATE)

    def _finish(self) -> None:
        """Finalise vosk's decoding (collecting its last words); a lent recogniser goes back to the pool."""
        if self._closed:
            return
        self._closed = True
        if self._at_endpoint:  # vosk finalises only a running segment: give it a moment of silence
            self._rec.AcceptWaveform(_FLUSH)
            self._samples += len(_FLUSH) // 2
        self._collect(self._rec.FinalResult())
        if self._pooled is not None and self._engine is not None:
            self._pooled.samples += self._samples
            self._engine._release(self._pooled)
            self._pooled = None

    def close(self) -> None:
        """End the session without wanting its result (the Gather ended another way). Safe to repeat."""
        self._finish()

    def final(self) -> FinalResult:
        if self._result is not None:
            return self._result
        if self._closed:
            raise RuntimeError("final() after close()")
        self._finish()
        words = [w for w in self._words if w.get("word") and w["word"] != UNKNOWN]
        if not words:
            self._result = FinalResult("", 0.0, 0.0, self._samples / SAMPLE_RATE)
            return self._result
        text = " ".join(w["word"] for w in words)
        text = self._originals.get(text, text)
        confidence = sum(float(w.get("conf", 0.0)) for w in words) / len(words)
        start = max(0.0, float(words[0]["start"]) - self._offset)
        end = max(start, float(words[-1]["end"]) - self._offset)
        self._result = FinalResult(text, round(confidence, 5), round(start, 4), round(end, 4))
        return self._result
