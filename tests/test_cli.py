"""The CLI's contract with a planner: readable errors, exit code 2, no traceback unless --debug."""

import subprocess
import sys
from pathlib import Path

import pytest

from healthplan.scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_missing_scenario_file_exits_2_without_traceback(tmp_path, capsys):
    code = main(["check", str(tmp_path / "nope.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "找不到情景文件" in err and "nope.yaml" in err  # Chinese by default
    code = main(["check", str(tmp_path / "nope.yaml"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.yaml not found" in err
    assert "Traceback" not in err


def test_unknown_key_is_reported_with_suggestion(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget_wan: 100\nresources: {blod: {enabled: true}}\n", encoding="utf-8")
    code = main(["run", str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "未知的键 'resources.blod'——是否想写 'blood'？" in err
    code = main(["run", str(bad), "--out", str(tmp_path / "out"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown key 'resources.blod' — did you mean 'blood'?" in err
    assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "healthplan.scenarios.cli", "check", str(tmp_path / "nope.yaml"), "--debug"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_bad_set_option_is_a_usage_error(tmp_path, capsys):
    code = main(["run", str(ROOT / "scenarios" / "demo.yaml"), "--set", "budget_wan"])
    assert code == 2
    assert "expected key=value" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["scenario", "schema"]])
def test_schema_prints_json(argv, capsys):
    import json

    assert main(argv) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "budget_wan" in schema["properties"]


def test_failed_check_exits_2(tmp_path, capsys):
    (tmp_path / "demand.csv").write_text("id,population,urban\nV1,-5,0\n", encoding="utf-8")
    (tmp_path / "sites.csv").write_text("id,level\nS1,thc\n", encoding="utf-8")
    (tmp_path / "od.csv").write_text("site_id,demand_id,minutes\nS1,V1,10\n", encoding="utf-8")
    scen = tmp_path / "s.yaml"
    scen.write_text(
        "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
        "resources: {ambulance: {enabled: false}, fever: {enabled: false}, subcentre: {enabled: false}}\n",
        encoding="utf-8",
    )
    assert main(["check", str(scen)]) == 2
    out = capsys.readouterr().out
    assert "V1" in out and "population" in out


@pytest.mark.parametrize("verb", ["check", "run"])
def test_scenario_problems_name_the_scenario_file(tmp_path, capsys, verb):
    """What the scenario says about sites the data do not have (issue 8 §6): check and run list it all at once,
    naming the scenario file, before any solve; run writes nothing."""
    (tmp_path / "demand.csv").write_text("id,population,urban\nV1,500,0\n", encoding="utf-8")
    (tmp_path / "sites.csv").write_text("id,level\nS1,thc\n", encoding="utf-8")
    (tmp_path / "od.csv").write_text("site_id,demand_id,minutes\nS1,V1,10\n", encoding="utf-8")
    scen = tmp_path / "plan2025.yaml"
    scen.write_text(
        "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
        "resources: {ambulance: {enabled: false}, fever: {enabled: false}, subcentre: {enabled: false},\n"
        "            blood: {unit_cost_wan: 10, candidates: [S9]}}\n"
        "site_costs_wan: {NOPE: {blood: 10}}\n"
        "decisions: [{site: S7, kind: blood, action: must}]\n",
        encoding="utf-8",
    )
    argv = [verb, str(scen)] + (["--out", str(tmp_path / "out")] if verb == "run" else [])
    assert main(argv) == 2
    cap = capsys.readouterr()
    text = "".join((cap.out + cap.err).split())  # the console wraps long lines anywhere
    for bad in ("'NOPE'", "S9", "'S7'"):
        assert bad in text
    assert text.count("plan2025.yaml") >= 3
    assert "Traceback" not in text and not (tmp_path / "out").exists()


def test_file_overview_lists_each_map_once_with_its_formats(tmp_path):
    from healthplan.scenarios.cli import _file_overview

    names = ["appendix.docx", "summary.md", "maps/plan.png", "maps/plan.pdf", "maps/current.png",
             "maps/current.pdf", "projects.csv", "state/plan.json"]
    files = [tmp_path / n for n in names]
    zh = dict(_file_overview(tmp_path, files, "zh"))
    assert zh["地图："] == "maps/（PDF、PNG）：current, plan"
    assert zh["文档："] == "appendix.docx, summary.md" and zh["数据表："] == "projects.csv"  # state hidden
    en = dict(_file_overview(tmp_path, files, "en"))
    assert en["maps:"] == "maps/ (PDF, PNG): current, plan"


EXIT_NOW = """
import atexit, pathlib, sys, threading, time
from healthplan.scenarios.cli import exit_now
out = pathlib.Path(sys.argv[1])
atexit.register(lambda: (out / "handler").write_text("ran"))

class Freed:  # the interpreter's teardown frees module globals: this one says so when it is freed
    def __del__(self):
        (out / "teardown").write_text("ran")

kept = Freed()
if sys.argv[2] == "thread":  # a thread the interpreter would wait for: the usual exit, which waits
    threading.Thread(target=lambda: (time.sleep(0.3), (out / "thread").write_text("done"))).start()
print("x" * 200_000, end="")  # more than a pipe's buffer: all of it must arrive
exit_now(3)
"""


@pytest.mark.parametrize("case", ["plain", "thread"])
def test_exit_now_keeps_the_code_the_output_and_the_exit_handlers(tmp_path, case):
    """`healthplan` leaves without the interpreter's teardown (≈ 0.4 s after a run): the exit code is the
    command's, everything printed reaches a pipe, exit handlers run, and a thread still working is waited for."""
    proc = subprocess.run([sys.executable, "-c", EXIT_NOW, str(tmp_path), case], capture_output=True, text=True,
                          cwd=ROOT, check=False, timeout=60)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert proc.stdout == "x" * 200_000
    assert (tmp_path / "handler").read_text() == "ran"
    if case == "thread":
        assert (tmp_path / "thread").read_text() == "done"
        assert (tmp_path / "teardown").exists()  # the usual exit
    else:
        assert not (tmp_path / "teardown").exists()  # no teardown: what the quick exit saves


def test_exit_now_with_its_standard_output_closed(tmp_path):
    """Started with no standard output at all (``>&-``: Python's ``sys.stdout`` is None), the command still
    exits with its own code."""
    script = f"{sys.executable} -m healthplan check {tmp_path / 'nope.yaml'} >&-"
    proc = subprocess.run(["sh", "-c", script], capture_output=False, stderr=subprocess.PIPE, text=True,
                          cwd=ROOT, check=False, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


def test_the_command_exits_with_the_code_of_its_error(tmp_path):
    """The same through `python -m healthplan` (the `healthplan` script's entry): an input error exits 2."""
    proc = subprocess.run([sys.executable, "-m", "healthplan", "check", str(tmp_path / "nope.yaml")],
                          capture_output=True, text=True, cwd=ROOT, check=False, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "nope.yaml" in proc.stderr



def test_only_the_command_changes_the_collector(monkeypatch, tmp_path):
    """`healthplan` (entry) collects young objects every GC_THRESHOLDS[0] allocations while it runs; a program
    that calls main() keeps its collector as it was: same thresholds, nothing frozen."""
    import gc

    from healthplan.scenarios import cli

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert main(["baseline", str(ROOT / "scenarios" / "demo.yaml"), "--out", str(tmp_path / "b")]) == 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)
    seen = {}

    def fake_main() -> int:
        seen["during"] = gc.get_threshold()
        return 0

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(cli, "exit_now", lambda code: seen.setdefault("code", code))
    monkeypatch.setattr(cli, "_COMMAND", False)
    try:
        cli.entry()
        assert seen == {"during": cli.GC_THRESHOLDS, "code": 0} and cli.GC_THRESHOLDS != before
    finally:
        gc.set_threshold(*before)
