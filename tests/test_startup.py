"""Start-up: `healthplan --help` and `healthplan check --help` load no heavy library (issue 12 §3).

A structural test, not a timing test: it reads which modules a fresh interpreter imported (``-X importtime``),
so it holds on a busy machine and fails the day someone imports geopandas at the top of the command line
again.

"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("geopandas", "pulp", "highspy", "matplotlib", "pandas", "shapely", "pyproj", "scipy")


def imported_modules(*args: str) -> set[str]:
    """Names of every module a fresh ``python -m healthplan <args>`` imported (from ``-X importtime``)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "healthplan", *args],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Usage" in proc.stdout
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    return names


@pytest.mark.parametrize("args", [("--help",), ("check", "--help"), ("run", "--help")])
def test_help_imports_no_heavy_library(args):
    mods = imported_modules(*args)
    assert "healthplan.scenarios.cli" in mods  # the parse worked: the CLI module itself was imported
    heavy = sorted({m.split(".")[0] for m in mods} & set(HEAVY))
    assert not heavy, f"`healthplan {' '.join(args)}` imports {heavy}; import them inside the commands"
