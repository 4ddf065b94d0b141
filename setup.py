"""Build hook: ship the top-level ``resources/`` folder inside the package as ``ivr_studio/_resources``.

Everything else about the build is declared in pyproject.toml. A copy (not a symlink) keeps the build
portable to Windows and macOS.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "resources"
        target = Path(self.build_lib) / "ivr_studio" / "_resources"
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)


setup(cmdclass={"build_py": BuildWithResources})
