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
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ivr_studio.voice.interfaces import SAMPLE_RATE, FinalResult, PartialResult

log = logging.getLogger(__name__)

UNKNOWN = "[unk]"
#: Interim results are computed at most this often (in samples of audio): 0.2 s.
PARTIAL_EVERY_SAMPLES = SAMPLE_RATE // 5


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


class VoskEngine:
    """One vosk model (one language); opens :class:`VoskSession` objects that share it."""

    def __init__(self, model_path: str | Path, language: str = "") -> None:
        self.model_path = Path(model_path)
        self.language = language
        self._model: Any = None
        self._lock = threading.Lock()

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
                    raise ModelLoadError(
                        f"vosk could not load the model in {self.model_path}: {exc}. The folder may be "
                        "damaged or from an incompatible vosk version; reinstall it with "
                        f"`ivr-studio models download {self.language or '<lang>'}`"
                    ) from exc
            return self._model

    def open(self, phrases: Sequence[str] | None = None) -> VoskSession:
        return VoskSession(self.load(), phrases)


class VoskSession:
    """One utterance's recognition with vosk (implements ``StreamingRecognizer``)."""

    def __init__(self, model: Any, phrases: Sequence[str] | None) -> None:
        vosk = _quiet_vosk()
        self._originals: dict[str, str] = {}
        for phrase in phrases or ():
            key = " ".join(phrase.lower().split())
            if key:
                self._originals.setdefault(key, phrase.strip())
        #: Whether out-of-list speech can come back as "[unk]" (the model must know that word).
        self.rejects_unknown = False
        if self._originals:
            entries = list(self._originals)
            if model.vosk_model_find_word(UNKNOWN) >= 0:
                entries.append(UNKNOWN)
                self.rejects_unknown = True
            grammar = json.dumps(entries, ensure_ascii=False)
            self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE, grammar)
            self.mode = "phrases"
        else:
            self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE)
            self.mode = "free"
        self._rec.SetWords(True)
        self._words: list[dict[str, Any]] = []
        self._samples = 0
        self._partial_at = 0
        self._last_partial = ""
        self._result: FinalResult | None = None

    def _collect(self, result_json: str) -> None:
        result = json.loads(result_json)
        self._words.extend(result.get("result", []))

    def accept(self, pcm: bytes) -> PartialResult | None:
        if self._result is not None:
            raise RuntimeError("accept() after final(): open a new session for the next utterance")
        if not pcm:
            return None
        self._samples += len(pcm) // 2
        if self._rec.AcceptWaveform(pcm):
            self._collect(self._rec.Result())
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

    def final(self) -> FinalResult:
        if self._result is not None:
            return self._result
        self._collect(self._rec.FinalResult())
        words = [w for w in self._words if w.get("word") and w["word"] != UNKNOWN]
        if not words:
            self._result = FinalResult("", 0.0, 0.0, self._samples / SAMPLE_RATE)
            return self._result
        text = " ".join(w["word"] for w in words)
        text = self._originals.get(text, text)
        confidence = sum(float(w.get("conf", 0.0)) for w in words) / len(words)
        self._result = FinalResult(
            text, round(confidence, 5), float(words[0]["start"]), float(words[-1]["end"])
        )
        return self._result
