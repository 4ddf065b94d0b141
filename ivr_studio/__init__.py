"""IVR Studio: design, export and test Twilio phone menus offline."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("ivr-studio")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
