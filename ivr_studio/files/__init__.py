"""Reading and writing files safely: bounded reads, alias-free YAML, strict JSON, atomic writes.

The one place where bytes from outside become data. See :mod:`.bounded`, :mod:`.structured`, :mod:`.atomic`.
"""

from ivr_studio.files.atomic import write_bytes_atomic, write_text_atomic
from ivr_studio.files.bounded import (
    TEXT_LIMIT,
    InputFileError,
    decode_text,
    open_bounded,
    read_bytes,
    read_text,
)
from ivr_studio.files.structured import StructuredDataError, cut, load_json, load_yaml, names, printable

__all__ = [
    "TEXT_LIMIT",
    "InputFileError",
    "StructuredDataError",
    "cut",
    "decode_text",
    "load_json",
    "load_yaml",
    "names",
    "open_bounded",
    "printable",
    "read_bytes",
    "read_text",
    "write_bytes_atomic",
    "write_text_atomic",
]
