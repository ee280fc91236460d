"""``python -m healthplan …``: the same command line as the ``healthplan`` script."""

import sys

from healthplan.scenarios.cli import main

sys.exit(main())
