"""Output folders (issue 8 §1–3): never destroy what healthplan did not write, output problems before any
work, the atomic swap (renameat2 and the portable fallback) and the repair of what killed runs leave behind.

The real-kill tests are in test_run_kill.py; these run in-process (the CLI through ``main``), with real files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from healthplan.reports import run_folder as rf
from healthplan.reports.run_folder import (
    MARKER,
    NO_EXCHANGE_ENV,
    OutputExistsError,
    OutputFolderError,
    check_out,
    inspect_folder,
    temp_name,
    tidy_parent,
    write_folder,
    write_marker,
)
from healthplan.scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
CSV_DIR = ROOT / "scenarios" / "examples" / "csv"
FAST = ["--set", "report.maps=false", "--set", "report.html_map=false", "--set", "report.documents=false"]


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under ``folder`` (hidden files included)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def project(tmp_path):
    """A planner's own folder: the CSV example scenario with its three inputs."""
    d = tmp_path / "project"
    shutil.copytree(CSV_DIR, d)
    return d


@pytest.fixture(scope="module")
def a_run(tmp_path_factory):
    """One complete run folder of the CSV example (tables only), written once for the module."""
    out = tmp_path_factory.mktemp("a_run") / "plan"
    assert main(["run", str(CSV_DIR / "minimal.yaml"), "--out", str(out), *FAST]) == 0
    return out


def _err(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())


# ---------------------------------------------------------------------------------------------- §1


class TestNeverDestroy:
    def test_scenario_folder_as_out_with_force_is_refused_and_untouched(self, project, capsys):
        before = snapshot(project)
        code = main(["run", str(project / "minimal.yaml"), "--out", str(project), "--force", *FAST])
        assert code == 2
        err = _err(capsys)
        assert f"--out {project} contains the scenario file" in err and "whatever the flags" in err
        assert "fix:" in err
        assert snapshot(project) == before

    def test_folder_holding_inputs_of_an_extended_scenario_is_refused(self, project, tmp_path, capsys):
        child = tmp_path / "elsewhere" / "child.yaml"
        child.parent.mkdir()
        child.write_text(f"extends: {project / 'minimal.yaml'}\nbudget_wan: 300\n", encoding="utf-8")
        before = snapshot(project)
        assert main(["run", str(child), "--out", str(project), "--force", *FAST]) == 2
        assert "contains the scenario file" in _err(capsys)  # minimal.yaml, reached through extends
        (project / "minimal.yaml").rename(project / "base.yaml")  # only the inputs left in the folder
        inputs = tmp_path / "inputs_only"
        shutil.copytree(project, inputs)
        child.write_text(
            f"extends: {project / 'base.yaml'}\ninputs: {{demand: {inputs / 'demand.csv'}}}\n",
            encoding="utf-8",
        )
        assert main(["run", str(child), "--out", str(inputs), "--force", *FAST]) == 2
        assert "contains the input 'demand'" in _err(capsys)
        assert snapshot(project) == {
            **{k: v for k, v in before.items() if k != "minimal.yaml"},
            "base.yaml": before["minimal.yaml"],
        }

    def test_out_that_is_an_input_file_is_refused(self, project, capsys):
        assert main(["run", str(project / "minimal.yaml"), "--out", str(project / "od.csv"), "--force"]) == 2
        assert "is a file, not a folder" in _err(capsys)
        assert (project / "od.csv").stat().st_size > 0

    def test_foreign_folder_is_refused_with_what_it_holds(self, project, tmp_path, capsys):
        other = tmp_path / "mine"
        shutil.copytree(project, other)
        (other / "sub").mkdir()
        (other / "sub" / "notes.docx").write_bytes(b"x")
        before = snapshot(other)
        assert main(["run", str(project / "minimal.yaml"), "--out", str(other), "--force", *FAST]) == 2
        err = _err(capsys)
        assert "holds 5 files that healthplan did not write, e.g. demand.csv, minimal.yaml, od.csv" in err
        assert "sub/" in err and "choose another --out" in err
        assert snapshot(other) == before

    def test_current_home_and_root_are_refused(self, tmp_path, monkeypatch, capsys):
        scen = CSV_DIR / "minimal.yaml"
        cwd = tmp_path / "work"
        cwd.mkdir()
        monkeypatch.chdir(cwd)
        assert main(["run", str(scen), "--out", ".", "--force"]) == 2
        assert "is the current folder" in _err(capsys)
        assert main(["run", str(scen), "--out", "..", "--force"]) == 2
        assert "contains the current folder" in _err(capsys)
        home = tmp_path / "home"
        home.mkdir()
        monkeypatch.setenv("HOME", str(home))
        assert main(["run", str(scen), "--out", str(home), "--force"]) == 2
        assert "is your home folder" in _err(capsys)
        assert main(["run", str(scen), "--out", "/", "--force"]) == 2
        assert "filesystem root" in _err(capsys)

    def test_healthplan_folder_with_a_file_added_is_refused(self, a_run, tmp_path, capsys):
        run = tmp_path / "plan"
        shutil.copytree(a_run, run)
        (run / "my_notes.txt").write_text("keep me", encoding="utf-8")
        before = snapshot(run)
        assert main(["run", str(CSV_DIR / "minimal.yaml"), "--out", str(run), "--force", *FAST]) == 2
        err = _err(capsys)
        assert "holds 1 file that healthplan did not write, e.g. my_notes.txt" in err
        assert "healthplan run folder" in err
        assert snapshot(run) == before

    def test_force_replaces_an_earlier_run_and_an_empty_folder_only_with_force(self, a_run, tmp_path, capsys):
        run = tmp_path / "plan"
        shutil.copytree(a_run, run)
        scen = str(CSV_DIR / "minimal.yaml")
        assert main(["run", scen, "--out", str(run), *FAST]) == 2
        assert "already exists (a healthplan run folder)" in _err(capsys)
        assert main(["run", scen, "--out", str(run), "--force", *FAST, "--set", "budget_wan=300"]) == 0
        assert json.loads((run / "summary.json").read_text(encoding="utf-8"))["budget_wan"] == 300
        assert inspect_folder(run).complete
        empty = tmp_path / "empty"
        empty.mkdir()
        assert main(["run", scen, "--out", str(empty), *FAST]) == 2
        assert "already exists (an empty folder)" in _err(capsys)
        assert main(["run", scen, "--out", str(empty), "--force", *FAST]) == 0
        assert (empty / "summary.json").is_file() and (empty / MARKER).is_file()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(rf.TMP_PREFIX)]

    def test_run_folder_of_an_earlier_version_is_recognised(self, a_run, tmp_path):
        legacy = tmp_path / "old"
        shutil.copytree(a_run, legacy)
        (legacy / MARKER).unlink()  # written before the marker existed: state/run.json and known names only
        info = inspect_folder(legacy)
        assert info.kind == "run" and info.legacy and info.replaceable
        (legacy / "villages.csv").write_text("id\n", encoding="utf-8")
        info = inspect_folder(legacy)
        assert not info.replaceable and info.foreign == ["villages.csv"]

    def test_marker_lists_every_file_and_a_broken_marker_is_not_trusted(self, a_run, tmp_path):
        marker = json.loads((a_run / MARKER).read_text(encoding="utf-8"))
        assert (
            marker["tool"] == "healthplan"
            and marker["format"] == rf.MARKER_FORMAT
            and marker["kind"] == "run"
        )
        assert set(marker["files"]) == set(snapshot(a_run)) - {MARKER}
        forged = tmp_path / "forged"
        forged.mkdir()
        (forged / "data.csv").write_text("x", encoding="utf-8")
        (forged / MARKER).write_text('{"tool": "healthplan"', encoding="utf-8")  # truncated
        assert not inspect_folder(forged).replaceable
        with pytest.raises(OutputFolderError, match="holds 2 files"):
            check_out(forged, force=True)

    def test_symlink_out_is_refused(self, a_run, tmp_path):
        link = tmp_path / "link"
        link.symlink_to(a_run)
        with pytest.raises(OutputFolderError, match="symbolic link"):
            check_out(link, force=True)

    def test_sweep_out_follows_the_same_rules(self, project, tmp_path, capsys):
        scen = str(project / "minimal.yaml")
        before = snapshot(project)
        assert main(["sweep", scen, "--budget", "100,200", "--serial", "--out", str(project), "--force"]) == 2
        assert "contains the scenario file" in _err(capsys)
        assert snapshot(project) == before
        out = tmp_path / "sw"
        args = ["sweep", scen, "--budget", "100,200", "--serial", "--out", str(out)]
        assert main(args) == 0
        capsys.readouterr()
        assert inspect_folder(out).kind == "sweep" and inspect_folder(out).complete
        for point in (out / "points").iterdir():
            assert inspect_folder(point).kind == "run"  # each point can be re-rendered and compared
        assert main(args) == 2
        assert "already exists (a healthplan sweep folder)" in _err(capsys)
        (out / "points" / "extra.txt").write_text("mine", encoding="utf-8")
        assert main([*args, "--force"]) == 2
        assert "holds 1 file that healthplan did not write, e.g. points/extra.txt" in _err(capsys)
        (out / "points" / "extra.txt").unlink()
        assert main([*args, "--force"]) == 0
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(rf.TMP_PREFIX)]

    def test_compare_out_follows_the_same_rules(self, a_run, tmp_path, capsys):
        b = tmp_path / "b"
        assert (
            main(["run", str(CSV_DIR / "minimal.yaml"), "--out", str(b), *FAST, "--set", "budget_wan=300"])
            == 0
        )
        capsys.readouterr()
        before = snapshot(b)
        assert main(["compare", str(a_run), str(b), "--out", str(b), "--force"]) == 2
        assert "is a run folder being compared" in _err(capsys)
        assert snapshot(b) == before
        cmp = tmp_path / "cmp"
        assert main(["compare", str(a_run), str(b), "--out", str(cmp)]) == 0
        assert inspect_folder(cmp).kind == "compare"
        assert main(["compare", str(a_run), str(b), "--out", str(cmp), "--force"]) == 0
        (cmp / "mine.md").write_text("x", encoding="utf-8")
        assert main(["compare", str(a_run), str(b), "--out", str(cmp), "--force"]) == 2
        assert "e.g. mine.md" in _err(capsys)

    def test_report_refuses_what_is_not_a_healthplan_run_folder(
        self, a_run, project, tmp_path, monkeypatch, capsys
    ):
        before = snapshot(project)
        assert main(["report", str(project)]) == 2
        assert "not a healthplan run folder" in _err(capsys)
        assert snapshot(project) == before
        run = tmp_path / "plan"
        shutil.copytree(a_run, run)
        (run / "state" / "mine.txt").write_text("keep", encoding="utf-8")
        before = snapshot(run)
        assert main(["report", str(run), "--lang", "en"]) == 2
        err = _err(capsys)
        assert "e.g. state/mine.txt" in err and "move those files out of the folder" in err
        assert snapshot(run) == before
        (run / "state" / "mine.txt").unlink()
        monkeypatch.chdir(run)
        assert main(["report", "."]) == 2
        assert "is the current folder" in _err(capsys)
        monkeypatch.chdir(tmp_path)
        assert main(["report", "plan", "--lang", "en"]) == 0
        # English goes beside the Chinese run, never over it
        assert "Plan summary" in (tmp_path / "plan-en" / "summary.md").read_text(encoding="utf-8")
        assert "Plan summary" not in (run / "summary.md").read_text(encoding="utf-8")
        assert inspect_folder(run).complete and inspect_folder(run).n_foreign == 0
        assert inspect_folder(tmp_path / "plan-en").complete


# ---------------------------------------------------------------------------------------------- §3


def _missing_input_scenario(tmp_path: Path) -> Path:
    """A scenario whose demand file does not exist: an output error shown instead proves nothing was read."""
    s = tmp_path / "s.yaml"
    text = (
        (CSV_DIR / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}",
            f"inputs: {{demand: {tmp_path / 'no_such.csv'}, sites: {CSV_DIR / 'sites.csv'}, "
            f"travel_times: {CSV_DIR / 'od.csv'}}}",
        )
    )
    s.write_text(text, encoding="utf-8")
    return s


class TestOutputProblemsBeforeWork:
    def test_out_is_a_file(self, tmp_path, capsys):
        scen = _missing_input_scenario(tmp_path)
        (tmp_path / "result").write_text("a file", encoding="utf-8")
        assert main(["run", str(scen), "--out", str(tmp_path / "result")]) == 2
        err = _err(capsys)
        assert f"--out {tmp_path / 'result'} is a file, not a folder" in err and "no_such.csv" not in err

    def test_parent_is_a_file(self, tmp_path, capsys):
        scen = _missing_input_scenario(tmp_path)
        (tmp_path / "f").write_text("a file", encoding="utf-8")
        assert main(["run", str(scen), "--out", str(tmp_path / "f" / "a" / "b")]) == 2
        err = _err(capsys)
        assert (
            f"{tmp_path / 'f'} is a file, so no folder can be made under it" in err and "no_such" not in err
        )

    def test_name_too_long_for_the_file_system(self, tmp_path, capsys):
        scen = _missing_input_scenario(tmp_path)
        limit = os.pathconf(tmp_path, "PC_NAME_MAX")
        name = "p" * (limit - 10)  # fits on its own, not with the temporary sibling's prefix
        assert main(["run", str(scen), "--out", str(tmp_path / name)]) == 2
        err = _err(capsys)
        assert "the name is too long" in err and f"allows {limit}" in err and "no_such" not in err
        room = limit - len(temp_name("", "new", pid=10**7 - 1))
        with pytest.raises(OutputFolderError):
            check_out(tmp_path / ("q" * (room + 1)), force=False)
        assert check_out(tmp_path / ("q" * room), force=False) == tmp_path / ("q" * room)

    def test_sweep_and_compare_check_before_work(self, tmp_path, capsys):
        scen = _missing_input_scenario(tmp_path)
        (tmp_path / "f").write_text("x", encoding="utf-8")
        assert main(["sweep", str(scen), "--budget", "100", "--serial", "--out", str(tmp_path / "f")]) == 2
        assert "is a file, not a folder" in _err(capsys)
        assert (
            main(
                [
                    "compare",
                    str(tmp_path / "nope1"),
                    str(tmp_path / "nope2"),
                    "--out",
                    str(tmp_path / "f" / "x"),
                ]
            )
            == 2
        )
        assert "is a file, so no folder can be made" in _err(capsys)  # before the runs are read

    def test_not_writable(self, tmp_path, capsys):
        scen = _missing_input_scenario(tmp_path)
        ro = tmp_path / "ro"
        ro.mkdir()
        if os.geteuid() == 0:  # root writes through permissions, not into an immutable folder
            if subprocess.run(["chattr", "+i", str(ro)], capture_output=True).returncode != 0:
                pytest.skip("running as root and chattr +i is not available: cannot make a folder unwritable")
            undo = ["chattr", "-i", str(ro)]
        else:
            ro.chmod(0o555)
            undo = ["chmod", "755", str(ro)]
        try:
            assert main(["run", str(scen), "--out", str(ro / "plan")]) == 2
            err = _err(capsys)
            assert f"cannot write into {ro}" in err and "no_such" not in err
            assert main(["run", str(scen), "--out", str(ro / "a" / "b")]) == 2  # the nearest existing parent
            assert f"cannot write into {ro}" in _err(capsys)
        finally:
            subprocess.run(undo, check=True)


# ---------------------------------------------------------------------------------------------- §2 in-process


def _build(files: dict[str, str]):
    def build(folder: Path) -> list[Path]:
        out = []
        for rel, text in files.items():
            p = folder / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
            out.append(p)
        return out

    return build


class TestSwap:
    @pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "fallback"])
    def test_replace_swaps_complete_folders_and_leaves_nothing(self, tmp_path, monkeypatch, exchange):
        if exchange and not _exchange_supported(tmp_path):
            pytest.skip("renameat2(RENAME_EXCHANGE) is not supported here")
        if not exchange:
            monkeypatch.setenv(NO_EXCHANGE_ENV, "1")
        out = tmp_path / "out"
        files = write_folder(out, _build({"a.csv": "1", "sub/b.csv": "2"}), kind="run", force=False)
        assert files == [out / "a.csv", out / "sub" / "b.csv"]
        write_folder(out, _build({"a.csv": "new", "c.csv": "3"}), kind="run", force=True)
        assert set(snapshot(out)) == {"a.csv", "c.csv", MARKER}
        assert (out / "a.csv").read_text(encoding="utf-8") == "new"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def test_exchange_swaps_two_folders_in_one_step(self, tmp_path):
        if not _exchange_supported(tmp_path):
            pytest.skip("renameat2(RENAME_EXCHANGE) is not supported here")
        a, b = tmp_path / "a", tmp_path / "b"
        a.mkdir()
        b.mkdir()
        (a / "from_a").write_text("", encoding="utf-8")
        (b / "from_b").write_text("", encoding="utf-8")
        assert rf.exchange(a, b)
        assert [p.name for p in a.iterdir()] == ["from_b"] and [p.name for p in b.iterdir()] == ["from_a"]

    def test_exchange_can_be_switched_off(self, tmp_path, monkeypatch):
        monkeypatch.setenv(NO_EXCHANGE_ENV, "1")
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        assert rf.exchange(tmp_path / "a", tmp_path / "b") is False

    def test_failed_build_leaves_the_old_folder_and_no_temporary(self, tmp_path):
        out = tmp_path / "out"
        write_folder(out, _build({"a.csv": "1"}), kind="run", force=False)
        before = snapshot(out)

        def boom(folder: Path) -> list[Path]:
            (folder / "half.csv").write_text("x", encoding="utf-8")
            raise RuntimeError("solver crashed")

        with pytest.raises(RuntimeError):
            write_folder(out, boom, kind="run", force=True)
        assert snapshot(out) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def test_existing_out_without_force(self, tmp_path):
        out = tmp_path / "out"
        write_folder(out, _build({"a.csv": "1"}), kind="run", force=False)
        with pytest.raises(OutputExistsError, match="already exists"):
            write_folder(out, _build({"a.csv": "2"}), kind="run", force=False)


def _exchange_supported(tmp_path: Path) -> bool:
    """Whether renameat2(RENAME_EXCHANGE) works in ``tmp_path`` (checked on two scratch folders)."""
    probe = tmp_path / "probe"
    (probe / "a").mkdir(parents=True)
    (probe / "b").mkdir()
    try:
        return rf.exchange(probe / "a", probe / "b")
    finally:
        shutil.rmtree(probe)


def _complete(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "summary.json").write_text(text, encoding="utf-8")
    write_marker(folder, "run")
    return folder


class TestTidy:
    def test_unfinished_temporary_of_a_dead_process_is_removed_with_a_note(self, tmp_path):
        pid = dead_pid()
        left = tmp_path / temp_name("plan", "new", pid=pid)
        left.mkdir()
        (left / "projects.csv").write_text("half", encoding="utf-8")
        notes = tidy_parent(tmp_path, note=lambda _m: None)
        assert not left.exists()
        assert len(notes) == 1 and f"pid {pid}" in notes[0] and "unfinished" in notes[0]

    def test_live_owner_and_other_names_are_never_touched(self, tmp_path):
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            live = tmp_path / temp_name("plan", "new", pid=sleeper.pid)
            live.mkdir()
            other = tmp_path / ".healthplan-new-1-zzzzzz-plan"  # not a host tag: not ours
            other.mkdir()
            mine = tmp_path / ".plan.abc123"  # the user's (or an old mkdtemp's): never matched
            mine.mkdir()
            assert tidy_parent(tmp_path, note=lambda _m: None) == []
            assert live.exists() and other.exists() and mine.exists()
        finally:
            sleeper.kill()
            sleeper.wait()
        assert tidy_parent(tmp_path, note=lambda _m: None)
        assert not live.exists()

    def test_missing_out_is_restored_from_the_newest_complete_temporary(self, tmp_path):
        pid = dead_pid()
        _complete(tmp_path / temp_name("plan", "old", pid=pid), "old")
        _complete(tmp_path / temp_name("plan", "new", pid=pid), "new")
        notes = tidy_parent(tmp_path, note=lambda _m: None)
        assert (tmp_path / "plan" / "summary.json").read_text(encoding="utf-8") == "new"
        assert inspect_folder(tmp_path / "plan").complete
        assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
        assert any(n.startswith("restored") for n in notes)

    def test_finished_run_never_swapped_in_is_kept_under_a_visible_name(self, tmp_path):
        pid = dead_pid()
        _complete(tmp_path / "plan", "current")
        _complete(tmp_path / temp_name("plan", "new", pid=pid), "newer")
        notes = tidy_parent(tmp_path, note=lambda _m: None)
        kept = [p for p in tmp_path.iterdir() if p.name.startswith("plan.interrupted-")]
        assert len(kept) == 1 and (kept[0] / "summary.json").read_text(encoding="utf-8") == "newer"
        assert (tmp_path / "plan" / "summary.json").read_text(encoding="utf-8") == "current"
        assert "kept a finished run" in notes[0]

    def test_old_run_already_replaced_is_removed(self, tmp_path):
        pid = dead_pid()
        _complete(tmp_path / temp_name("plan", "new", pid=pid), "old, after the exchange")
        _complete(tmp_path / "plan", "new")
        tidy_parent(tmp_path, note=lambda _m: None)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
        assert (tmp_path / "plan" / "summary.json").read_text(encoding="utf-8") == "new"

    def test_next_run_into_the_parent_tidies_and_says_so(self, tmp_path, capsys):
        pid = dead_pid()
        left = tmp_path / temp_name("other", "new", pid=pid)
        left.mkdir()
        assert main(["run", str(CSV_DIR / "minimal.yaml"), "--out", str(tmp_path / "plan"), *FAST]) == 0
        assert not left.exists()
        assert f"removed an unfinished run folder left by a killed healthplan process (pid {pid})" in _err(
            capsys
        )
