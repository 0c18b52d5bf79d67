"""``python -m tapeout`` runs the command line."""

import sys

from tapeout.cli import main

sys.exit(main())
