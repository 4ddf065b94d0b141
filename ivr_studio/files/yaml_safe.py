"""YAML for :func:`ivr_studio.files.structured.load_yaml`: PyYAML's safe loader with aliases refused, the
node count capped, and numbers checked (no ``.nan``/``.inf``, no whole numbers of absurd length).

A module of its own so PyYAML is imported only when YAML is read (scripts and scenario files), not by
everything that reads JSON through :mod:`ivr_studio.files`.
"""

from __future__ import annotations

import math
import os
from typing import Any

import yaml

from ivr_studio.files.structured import (
    MAX_INT_DIGITS,
    MAX_YAML_NODES,
    StructuredDataError,
    _Refused,
    cut,
)

# The pure-Python loader: the C one composes nodes in C, past the alias check below.
_BaseLoader = yaml.SafeLoader


class _NoAliasLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader with aliases refused and the node count capped."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                f"uses a YAML alias (*{str(event.anchor)[:30]}) on line {event.start_mark.line + 1}; "
                "write the value out instead"
            )
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise _Refused(f"has more than {MAX_YAML_NODES:,} values")
        return super().compose_node(parent, index)

    def construct_yaml_float(self, node: Any) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise _Refused(
                f"the number {str(node.value)[:30]} on line {node.start_mark.line + 1} is not finite"
            )
        return value

    def construct_yaml_int(self, node: Any) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise _Refused(
                f"a whole number of {digits:,} digits on line {node.start_mark.line + 1} is too large"
            )
        return super().construct_yaml_int(node)


_NoAliasLoader.add_constructor("tag:yaml.org,2002:float", _NoAliasLoader.construct_yaml_float)
_NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _NoAliasLoader.construct_yaml_int)


def load_yaml_document(text: str, source: str | os.PathLike = "<input>") -> Any:
    """Decode one YAML document with no aliases; :class:`StructuredDataError` names ``source``."""
    loader = None
    try:
        loader = _NoAliasLoader(text)  # the reader checks the characters here: a control character fails
        return loader.get_single_data()
    except _Refused as exc:
        raise StructuredDataError(source, str(exc)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise StructuredDataError(source, f"is not valid YAML: {exc.problem or exc.context}{where}") from None
    except yaml.YAMLError as exc:
        raise StructuredDataError(source, f"is not valid YAML: {cut(str(exc), 120)}") from None
    except RecursionError:
        raise StructuredDataError(source, "is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
