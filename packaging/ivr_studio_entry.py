"""Entry point of the self-contained build: the same as the ``ivr-studio`` command."""

import sys

from ivr_studio.cli import main

if __name__ == "__main__":
    sys.exit(main())
