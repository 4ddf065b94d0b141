"""Voice I/O at the edge: recognisers, text to speech, media decoding, audio devices and DTMF.

Import the adapters from their modules (``ivr_studio.voice.providers``, ``.tts``, ``.media``, ``.devices``,
``.dtmf``, ``.speech_input``); this package module stays light so importing it loads no engine. The
interfaces and the endpointing constant are re-exported here for convenience.

Importing the package loads none of them: each name is imported when it is first used, so code that needs one
small module (the editor's start-up, say) does not pay for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivr_studio import lazy

if TYPE_CHECKING:
    from ivr_studio.voice.interfaces import (
        SAMPLE_RATE,
        AudioClip,
        AudioSink,
        FinalResult,
        MediaDecoder,
        NoModelError,
        PartialResult,
        PlaybackHandle,
        RecognizerProvider,
        SpeechSynthesizer,
        StreamingRecognizer,
        VadEvent,
    )
    from ivr_studio.voice.speech_input import AUTO_SPEECH_TIMEOUT

#: Each public name and the module it lives in; imported on first use (PEP 562).
_EXPORTS = {
    "SAMPLE_RATE": "ivr_studio.voice.interfaces",
    "AudioClip": "ivr_studio.voice.interfaces",
    "AudioSink": "ivr_studio.voice.interfaces",
    "FinalResult": "ivr_studio.voice.interfaces",
    "MediaDecoder": "ivr_studio.voice.interfaces",
    "NoModelError": "ivr_studio.voice.interfaces",
    "PartialResult": "ivr_studio.voice.interfaces",
    "PlaybackHandle": "ivr_studio.voice.interfaces",
    "RecognizerProvider": "ivr_studio.voice.interfaces",
    "SpeechSynthesizer": "ivr_studio.voice.interfaces",
    "StreamingRecognizer": "ivr_studio.voice.interfaces",
    "VadEvent": "ivr_studio.voice.interfaces",
    "AUTO_SPEECH_TIMEOUT": "ivr_studio.voice.speech_input",
}

__all__ = [
    "AUTO_SPEECH_TIMEOUT",
    "AudioClip",
    "AudioSink",
    "FinalResult",
    "MediaDecoder",
    "NoModelError",
    "PartialResult",
    "PlaybackHandle",
    "RecognizerProvider",
    "SAMPLE_RATE",
    "SpeechSynthesizer",
    "StreamingRecognizer",
    "VadEvent",
]


__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS)
