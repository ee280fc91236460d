"""A run killed with SIGKILL at any moment leaves the complete old run or the complete new one (issue 8 §2).

Each test starts ``healthplan run --force`` (or ``report``) as a real subprocess over a copy of a complete old
run, lets it stop at a named point (``HEALTHPLAN_TEST_PAUSE_AT``: the process prints where it is and
waits), kills it with a real ``kill -9`` and compares the folder at ``--out`` file by file (SHA-256) with the
old run or with a reference new run; then the next run into the parent folder must repair what is left, with a
note. The scenario is the small CSV example without maps, so each subprocess takes a few seconds.
"""

from __future__ import annotations

import hashlib
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from healthplan.reports import run_folder as rf
from healthplan.reports.run_folder import (
    NO_EXCHANGE_ENV,
    PAUSE_ENV,
    PAUSE_SECONDS_ENV,
    inspect_folder,
    tidy_parent,
)
from healthplan.scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios" / "examples" / "csv" / "minimal.yaml"
FAST = ["--set", "report.maps=false", "--set", "report.html_map=false"]  # tables, gpkg, xlsx, docx, state
OLD = ["--set", "budget_wan=300"]  # the old run differs from the new one (800 万元) in every table


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under ``folder`` (the marker included)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The old run (300 万元) and a reference new run (800 万元), written once in-process."""
    base = tmp_path_factory.mktemp("kill_refs")
    assert main(["run", str(SCEN), "--out", str(base / "old"), *FAST, *OLD]) == 0
    assert main(["run", str(SCEN), "--out", str(base / "new"), *FAST]) == 0
    return base / "old", base / "new"


@pytest.fixture
def out(runs, tmp_path):
    """``tmp_path/runs/plan``: a byte-for-byte copy of the old run, the folder the killed run replaces."""
    plan = tmp_path / "runs" / "plan"
    shutil.copytree(runs[0], plan)
    assert snapshot(plan) == snapshot(runs[0])
    return plan


def kill_at(point: str, args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> int:
    """Run ``healthplan ARGS`` until it pauses at ``point``, SIGKILL it, reap it; returns its pid."""
    environ = {**os.environ, PAUSE_ENV: point, PAUSE_SECONDS_ENV: "120", **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "healthplan", *args],
        cwd=cwd,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in proc.stderr:  # type: ignore[union-attr]
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 180
    try:
        while True:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            if line is None:
                pytest.fail(
                    f"healthplan ended (code {proc.wait()}) before pausing at {point}:\n{''.join(seen)}"
                )
            seen.append(line)
            if line.startswith(f"HEALTHPLAN_PAUSED {point} "):
                break
    except queue.Empty:
        pytest.fail(f"healthplan did not reach {point} in time:\n{''.join(seen)}")
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)  # the real thing: no handler, no clean-up runs
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return proc.pid


def run_args(out: Path, *more: str) -> list[str]:
    return ["run", str(SCEN), "--out", str(out), *FAST, "--force", *more]


def leftovers(parent: Path) -> list[Path]:
    return sorted(p for p in parent.iterdir() if p.name.startswith(rf.TMP_PREFIX))


def assert_old(folder: Path, runs) -> None:
    assert snapshot(folder) == snapshot(runs[0]), "not byte-for-byte the old run"


def assert_new(folder: Path, runs) -> None:
    """A complete new run: the reference's file list, its deterministic tables byte for byte, its marker."""
    got, ref = snapshot(folder), snapshot(runs[1])
    assert set(got) == set(ref), "the file list differs from a complete run"
    tables = [f for f in ref if f.endswith((".csv", ".parquet", ".npz"))]
    assert len(tables) > 15
    assert {f: got[f] for f in tables} == {f: ref[f] for f in tables}, "tables differ from the new run's"
    info = inspect_folder(folder)
    assert info.complete and info.n_foreign == 0 and info.kind == "run"


def _exchange_works(tmp_path: Path) -> bool:
    a, b = tmp_path / "xa", tmp_path / "xb"
    a.mkdir()
    b.mkdir()
    try:
        return rf.exchange(a, b)
    finally:
        a.rmdir()
        b.rmdir()


class TestKillBeforeTheSwap:
    """Killed before the new folder is complete: the old run stays, untouched; what was begun is removed."""

    @pytest.mark.parametrize("point", ["read", "solve"])
    def test_mid_read_and_mid_solve(self, out, runs, tmp_path, point):
        kill_at(point, run_args(out), cwd=tmp_path)
        assert_old(out, runs)
        assert leftovers(out.parent) == []  # nothing is created before the plan exists

    def test_mid_write_then_the_next_run_cleans_up(self, out, runs, tmp_path, capsys):
        pid = kill_at("write", run_args(out), cwd=tmp_path)
        assert_old(out, runs)
        [left] = leftovers(out.parent)
        assert left.name == rf.temp_name("plan", "new", pid=pid)
        assert (left / "projects.csv").is_file() and not (left / "summary.json").exists()  # really mid-write
        assert not inspect_folder(left).complete
        capsys.readouterr()
        assert main(run_args(out)) == 0  # the next run into that parent
        err = " ".join(capsys.readouterr().err.split())
        assert f"removed an unfinished run folder left by a killed healthplan process (pid {pid})" in err
        assert_new(out, runs)
        assert leftovers(out.parent) == []

    def test_finished_but_not_swapped_in_is_kept_under_a_visible_name(self, out, runs, tmp_path):
        pid = kill_at("before-swap", run_args(out), cwd=tmp_path)
        assert_old(out, runs)
        [left] = leftovers(out.parent)
        assert_new(left, runs)  # complete, just not moved in
        notes = tidy_parent(out.parent, note=lambda _m: None)
        assert_old(out, runs)
        [kept] = [p for p in out.parent.iterdir() if p.name.startswith("plan.interrupted-")]
        assert_new(kept, runs)
        assert leftovers(out.parent) == [] and f"kept a finished run that was killed (pid {pid})" in notes[0]

    def test_report_killed_mid_write_leaves_the_old_run(self, out, runs, tmp_path):
        kill_at("write", ["report", str(out), "--lang", "en"], cwd=tmp_path)
        assert_old(out, runs)
        assert len(leftovers(out.parent)) == 1
        tidy_parent(out.parent, note=lambda _m: None)
        assert_old(out, runs)
        assert leftovers(out.parent) == []


class TestKillDuringTheSwap:
    def test_exchange_then_killed_before_the_old_is_removed(self, out, runs, tmp_path):
        if not _exchange_works(tmp_path):
            pytest.skip("renameat2(RENAME_EXCHANGE) is not supported on this file system")
        kill_at("after-swap", run_args(out), cwd=tmp_path)
        assert_new(out, runs)
        [left] = leftovers(out.parent)
        assert_old(left, runs)  # the exchange moved the whole old run aside, byte for byte
        notes = tidy_parent(out.parent, note=lambda _m: None)
        assert_new(out, runs)
        assert leftovers(out.parent) == [] and "removed a replaced run folder" in notes[0]

    def test_fallback_killed_between_the_two_renames_is_restored_by_the_next_run(
        self, out, runs, tmp_path, capsys
    ):
        kill_at("between-renames", run_args(out), cwd=tmp_path, env={NO_EXCHANGE_ENV: "1"})
        assert not out.exists()  # the one window of the portable path: both complete folders are aside
        left = leftovers(out.parent)
        assert [p.name.split("-")[1] for p in left] == ["new", "old"]
        assert_new(left[0], runs)
        assert_old(left[1], runs)
        capsys.readouterr()
        assert main(["report", str(out)]) == 0  # any write into the parent repairs first
        err = " ".join(capsys.readouterr().err.split())
        assert f"restored {out} from a run interrupted while replacing it" in err
        assert leftovers(out.parent) == []
        assert set(snapshot(out)) == set(snapshot(runs[1]))  # the new run, re-rendered

    def test_fallback_killed_after_the_new_is_in_place(self, out, runs, tmp_path):
        kill_at("after-swap", run_args(out), cwd=tmp_path, env={NO_EXCHANGE_ENV: "1"})
        assert_new(out, runs)
        [left] = leftovers(out.parent)
        assert_old(left, runs)
        tidy_parent(out.parent, note=lambda _m: None)
        assert_new(out, runs)
        assert leftovers(out.parent) == []


def test_killed_at_random_moments_always_old_or_new(runs, tmp_path):
    """Kills at seeded random times over a whole run, both swap paths: after the next run's repair, --out is
    always the complete old run or the complete new one, and nothing is left over."""
    rng = random.Random(8)
    t0 = time.perf_counter()
    probe = tmp_path / "probe"
    assert (
        subprocess.run(
            [sys.executable, "-m", "healthplan", *run_args(probe)], cwd=tmp_path, capture_output=True
        ).returncode
        == 0
    )
    whole = time.perf_counter() - t0
    outcomes = []
    for trial in range(3):
        out = tmp_path / f"t{trial}" / "plan"
        shutil.copytree(runs[0], out)
        env = {**os.environ, **({NO_EXCHANGE_ENV: "1"} if trial % 2 else {})}
        env.pop(PAUSE_ENV, None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "healthplan", *run_args(out)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, whole))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        tidy_parent(out.parent, note=lambda _m: None)
        assert leftovers(out.parent) == []
        if snapshot(out) == snapshot(runs[0]):
            outcomes.append("old")
        else:
            assert_new(out, runs)
            outcomes.append("new")
    assert len(outcomes) == 3
    print(f"random kills over a {whole:.1f} s run left: {outcomes}")
