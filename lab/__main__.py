"""``python -m lab`` runs the ``nnlab`` command."""

import sys

from lab.cli import main

# Guarded: a worker process started by ``spawn`` imports this module again (as ``__mp_main__``) and must not run
# the command a second time.
if __name__ == "__main__":
    sys.exit(main())
