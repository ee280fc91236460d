"""Scenario files, their schema, the runner, budget sweeps and comparisons; the ``healthplan`` CLI."""
