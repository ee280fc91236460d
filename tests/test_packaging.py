"""Packaging: a built wheel installs one top-level package, ``healthplan``; the pipeline folders live under it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # build from a clean copy: setuptools' build/ folder in the checkout may hold modules deleted since
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv*", "build", "dist", ".git", "out", "runs", ".healthplan-cache", "*.egg-info", "__pycache__",
        ".pytest_cache"))
    res = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, check=False,
    )
    if res.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{res.stderr[-2000:]}")
    (path,) = out.glob("healthplan-*.whl")
    return path


def test_wheel_has_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith((".dist-info", ".data"))}
    assert tops == {"healthplan"}
    for sub in ("geodata", "optimizer", "optimizer/kinds", "reports", "scenarios"):
        assert f"healthplan/{sub}/__init__.py" in names
    # data files travel with their packages
    assert "healthplan/geodata/demo/demo_county.gpkg" in names
    assert "healthplan/scenarios/demo.yaml" in names
    assert any(n.startswith("healthplan/reports/static/") for n in names)


def test_wheel_imports_under_healthplan_only(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    code = (
        "import importlib.util, healthplan.optimizer, healthplan.scenarios.cli;"
        "print(healthplan.optimizer.__file__);"
        "print([m for m in ('geodata', 'optimizer', 'reports', 'scenarios') if importlib.util.find_spec(m)])"
    )
    # -I: isolated mode, so neither the repository (cwd) nor the editable install is on the path
    res = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path[:0] = [{str(target)!r}] + "
                          f"[p for p in {sys.path!r} if 'site-packages' in p and '__editable__' not in p]; {code}"],
                         capture_output=True, text=True, cwd=tmp_path, check=False)
    assert res.returncode == 0, res.stderr
    first, second = res.stdout.strip().splitlines()
    assert first.startswith(str(target))
    assert second == "[]"
