"""``python -m lab`` runs the ``nnlab`` command."""

import sys

from lab.cli import main

sys.exit(main())
