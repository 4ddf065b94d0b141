"""Where IVR Studio finds its bundled resources (examples, icons, the Gather language list).

In a source checkout they live in the top-level ``resources/`` folder; an installed wheel carries a copy
inside the package as ``ivr_studio/_resources``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder holding IVR Studio's bundled resources."""
    for candidate in (_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"IVR Studio's resources folder is missing (looked in {_PACKAGE_DIR})")


def resource_path(*parts: str) -> Path:
    """A path inside the resources folder, e.g. ``resource_path("examples", "support-line.ivrflow")``."""
    return resources_dir().joinpath(*parts)


def examples_dir() -> Path:
    return resource_path("examples")


def user_data_dir() -> Path:
    """IVR Studio's one application data folder (``~/.local/share/ivr-studio`` on Linux): speech models
    live in ``models/``, the editor's recovery files in ``recovery/``."""
    from platformdirs import user_data_dir as platform_data_dir

    return Path(platform_data_dir("ivr-studio"))
