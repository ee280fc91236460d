"""tools/floor_constraints.py: every dependency of pyproject.toml pinned to its floor, for `make test-floor`."""

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "floor_constraints.py"
_spec = importlib.util.spec_from_file_location("floor_constraints", SCRIPT)  # tools/ is not a package
floor_constraints = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(floor_constraints)
floor_pin = floor_constraints.floor_pin


@pytest.mark.parametrize(("requirement", "pin"), [
    ("numpy>=2.0.1", "numpy==2.0.1"),
    ("pulp>=3.3.1,<4", "pulp==3.3.1"),
    ("pulp<4,>=3.3.1", "pulp==3.3.1"),
    ("dask[distributed]>=2024.1.0", "dask==2024.1.0"),  # constraints take no extras
    ("django-js-lib-leaflet >= 1.9.4.1", "django-js-lib-leaflet==1.9.4.1"),
    ("tomli>=2.0 ; python_version < '3.11'", "tomli==2.0"),
])
def test_floor_pin(requirement, pin):
    assert floor_pin(requirement) == pin


@pytest.mark.parametrize("requirement", ["numpy", "numpy<2", "numpy==2.0.1", "numpy~=2.0"])
def test_requirement_without_a_floor_is_refused(requirement):
    with pytest.raises(ValueError, match="no '>=' floor"):
        floor_pin(requirement)


def test_project_constraints_pin_every_dependency_and_the_test_extra():
    run = subprocess.run([sys.executable, str(SCRIPT), "--extra", "test"], capture_output=True, text=True,
                         check=False, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = [ln for ln in run.stdout.splitlines() if not ln.startswith("#")]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert len(lines) == len(project["dependencies"]) + len(project["optional-dependencies"]["test"])
    assert all("==" in ln and "[" not in ln for ln in lines)
    pins = dict(ln.split("==") for ln in lines)
    assert pins["pulp"].startswith("3.") and "pulp>=3.3.1,<4" in project["dependencies"]  # capped below PuLP 4


def test_missing_floor_or_group_exits_2_naming_it(tmp_path):
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[project]\nname = "x"\ndependencies = ["numpy>=2.0.1", "pandas"]\n', encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCRIPT), "--pyproject", str(bad)], capture_output=True, text=True,
                         check=False, timeout=60)
    assert run.returncode == 2 and "'pandas' has no '>=' floor" in run.stderr and run.stdout == ""
    run = subprocess.run([sys.executable, str(SCRIPT), "--pyproject", str(bad), "--extra", "docs"],
                         capture_output=True, text=True, check=False, timeout=60)
    assert run.returncode == 2 and "no optional-dependencies group 'docs'" in run.stderr
    assert "Traceback" not in run.stderr
