"""The demo's full run, split by phase (issue 12 §3, "reports in seconds"): target ≤ 4 s wall, `check`
start-up ≤ 0.3 s.

Usage::

    .venv/bin/python benchmarks/demo_run.py            # 3 runs of each (≈ 2 min on 2 shared cores)
    .venv/bin/python benchmarks/demo_run.py --runs 5

Prints, as Markdown tables, the median of ``--runs`` fresh processes each:

1. ``healthplan run scenarios/demo.yaml --out … --force`` (the command a planner types: wall seconds of the
   whole process, imports and console output included), once with its output captured and once in a
   pseudo-terminal (rich shows its progress display there, with a thread of its own),
   ``healthplan check scenarios/demo.yaml`` and the start-up of ``healthplan check --help``;
2. the same run in a child process that times every phase: start-up (imports), read inputs, travel times,
   solve (build, HiGHS, evaluation), the project list, the tables (CSV, placements.gpkg), the documents
   (appendix.xlsx/docx), the saved state, map.html, the print maps (the wait for them at the end, and each
   map's own seconds in the worker process that drew it), the summary and the swap of the finished folder
   into place.

Besides wall seconds it prints CPU seconds (user + system, the map workers included): they drift far less
with the load of a shared machine, so they show what a change saved even when the wall times are noisy.

Every run uses the travel-time cache as a planner's second run does (the first run fills it). Wall times on a
shared machine drift with its load: the 1-minute load average is printed before and after every table.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "demo.yaml"
TARGET_RUN_S = 4.0
TARGET_CHECK_S = 0.3

# write_run's progress messages (reports.writer) → the phase that starts with it
NOTE_PHASES = {
    "项目清单 / project list": "project list",
    "CSV": "tables (CSV, placements.gpkg)",
    "appendix.xlsx / appendix.docx": "documents (appendix.xlsx, .docx)",
    "state": "saved state",
    "maps": "print maps (waiting for the workers)",
    "map.html": "map.html",
    "summary": "summary.json, summary.md, marker, swap into place",
}


def load() -> str:
    """1-minute load average (the machine is shared)."""
    return f"{os.getloadavg()[0]:.2f}"


def healthplan_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("healthplan")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "healthplan"]


def timed(cmd: list[str], *, terminal: bool = False) -> tuple[float, float]:
    """Wall seconds of ``cmd`` and the CPU seconds (user + system) of it and every process it waited for;
    ``terminal``: its standard streams are a pseudo-terminal, as when a planner types the command (rich then
    shows its progress display)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    if terminal:
        import pty
        import threading

        master, slave = pty.openpty()
        drain = threading.Thread(target=_drain, args=(master,), daemon=True)
        drain.start()
        try:
            proc = subprocess.run(cmd, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave)
        finally:
            os.close(slave)
        drain.join(timeout=10)
        os.close(master)
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, cmd)
    else:
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _drain(fd: int) -> None:
    """Read a pseudo-terminal until its other end closes (a full terminal buffer would stop the writer)."""
    while True:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


# ---------------------------------------------------------------------------------------------- one timed run


class _Recorder:
    """Stands in for scenarios.progress.Stages: records when each stage and each write_run message starts."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def stage(self, key: str, label: str):  # noqa: ANN201 - a context manager
        import contextlib

        @contextlib.contextmanager
        def cm():  # noqa: ANN202
            self.marks.append((f"stage:{key}", time.perf_counter()))
            yield
            self.marks.append((f"end:{key}", time.perf_counter()))

        return cm()

    def note(self, message: str) -> None:
        self.marks.append((message, time.perf_counter()))


def _time_maps(log_path: Path) -> None:
    """Wrap the function a map worker runs per map (``reports.maps._draw``; ``_render`` before the workers
    were started early) so each map's wall and CPU seconds in its worker go to ``log_path``, and
    ``start_maps`` (the run's own share of the maps).

    Done before the workers are forked, so they inherit the wrappers; pickling a job's function by name finds
    the wrapper too (functools.wraps keeps the module and name).
    """
    from healthplan.reports import maps

    def logged(name: str, inner, stem_of):  # noqa: ANN001, ANN202
        @functools.wraps(inner)
        def wrapper(*args, **kw):  # noqa: ANN002, ANN003, ANN202
            t0, c0 = time.perf_counter(), time.process_time()
            out = inner(*args, **kw)
            rec = {"stem": stem_of(args), "s": time.perf_counter() - t0, "cpu": time.process_time() - c0}
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(rec) + "\n")
            return out

        setattr(maps, name, wrapper)

    if hasattr(maps, "_draw"):
        logged("_draw", maps._draw, lambda args: args[-1].stem)
    else:
        logged("_render", maps._render, lambda args: args[0].stem)
    if hasattr(maps, "start_maps"):
        logged("start_maps", maps.start_maps, lambda args: "start")


def one_run(out: Path) -> dict[str, float]:
    """One demo run in this (fresh) process; returns seconds per phase."""
    t_start = time.perf_counter()
    from healthplan.scenarios.runner import run_scenario
    from healthplan.scenarios.schema import load_scenario

    t_imported = time.perf_counter()
    map_log = Path(tempfile.mkdtemp(prefix="hp-bench-")) / "maps.jsonl"
    _time_maps(map_log)  # imports reports.maps (matplotlib …), which a real run does while writing
    t_maps_imported = time.perf_counter()
    scen = load_scenario(SCENARIO)
    rec = _Recorder()
    t0 = time.perf_counter()
    result = run_scenario(scen, out=out, force=True, stages=rec)
    t_end = time.perf_counter()
    marks = dict(rec.marks)
    tm = result.timings
    phases: dict[str, float] = {
        "start-up (imports)": t_imported - t_start,
        "import reports.maps (matplotlib …)": t_maps_imported - t_imported,
        "scenario file": t0 - t_maps_imported,
        "read inputs": tm["read_s"],
        "travel times": tm["travel_s"],
        "  rest of the read stage": marks["end:read"] - marks["stage:read"] - tm["read_s"] - tm["travel_s"],
        "solve (build, HiGHS, evaluation)": marks["end:solve"] - marks["stage:solve"],
        "  of which build + HiGHS": tm.get("build_s", 0.0) + tm.get("solve_s", 0.0),
        "summary figures": marks["stage:write"] - marks["end:solve"],
    }
    # write_run's phases: from one progress message to the next, the last one to the end of the write stage
    notes = [(m, t) for m, t in rec.marks if m in NOTE_PHASES]
    phases["write: imports, temporary folder"] = notes[0][1] - marks["stage:write"]
    ends = [t for _, t in notes[1:]] + [marks["end:write"]]
    for (m, t), t_next in zip(notes, ends, strict=True):
        phases[NOTE_PHASES[m]] = phases.get(NOTE_PHASES[m], 0.0) + t_next - t
    if map_log.exists():
        map_cpu = 0.0
        for line in map_log.read_text(encoding="utf-8").splitlines():
            rec_map = json.loads(line)
            if rec_map["stem"] == "start":
                phases["  start_maps in the run's process (map data, font subset, workers)"] = rec_map["s"]
                continue
            phases[f"  map {rec_map['stem']} (in its worker)"] = rec_map["s"]
            phases[f"  map {rec_map['stem']} (in its worker), CPU"] = rec_map["cpu"]
            map_cpu += rec_map["cpu"]
        phases["  every map, CPU (sum over the workers)"] = map_cpu
    phases["total in process"] = t_end - t_start
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    phases["total CPU (this process and its map workers)"] = (own.ru_utime + own.ru_stime + children.ru_utime
                                                               + children.ru_stime)
    return phases


# ---------------------------------------------------------------------------------------------- tables


def median_table(title: str, rows: list[dict[str, float]]) -> dict[str, float]:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    med = {k: statistics.median(r.get(k, 0.0) for r in rows) for k in keys}
    print(f"\n### {title}\n")
    print("| phase | median s | runs (s) |")
    print("|---|---|---|")
    for k in keys:
        runs = ", ".join(f"{r.get(k, 0.0):.2f}" for r in rows)
        print(f"| {k} | {med[k]:.2f} | {runs} |")
    return med


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="fresh processes per figure (median)")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # child: one timed run into this folder
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one_run(args.one)))
        return 0
    hp = healthplan_cmd()
    with tempfile.TemporaryDirectory(prefix="hp-bench-") as tmp:
        out = Path(tmp) / "demo"
        timed([*hp, "run", str(SCENARIO), "--out", str(out), "--force"])  # fills the travel-time cache
        print(f"load average at start: {load()}")
        print(f"\n### `healthplan` commands, median of {args.runs} fresh processes\n")
        print("| command | median wall s | runs (s) | median CPU s | target | load before → after |")
        print("|---|---|---|---|---|---|")
        run = [*hp, "run", str(SCENARIO), "--out", str(out), "--force"]
        cmds = [
            ("run scenarios/demo.yaml --out … --force", run, TARGET_RUN_S, False),
            ("run … in a terminal (pty: progress display on)", run, TARGET_RUN_S, True),
            ("check scenarios/demo.yaml", [*hp, "check", str(SCENARIO)], None, False),
            ("check --help (start-up)", [*hp, "check", "--help"], TARGET_CHECK_S, False),
        ]
        for label, cmd, target, terminal in cmds:
            before = load()
            runs = [timed(cmd, terminal=terminal) for _ in range(args.runs)]
            med = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            verdict = "—" if target is None else f"≤ {target:g} s: {'met' if med <= target else 'not met'}"
            walls = ", ".join(f"{w:.2f}" for w, _ in runs)
            print(f"| healthplan {label} | {med:.2f} | {walls} | {cpu:.2f} | {verdict} | "
                  f"{before} → {load()} |")
        before = load()
        rows = []
        for _ in range(args.runs):
            proc = subprocess.run([sys.executable, __file__, "--one", str(out)], cwd=ROOT, check=True,
                                  capture_output=True, text=True)
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        title = f"phases of the demo run, median of {args.runs} fresh processes (load {before} → {load()})"
        median_table(title, rows)
    print(f"\nload average at end: {load()}; CPUs available: {len(os.sched_getaffinity(0))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
