"""Package modules whose public names are imported on first use (PEP 562).

A package's ``__init__`` lists each public name with the module it lives in and installs the two module-level
hooks this returns; importing the package then loads none of those modules, so code that needs one small
module (the editor's start-up, say) does not pay for the rest.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, importing each of ``names`` (name → module) when first used.

    The value is kept in the package's namespace, so the hook runs once per name.
    """
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:  # noqa: N807 - the PEP 562 module hook
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807 - the PEP 562 module hook
        return sorted([*namespace, *names])

    return __getattr__, __dir__
