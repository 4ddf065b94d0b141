"""Voice I/O at the edge: recognisers, text to speech, media decoding, audio devices and DTMF.

Import the adapters from their modules (``ivr_studio.voice.providers``, ``.tts``, ``.media``, ``.devices``,
``.dtmf``, ``.speech_input``); this package module stays light so importing it loads no engine. The
interfaces and the endpointing constant are re-exported here for convenience.
"""

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

__all__ = [
    "AUTO_SPEECH_TIMEOUT",
    "SAMPLE_RATE",
    "AudioClip",
    "AudioSink",
    "FinalResult",
    "MediaDecoder",
    "NoModelError",
    "PartialResult",
    "PlaybackHandle",
    "RecognizerProvider",
    "SpeechSynthesizer",
    "StreamingRecognizer",
    "VadEvent",
]
