"""`python -m ivr_studio` is the same as the `ivr-studio` command."""

import sys

from ivr_studio.cli import main

sys.exit(main())
