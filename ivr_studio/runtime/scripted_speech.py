"""What the recogniser would report while a scripted caller speaks: the events of a ``say`` step.

A script's ``say`` becomes, on the call's clock, the start of speech, partial results that grow word by word,
the final result and the end of speech — the same events a live recogniser sends the running Gather.
"""

from __future__ import annotations

from ivr_studio.runtime.events import Event, SpeechEnded, SpeechFinal, SpeechPartial, SpeechStarted


def speech_events(
    text: str, duration: float, confidence: float | None, interval: float, max_speech: float | None = None
) -> list[tuple[float, Event]]:
    """Events of a caller saying ``text`` over ``duration`` s: start, growing partials, final, end.

    Speech longer than ``max_speech`` (the Gather's maxSpeechTime) is cut there as a recogniser would: the
    words said by then are one utterance, the rest another that starts at once.
    """
    words = text.split()
    if max_speech and duration > max_speech and len(words) > 1:
        cut = max(1, min(len(words) - 1, round(len(words) * max_speech / duration)))
        first = speech_events(" ".join(words[:cut]), max_speech, confidence, interval)
        rest = speech_events(" ".join(words[cut:]), duration - max_speech, confidence, interval)
        return first + [(t + max_speech, e) for t, e in rest]
    events: list[tuple[float, Event]] = [(0.0, SpeechStarted())]
    t = interval
    while t < duration and words:
        shown = max(1, min(len(words), round(len(words) * t / duration)))
        events.append((t, SpeechPartial(" ".join(words[:shown]))))
        t += interval
    events.append((duration, SpeechFinal(text, confidence)))
    events.append((duration, SpeechEnded()))
    return events
