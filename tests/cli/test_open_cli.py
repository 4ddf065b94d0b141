"""``ivr-studio open FILE`` from a terminal: a file that is not there is said there, before any window."""

from __future__ import annotations

import subprocess
import sys

# Qt cannot be imported in this Python: a window started by mistake fails at once instead of waiting on
# a dialog nobody can see.
WITHOUT_QT = """
import sys
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "PySide6":
            raise ImportError("Qt was imported")
sys.meta_path.insert(0, Blocked())
from ivr_studio.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_opening_a_file_that_does_not_exist_says_so_and_starts_no_window(tmp_path):
    missing = tmp_path / "missing.ivrflow"
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_QT, "open", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr == f"error: {missing}: no such file\n"
    assert result.stdout == ""
    assert not missing.exists()
