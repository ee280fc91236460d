"""``python -m healthplan …``: the same command line as the ``healthplan`` script."""

from healthplan.scenarios.cli import entry

entry()
