"""`python -m simulation` is the `tyosim` command."""

import sys

from .cli.main import main

sys.exit(main())
