"""`python -m simulation` is the `tyosim` command."""

import sys

from .cli import main

sys.exit(main())
