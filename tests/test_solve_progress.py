"""Reports of a running solve (``optimizer.progress``): HiGHS's best plan and bound while it runs, the window
search's plan, the stage they belong to, and the line the command shows a planner."""

from __future__ import annotations

import math

import numpy as np
import pulp
import pytest
from test_neighbourhoods import SOLVER, completed, grid, site_of
from test_opt_helpers import random_case
from test_opt_solve import multi_knapsack

import healthplan.optimizer.neighbourhoods as nb
import healthplan.optimizer.solve as solve_mod
from healthplan.optimizer.build import build_model
from healthplan.optimizer.config import OptimizerConfig, SolverConfig
from healthplan.optimizer.neighbourhoods import improve_start
from healthplan.optimizer.objective import STAGES, solve_stages
from healthplan.optimizer.prepare import prepare
from healthplan.optimizer.progress import StageProgress
from healthplan.optimizer.solve import solve
from healthplan.reports.i18n import has_message
from healthplan.scenarios.progress import solve_note

FAST = 0.01  # seconds between reports in these tests (a second in a run)


@pytest.mark.parametrize("sense", [pulp.LpMaximize, pulp.LpMinimize])
def test_a_running_solve_reports_plans_and_bounds_that_close_in(monkeypatch, sense):
    """Every report's plan is no better than the final plan and its bound no tighter than the final bound (HiGHS
    only improves both), the bounds close in over time, and the reports are in the problem's own sense."""
    monkeypatch.setattr(solve_mod, "WATCH_PERIOD_S", FAST)
    seen: list[tuple[float, float]] = []
    res = solve(multi_knapsack(sense), SolverConfig(time_limit_s=0.6), 0.6, watch=lambda z, b: seen.append((z, b)))
    assert len(seen) >= 5
    plans = [(z, b) for z, b in seen if math.isfinite(z) and math.isfinite(b)]
    assert plans, "HiGHS reported no plan with a bound in 0.6 s"
    up = 1.0 if sense == pulp.LpMaximize else -1.0  # compare as a maximisation
    tol = 1e-6 * abs(res.objective)
    for z, b in plans:
        assert up * z <= up * res.objective + tol  # no report beats the final plan
        assert up * b >= up * res.bound - tol  # nor the final bound
        assert up * b >= up * z - tol  # a bound lies beyond its plan
    bounds = [up * b for _, b in plans]
    assert all(later <= earlier + tol for earlier, later in zip(bounds, bounds[1:], strict=False))


def test_watching_does_not_change_the_plan(monkeypatch):
    """The same model solved to optimality with and without reports gives the same plan, value for value."""
    monkeypatch.setattr(solve_mod, "WATCH_PERIOD_S", FAST)
    plans = []
    for watch in (None, lambda z, b: None):
        prob = multi_knapsack(pulp.LpMaximize, n=40, m=5)
        res = solve(prob, SolverConfig(time_limit_s=60), 60, watch=watch)
        plans.append((res.status, res.objective, [v.varValue for v in prob.variables()]))
    assert plans[0] == plans[1]


def test_the_stages_report_their_name_phase_and_time(monkeypatch):
    """solve_stages hands each report of a stage solve on as a StageProgress of that stage; the stages' results
    are those of a run without reports."""
    monkeypatch.setattr(solve_mod, "WATCH_PERIOD_S", 0.0)  # every poll reports, however short the solve
    monkeypatch.setattr(solve_mod, "run_highs", _slowed(solve_mod.run_highs))
    inst = random_case(3)
    cfg = OptimizerConfig(budget_wan=3_000, solver=SolverConfig(time_limit_s=60))
    runs = []
    for watch in (None, []):
        m = build_model(prepare(inst, cfg), "optimize")
        results = solve_stages(m, watch=None if watch is None else watch.append)
        runs.append(([(n, r.status, r.objective) for n, r in results], watch))
    assert runs[0][0] == runs[1][0]
    reports = runs[1][1]
    assert reports, "no report from stages that each take at least 0.05 s"
    names = {n for n, _ in STAGES["optimize"]}
    for p in reports:
        assert isinstance(p, StageProgress) and p.stage in names and p.phase == "solver"
        assert 0 <= p.seconds <= p.limit_s + 60 and p.limit_s <= cfg.solver.time_limit_s


def _slowed(run):  # noqa: ANN001, ANN202
    """``run_highs`` that takes at least 0.05 s, so that a tiny model's solve is polled at least once."""
    import time

    def slow(h):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        run(h)
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - t0)))

    return slow


def test_the_window_search_reports_its_plan_as_it_improves(monkeypatch):
    """The window search reports its plan's objective (the stage's sense) as it goes: never falling, never above
    what it returns."""
    monkeypatch.setattr(nb, "WATCH_PERIOD_S", 0.0)
    prob, parts, xy = grid(22)
    start = completed(prob, parts, {(j, 0): 1 for j in range(4)} | {(j + 4, 1): 1 for j in range(4)})
    seen: list[float] = []
    out, imp = improve_start(prob, start, site_of(parts), xy, SOLVER, 60.0, window_sites=5, watch=seen.append)
    assert imp is not None and len(seen) == imp.windows
    assert seen == sorted(seen) and seen[-1] == pytest.approx(imp.after) and seen[0] >= imp.before - 1e-9
    quiet, imp2 = improve_start(prob, start, site_of(parts), xy, SOLVER, 60.0, window_sites=5)
    assert quiet == out and imp2.after == pytest.approx(imp.after)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_line_a_planner_sees(lang):
    coverage = StageProgress("coverage", "solver", 45.4, 144.0, 10_291_651.0, 13_448_400.0)
    assert coverage.gap == pytest.approx((13_448_400 - 10_291_651) / 10_291_651)
    line = solve_note(coverage, lang)
    if lang == "zh":
        assert line == "求解「覆盖人口最多」：相对间隙 30.67%（已用 45 秒，限时 144 秒）"
    else:
        assert line == "solving “most population covered”: gap 30.67% (45 of 144 s)"
    windows = solve_note(StageProgress("coverage", "windows", 3.0, 144.0, 9_000_000.0, math.nan), lang)
    assert "9,000,000" in windows and ("逐片" in windows if lang == "zh" else "window by window" in windows)
    nothing = solve_note(StageProgress("shortfall", "solver", 2.0, 10.0, math.nan, math.nan), lang)
    assert ("根节点" in nothing) if lang == "zh" else ("root relaxation" in nothing)  # nothing reported yet
    no_plan = solve_note(StageProgress("shortfall", "solver", 2.0, 10.0, math.nan, 120.0), lang)
    assert ("第一个可行方案" in no_plan) if lang == "zh" else ("first plan" in no_plan)
    no_bound = solve_note(StageProgress("cost", "solver", 2.0, 10.0, 1_150.0, math.nan), lang)
    assert "1,150" in no_bound and "%" not in no_bound


def test_every_stage_has_a_name_in_both_languages():
    names = {n for stages in STAGES.values() for n, _ in stages} | {"weighted"}
    assert all(has_message(f"stage.{n}") for n in names)


def test_the_command_shows_the_reports_on_its_progress_line(monkeypatch):
    """run_scenario with a progress display that shows (a terminal) passes the stage reports to its line in the
    scenario's language; without a display there is no watching at all."""
    from pathlib import Path

    from healthplan.scenarios.runner import _solve_watch, run_scenario
    from healthplan.scenarios.schema import load_scenario

    class Shown:
        enabled = True

        def __init__(self) -> None:
            self.notes: list[str] = []

        def stage(self, key, label):  # noqa: ANN001, ANN201
            from contextlib import nullcontext

            return nullcontext()

        def note(self, message: str) -> None:
            self.notes.append(message)

    monkeypatch.setattr(solve_mod, "WATCH_PERIOD_S", 0.0)
    monkeypatch.setattr(solve_mod, "run_highs", _slowed(solve_mod.run_highs))
    scen = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml")
    shown = Shown()
    run_scenario(scen, out=None, stages=shown)
    lines = [n for n in shown.notes if n.startswith("求解「") and "：" in n]
    assert lines and all("秒" in n for n in lines)
    # the optimizer's own notes in Chinese too (its English "solving stage shortfall" never reaches the line)
    assert "求解「标准缺口最小」" in shown.notes and not any("solving stage" in n for n in shown.notes)
    assert _solve_watch(None, "zh") is None
    hidden = Shown()
    hidden.enabled = False
    assert _solve_watch(hidden, "zh") is None


def test_stage_progress_gap_is_nan_until_both_are_known():
    assert math.isnan(StageProgress("coverage", "solver", 1.0, 2.0, math.nan, 5.0).gap)
    assert math.isnan(StageProgress("coverage", "windows", 1.0, 2.0, 5.0, math.nan).gap)
    assert StageProgress("cost", "solver", 1.0, 2.0, 0.0, 0.0).gap == 0.0
    assert np.isfinite(StageProgress("cost", "solver", 1.0, 2.0, 100.0, 99.0).gap)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_optimizers_own_notes_are_in_the_planners_language(lang):
    from healthplan.scenarios.progress import optimizer_note

    assert optimizer_note("building the model", lang) == ("建立模型" if lang == "zh" else "building the model")
    coverage = optimizer_note("solving stage coverage", lang)
    assert coverage == ("求解「覆盖人口最多」" if lang == "zh" else "solving “most population covered”")
    held = optimizer_note("holding stage shortfall by groups", lang)
    assert ("标准缺口最小" in held) if lang == "zh" else ("by groups" in held)
    # the p-median's figures are shown as they come
    assert optimizer_note("p-median plan 1,234.5 from the Lagrangian sites", lang).startswith("p-median")
    relaxation = solve_note(StageProgress("coverage", "relaxation", 2.0, 144.0, math.nan, math.nan), lang)
    assert ("松弛" in relaxation) if lang == "zh" else ("relaxation" in relaxation)
    # once the relaxation is solved its value bounds the stage: the MILP on its support, then its gap
    support = solve_note(StageProgress("coverage", "relaxation", 40.0, 144.0, math.nan, 13_140_578.0), lang)
    assert ("用到的变量" in support) if lang == "zh" else ("support" in support)
    assert "%" not in support.split("（")[0].split(" (")[0]
    gapped = solve_note(StageProgress("coverage", "relaxation", 45.0, 144.0, 12_337_003.0, 13_140_578.0), lang)
    assert "6.51%" in gapped and gapped.startswith(support.split("（")[0].split(" (")[0])


def test_every_note_of_a_phased_solve_is_translated():
    # the messages optimize() sends for the 3-year demo all have a catalog entry (a changed message in the
    # optimizer would otherwise reach the Chinese line in English)
    from healthplan.optimizer import optimize
    from healthplan.scenarios.progress import optimizer_note
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario

    from pathlib import Path

    scen = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "demo-phased-2024-2026.yaml")
    messages: list[str] = []
    optimize(prepare_instance(scen), scen.optimizer_config(), progress=messages.append)
    assert {"building the model", "solving stage shortfall", "solving stage coverage"} <= set(messages)
    assert all(optimizer_note(m, "zh") != m for m in messages), messages
