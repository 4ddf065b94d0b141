"""The headset path with a real PortAudio stack: an ALSA "null" device stands in for a sound card, so the
microphone and speaker code opens real streams (the machine has no sound card).

PortAudio reads the device list once per process, so each check runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dependencies import needs

ALSA_CONF = Path("/usr/share/alsa/alsa.conf")
pytestmark = needs(ALSA_CONF.exists(), "ALSA's configuration (alsa-utils / libasound2-data)")

NULL_DEVICE = f"""<{ALSA_CONF}>
pcm.!default {{
  type plug
  slave.pcm "nullpcm"
}}
pcm.nullpcm {{
  type null
}}
"""

PROBE = r"""
import json, threading
from ivr_studio.voice import devices
from ivr_studio.voice.dtmf import tones
out = {"status": devices.audio_status(), "devices": [d.name for d in devices.list_devices()]}
done = threading.Event()
handle = devices.SpeakerSink().play(tones("123"), on_done=done.set)
out["played"] = done.wait(10)
stopped = threading.Event()
long = devices.SpeakerSink().play(tones("1" * 200), on_done=stopped.set)
long.stop()
out["stopped"] = stopped.wait(5)
frames = []
got = threading.Event()
def on_frame(pcm):
    frames.append(len(pcm))
    if sum(frames) >= 32000:
        got.set()
mic = devices.Microphone(on_frame)
mic.start()
out["heard"] = got.wait(10)
mic.stop()
out["frame_bytes"] = sorted(set(frames))[:3]
out["level"] = mic.level_dbfs
print(json.dumps(out), flush=True)
"""  # and the interpreter exits through PortAudio's own shutdown


def test_speaker_and_microphone_open_real_streams(tmp_path):
    conf = tmp_path / "asound.conf"
    conf.write_text(NULL_DEVICE)
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    run = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["status"] is None  # audio available: no notice for the user
    assert "default" in out["devices"]
    assert out["played"] is True  # on_done fires when a clip has played
    assert out["stopped"] is True  # barge-in: stop() ends playback and still reports done
    assert out["heard"] is True  # the microphone delivers audio
    assert all(n % 2 == 0 for n in out["frame_bytes"])  # whole 16-bit samples
    assert isinstance(out["level"], float)


def test_without_any_device_the_user_gets_a_notice(tmp_path):
    conf = tmp_path / "asound.conf"
    conf.write_text(f"<{ALSA_CONF}>\npcm.!default {{ type hw card 99 }}\n")
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    probe = "from ivr_studio.voice import devices; print(repr(devices.audio_status()))"
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() not in ("", "None")
