"""Desktop integration files are valid and install for the current user."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from dependencies import needs
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APPID = "app.ivrstudio.IVRStudio"


@needs(shutil.which("desktop-file-validate") is not None, "desktop-file-utils")
def test_desktop_entry_is_valid():
    out = subprocess.run(
        ["desktop-file-validate", str(LINUX / f"{APPID}.desktop")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "error" not in out.stdout.lower()


@needs(shutil.which("appstreamcli") is not None, "appstream")
def test_appstream_metainfo_is_valid():
    out = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APPID}.metainfo.xml")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mime_type_claims_ivrflow_files():
    root = etree.parse(str(LINUX / f"{APPID}.xml")).getroot()
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = root.find("m:mime-type", ns)
    assert mime.get("type") == "application/x-ivrflow"
    assert mime.find("m:glob", ns).get("pattern") == "*.ivrflow"
    assert "application/x-ivrflow" in (LINUX / f"{APPID}.desktop").read_text()


def test_icons_exist_in_every_size():
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        for name in ("ivr-studio", "ivrflow-document"):
            png = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / f"{name}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_install_desktop_installs_for_the_user(tmp_path):
    fake_exe = tmp_path / "bin" / "ivr-studio"
    fake_exe.parent.mkdir()
    fake_exe.write_text("#!/bin/sh\n")
    fake_exe.chmod(0o755)
    data = tmp_path / "share"
    env = dict(os.environ, XDG_DATA_HOME=str(data), HOME=str(tmp_path))
    subprocess.run(
        ["bash", str(ROOT / "packaging" / "install-desktop.sh"), str(fake_exe)],
        env=env,
        check=True,
        capture_output=True,
    )
    desktop = (data / "applications" / f"{APPID}.desktop").read_text()
    assert f'Exec="{fake_exe}" open %f' in desktop
    assert (data / "mime" / "packages" / f"{APPID}.xml").exists()
    assert (data / "metainfo" / f"{APPID}.metainfo.xml").exists()
    assert (data / "icons" / "hicolor" / "48x48" / "apps" / f"{APPID}.png").exists()
    assert (data / "icons" / "hicolor" / "scalable" / "mimetypes" / "application-x-ivrflow.svg").exists()
