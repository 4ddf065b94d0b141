"""Export into hostile places: generated paths that are links or of the wrong kind, a parent that cannot
hold a folder, leftovers of an interrupted export. A failed export changes nothing; a good one leaves no
temporary files behind."""

from __future__ import annotations

import os

import pytest
from hostile_flows import tiny_flow_text


@pytest.fixture
def bundle(hostile):
    """A sandbox with menu.ivrflow exported once to bundle/."""
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.run("export", "menu.ivrflow", "-o", "bundle").succeeds(changed=["bundle/"])
    return hostile


def test_a_generated_folder_replaced_by_a_file_fails_before_anything_is_replaced(bundle):
    tests = bundle.path("bundle/tests")
    for f in tests.iterdir():
        f.unlink()
    tests.rmdir()
    bundle.write("bundle/tests", "my notes\n")
    bundle.write("menu.ivrflow", tiny_flow_text(title="Renamed menu"))
    bundle.run("export", "menu.ivrflow", "-o", "bundle").fails(1, "bundle/tests is in the way", changed=[])


def test_a_symlinked_tests_folder_is_refused_and_nothing_is_written_through_it(bundle):
    tests = bundle.path("bundle/tests")
    for f in tests.iterdir():
        f.unlink()
    tests.rmdir()
    bundle.path("elsewhere").mkdir()
    os.symlink("../elsewhere", tests)
    run = bundle.run("export", "menu.ivrflow", "-o", "bundle")
    run.fails(1, "bundle/tests is a symbolic link; the export will not write through it (to ../elsewhere)")
    assert list(bundle.path("elsewhere").iterdir()) == []


def test_a_symlinked_generated_file_is_refused(bundle):
    bundle.write("elsewhere/app.py", "print('mine')\n")
    bundle.path("bundle/app.py").unlink()
    os.symlink("../elsewhere/app.py", bundle.path("bundle/app.py"))
    bundle.run("export", "menu.ivrflow", "-o", "bundle").fails(1, "bundle/app.py is a symbolic link")
    assert bundle.path("elsewhere/app.py").read_text() == "print('mine')\n"


def test_a_symlinked_owned_folder_is_refused(bundle):
    bundle.path("elsewhere").mkdir()
    twiml = bundle.path("bundle/twiml")
    twiml.rename(bundle.path("elsewhere/twiml"))
    os.symlink("../elsewhere/twiml", twiml)
    bundle.run("export", "menu.ivrflow", "-o", "bundle").fails(1, "bundle/twiml is a symbolic link")


def test_a_re_export_leaves_no_old_or_temporary_folders(bundle):
    bundle.write("bundle/.twiml.old/stale.xml", "<Response/>")  # left by an export that was killed
    bundle.write("menu.ivrflow", tiny_flow_text(title="Renamed menu"))
    bundle.run("export", "menu.ivrflow", "-o", "bundle").succeeds(changed=["bundle/"])
    leftovers = sorted(p.name for p in bundle.path("bundle").rglob("*") if p.name.endswith((".old", ".tmp")))
    assert leftovers == []
    assert sorted(p.name for p in bundle.root.iterdir() if p.name.startswith(".bundle")) == []


def test_the_users_own_files_in_a_bundle_survive_a_re_export(bundle):
    bundle.write("bundle/tests/test_mine.py", "def test_mine():\n    pass\n")
    bundle.write("bundle/.env", "SECRET=1\n")
    bundle.run("export", "menu.ivrflow", "-o", "bundle").succeeds(changed=["bundle/"])
    assert bundle.path("bundle/tests/test_mine.py").exists() and bundle.path("bundle/.env").exists()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("menu.ivrflow/out", None),
        ("/proc/ivr-studio-bundle", "could not write the bundle to /proc/ivr-studio-bundle"),
        ("/proc/1/status/out", "could not write the bundle to /proc/1/status/out: /proc/1/status is not a folder"),
    ],
)
def test_an_output_folder_that_cannot_exist_is_a_clear_error(hostile, out, message):
    if out.startswith("menu"):
        message = f"could not write the bundle to {hostile.path(out)}: {hostile.path('menu.ivrflow')} is not a folder"
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.run("export", "menu.ivrflow", "-o", out).fails(1, message)


def test_an_output_path_that_is_a_file_is_refused(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("out", "not a folder\n")
    hostile.run("export", "menu.ivrflow", "-o", "out").fails(1, "out exists and is not a folder")


def test_a_folder_that_is_not_a_bundle_is_refused(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("out/thesis.tex", "\\documentclass{article}\n")
    hostile.run("export", "menu.ivrflow", "-o", "out").fails(1, "is not empty and is not an IVR Studio bundle")
