"""Say: espeak-ng synthesis, voice/language mapping, cache, SSML stripping."""

from __future__ import annotations

import threading

import numpy as np
from lxml import etree

from ivr_studio.voice.interfaces import SAMPLE_RATE, SpeechSynthesizer
from ivr_studio.voice.ssml import Pause, ssml_pieces, ssml_to_text
from ivr_studio.voice.tts import EspeakSynthesizer, espeak_voice, render_say, speech_duration, voice_gender


def test_synthesis_has_plausible_length_per_word():
    synth = EspeakSynthesizer()
    assert isinstance(synth, SpeechSynthesizer)
    text = "thank you for calling please press one for sales or two for support"
    clip = synth.synthesize(text, "en-US", "man")
    assert clip.sample_rate == SAMPLE_RATE
    words = len(text.split())
    assert 0.2 * words <= speech_duration(clip) <= 1.0 * words
    assert np.abs(np.frombuffer(clip.pcm, "<i2")).max() > 3000  # audible, not near-silence


def test_language_and_voice_change_the_audio():
    synth = EspeakSynthesizer()
    en = synth.synthesize("Hola, gracias por llamar", "en-US", "man")
    es = synth.synthesize("Hola, gracias por llamar", "es-MX", "man")
    ko = synth.synthesize("안녕하세요 고객센터입니다", "ko-KR", "woman")
    woman = synth.synthesize("Hola, gracias por llamar", "es-MX", "Polly.Mia")
    assert en.pcm != es.pcm and es.pcm != woman.pcm
    assert ko.duration > 0.8  # Korean text is spoken, not skipped as unknown characters


def test_voice_mapping():
    assert espeak_voice("en-GB", "woman").startswith("en-gb")
    assert espeak_voice("es-US", "man") == "es-419+m3"
    assert espeak_voice("ko-KR", "alice").endswith("+f3")
    assert voice_gender("Polly.Matthew-Neural") == "male"
    assert voice_gender("Polly.Joanna") == "female"
    assert voice_gender("Google.en-US-Standard-B") == "male"
    assert voice_gender("Google.en-US-Standard-C") == "female"


def test_cache_and_threads():
    synth = EspeakSynthesizer()
    first = synth.synthesize("Press one", "en-US", "man")
    assert synth.synthesize("Press one", "en-US", "man") is first and synth.renders == 1
    results: dict[int, bytes] = {}

    def work(i: int) -> None:
        results[i] = synth.synthesize(f"Option number {i % 3}", "en-US", "woman").pcm

    threads = [threading.Thread(target=work, args=(i,)) for i in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(9):
        assert results[i] == results[i % 3]


def test_ssml_stripping_keeps_alias_and_breaks():
    body = 'Call <sub alias="World Wide Web">W3C</sub> <break time="500ms"/>now <emphasis>please</emphasis>.'
    assert ssml_pieces(body) == ["Call World Wide Web", Pause(0.5), "now please."]
    say = etree.fromstring(
        '<Response><Say>Hi<break strength="strong"/><prosody rate="slow">bye</prosody> &amp; out</Say></Response>'
    )[0]
    assert ssml_to_text(say) == "Hi bye & out"
    assert ssml_pieces("<p>One</p><p>Two</p>")[0:3] == ["One", Pause(0.4), "Two"]
    assert ssml_pieces('x<break time="30s"/>y')[1] == Pause(10.0)  # clamped like Twilio


def test_render_say_inserts_break_silence():
    synth = EspeakSynthesizer()
    plain = render_say(synth, "Hello there")
    paused = render_say(synth, 'Hello <break time="1s"/> there')
    assert paused.duration - plain.duration > 0.8


def test_every_mapped_language_has_an_espeak_voice():
    """Each language the voice table names is one espeak-ng really has (else Say falls back to silence)."""
    from ivr_studio.voice.tts import ESPEAK_VOICES

    synth = EspeakSynthesizer()
    silent = [tag for tag in ESPEAK_VOICES if synth.synthesize("one two three", tag).duration < 0.3]
    assert not silent
