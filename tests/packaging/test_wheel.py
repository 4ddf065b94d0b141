"""The wheel and sdist build, include the resources, and install a working ``ivr-studio``."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True, capture_output=True
    )
    return out


def test_wheel_contains_resources_and_handler(dist):
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "ivr_studio/_resources/examples/support-line.ivrflow" in names
    assert "ivr_studio/_resources/data/gather-languages.csv" in names
    assert "ivr_studio/_resources/icons/ivr-studio.svg" in names
    assert any(n.startswith("ivr_studio/bundle/") for n in names)


def test_sdist_contains_sources_and_resources(dist):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    assert any(n.endswith("resources/examples/support-line.ivrflow") for n in names)
    assert any(n.endswith("CHANGELOG.md") for n in names)


def test_installed_wheel_runs_outside_the_source_tree(dist, tmp_path):
    (wheel,) = dist.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True
    )
    # Dependencies come from the development environment; IVR Studio itself only from the wheel.
    site = Path(
        subprocess.check_output(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "zz_dev_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run = lambda *args: subprocess.run(  # noqa: E731
        [str(env_dir / "bin" / "ivr-studio"), *args], cwd=tmp_path, capture_output=True, text=True
    )
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("ivr-studio 0.")
    where = subprocess.check_output(
        [str(py), "-c", "import ivr_studio.paths as p; print(p.examples_dir())"], cwd=tmp_path, text=True
    )
    assert str(env_dir) in where
    example = Path(where.strip()) / "support-line.ivrflow"
    checked = run("validate", str(example))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout
