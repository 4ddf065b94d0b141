"""``<Say>`` text to speech, offline, with espeak-ng from the ``espeakng-loader`` wheel (through ctypes).

The wheel ships ``libespeak-ng.so`` and its voice data, so no system package is needed. espeak-ng keeps
global state (one voice, one callback), so every call holds one process-wide lock. Audio comes back
through a synth callback at espeak's native rate (22.05 kHz) and is resampled to 16 kHz.

Say ``language`` (BCP-47, as in Twilio) maps to an espeak voice; Say ``voice`` picks a male or female
variant: ``man`` and the Polly/Google voices we know to be male -> male, ``woman``/``alice``/other
Polly/Google voices -> female (Twilio's neural voices cannot be reproduced offline; this keeps at least the
language and gender). Rendered prompts are cached in memory (LRU) keyed by (text, language, voice).
"""

from __future__ import annotations

import ctypes
import threading
from collections import OrderedDict

import numpy as np
from lxml import etree

from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip, SpeechSynthesizer
from ivr_studio.voice.pcm import resample, silence
from ivr_studio.voice.ssml import Pause, ssml_pieces

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EE_OK = 0
_ESPEAK_RATE = 1

#: BCP-47 tag (lower-case) -> espeak-ng voice name. Unlisted tags fall back to their primary language.
ESPEAK_VOICES: dict[str, str] = {
    "en-us": "en-us",
    "en-gb": "en-gb-x-rp",
    "en-au": "en-gb-x-rp",  # espeak-ng has no Australian or Indian English: British is closest
    "en-ca": "en-us",
    "en-in": "en-gb-x-rp",
    "en": "en-us",
    "es-us": "es-419",
    "es-mx": "es-419",
    "es-es": "es",
    "es": "es",
    "fr-fr": "fr",
    "fr-ca": "fr",
    "fr": "fr",
    "de-de": "de",
    "de": "de",
    "it-it": "it",
    "pt-br": "pt-br",
    "pt-pt": "pt",
    "nl-nl": "nl",
    "sv-se": "sv",
    "da-dk": "da",
    "nb-no": "nb",
    "fi-fi": "fi",
    "pl-pl": "pl",
    "ru-ru": "ru",
    "tr-tr": "tr",
    "ja-jp": "ja",
    "ko-kr": "ko",
    "zh-cn": "cmn",
    "cmn-cn": "cmn",
    "zh-hk": "yue",
    "zh-tw": "cmn",
    "hi-in": "hi",
    "ar-ae": "ar",
    "he-il": "he",
    "el-gr": "el",
    "cs-cz": "cs",
    "hu-hu": "hu",
    "ro-ro": "ro",
    "uk-ua": "uk",
    "vi-vn": "vi",
    "id-id": "id",
    "th-th": "th",
}

#: Polly / Google voice names (lower-case, without prefix) that are male. Others count as female.
_MALE_VOICE_NAMES = {
    "matthew", "joey", "justin", "kevin", "brian", "arthur", "russell", "aria_m", "miguel", "enrique",
    "diego", "andres", "pedro", "sergio", "mathieu", "remi", "hans", "daniel", "giorgio", "adriano",
    "ricardo", "thiago", "cristiano", "takumi", "maxim", "filiz_m", "ruben", "jacek", "jan", "mads",
    "liam", "gregory", "stephen", "minjun",
}  # fmt: skip
_MALE_VARIANT = "m3"
_FEMALE_VARIANT = "f3"


class TtsError(RuntimeError):
    """espeak-ng could not be loaded or refused the text/voice."""


def voice_gender(voice: str) -> str:
    """``"male"`` or ``"female"`` for a Say ``voice`` value (man, woman, alice, Polly.X, Google.x-y-Z)."""
    v = (voice or "man").strip().lower()
    if v == "man":
        return "male"
    if v in ("woman", "alice"):
        return "female"
    name = v.split(".", 1)[1] if "." in v else v
    name = name.removesuffix("-neural").removesuffix("-generative")
    name = name.rsplit("-", 1)[-1] if v.startswith("google.") else name
    if v.startswith("google."):  # Google.en-US-Standard-B: B, D, I, J are male voices
        return "male" if name in ("b", "d", "i", "j") else "female"
    return "male" if name in _MALE_VOICE_NAMES else "female"


def espeak_voice(language: str, voice: str = "man") -> str:
    """The espeak-ng voice name (with variant) for a Say language and voice."""
    tag = (language or "en-US").strip().lower().replace("_", "-")
    base = ESPEAK_VOICES.get(tag) or ESPEAK_VOICES.get(tag.split("-", 1)[0]) or tag.split("-", 1)[0]
    variant = _MALE_VARIANT if voice_gender(voice) == "male" else _FEMALE_VARIANT
    return f"{base}+{variant}"


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Espeak:
    """The loaded library, initialised once per process."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise TtsError("espeakng-loader is not installed (pip install espeakng-loader)") from exc
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path()
        except (OSError, RuntimeError) as exc:
            raise TtsError(f"could not load espeak-ng: {exc}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), 0)
        if rate <= 0:
            raise TtsError(f"espeak_Initialize failed (data path {data})")
        self.lib = lib
        self.rate = rate
        self._chunks: list[bytes] = []
        self._callback = _CALLBACK(self._on_audio)  # keep a reference: espeak calls it later
        lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: ctypes.POINTER(ctypes.c_short), count: int, _events: int) -> int:  # type: ignore[valid-type]
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def render(self, text: str, voice: str, words_per_minute: int) -> bytes:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
            base = voice.split("+", 1)[0]
            if self.lib.espeak_SetVoiceByName(base.encode()) != _EE_OK:
                raise TtsError(f"espeak-ng has no voice {base!r}")
        self.lib.espeak_SetParameter(_ESPEAK_RATE, words_per_minute, 0)
        data = text.encode("utf-8") + b"\0"
        self._chunks = []
        status = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != _EE_OK:
            raise TtsError(f"espeak_Synth failed with status {status}")
        return b"".join(self._chunks)


_lock = threading.Lock()
_engine: _Espeak | None = None


def _espeak() -> _Espeak:
    global _engine
    if _engine is None:
        _engine = _Espeak()
    return _engine


class EspeakSynthesizer:
    """Implements ``SpeechSynthesizer`` with espeak-ng; thread-safe, with an LRU cache of prompts."""

    def __init__(self, words_per_minute: int = 165, cache_size: int = 128) -> None:
        self.words_per_minute = words_per_minute
        self._cache: OrderedDict[tuple[str, str, str], AudioClip] = OrderedDict()
        self._cache_size = cache_size
        self.renders = 0  # how many prompts were actually synthesised (cache misses)

    def synthesize(self, text: str, language: str = "en-US", voice: str = "man") -> AudioClip:
        """Render plain text (SSML already stripped) as 16 kHz mono audio; empty text gives empty audio."""
        key = (text, language.lower(), voice.lower())
        with _lock:
            clip = self._cache.get(key)
            if clip is not None:
                self._cache.move_to_end(key)
                return clip
            if not text.strip():
                clip = AudioClip(b"", SAMPLE_RATE)
            else:
                engine = _espeak()
                native = engine.render(text, espeak_voice(language, voice), self.words_per_minute)
                clip = AudioClip(resample(native, engine.rate, SAMPLE_RATE), SAMPLE_RATE)
                self.renders += 1
            self._cache[key] = clip
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return clip


def render_say(
    synth: SpeechSynthesizer, body: etree._Element | str, language: str = "en-US", voice: str = "man"
) -> AudioClip:
    """Audio for a whole ``<Say>`` body: SSML text pieces synthesised, ``<break>`` pauses as silence."""
    parts: list[bytes] = []
    for piece in ssml_pieces(body):
        if isinstance(piece, Pause):
            parts.append(silence(piece.seconds))
        else:
            parts.append(synth.synthesize(piece, language, voice).pcm)
    return AudioClip(b"".join(parts), SAMPLE_RATE)


def speech_duration(clip: AudioClip, threshold: float = 0.01) -> float:
    """Seconds between the first and last sample above ``threshold`` (voiced extent of a prompt)."""
    samples = np.abs(np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) / 32768.0)
    loud = np.flatnonzero(samples > threshold)
    return 0.0 if loud.size == 0 else (loud[-1] - loud[0]) / clip.sample_rate
