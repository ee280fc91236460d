"""The public entry points: optimize (lexicographic plan under the budget) and min_budget (least capital)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from healthplan.geodata.instance import Instance
from healthplan.optimizer.build import build_model
from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.errors import InfeasibleError
from healthplan.optimizer.evaluation import evaluate
from healthplan.optimizer.kinds import ITEM_KEYS, item_type
from healthplan.optimizer.messages import kind_name, say, standard_name, unit
from healthplan.optimizer.model import Model
from healthplan.optimizer.objective import overall_status, solve_stages
from healthplan.optimizer import pmedian_plan
from healthplan.optimizer.plan import Plan, SolveInfo
from healthplan.optimizer.pmedian_plan import eligible_pairs, optimize_pure, pure_form
from healthplan.optimizer.prepare import ModelData, prepare
from healthplan.optimizer.progress import Watch
from healthplan.optimizer.screening import Finding, screen, wan
from healthplan.optimizer.solution import empty_items, read_items
from healthplan.optimizer.standards import scenario_standards
from healthplan.optimizer.status import Status
from healthplan.optimizer.text import Text


def optimize(
    instance: Instance,
    cfg: OptimizerConfig,
    *,
    progress: Callable[[str], None] | None = None,
    warm_start: Plan | None = None,
    watch: Watch | None = None,
) -> Plan:
    """The best plan under the budget: least weighted shortfall, then most weighted coverage, then least cost.

    ``progress`` receives a short message as each step begins; ``watch`` a
    :class:`~optimizer.progress.StageProgress` about once a second while a stage is solved (its best plan and
    bound so far).

    A pure p-median scenario with many travel pairs (``pmedian_plan.PMEDIAN_MIN_PAIRS``) is solved without the
    PuLP model by :mod:`~healthplan.optimizer.pmedian` (Lagrangian bound, proven gap in ``plan.solve``).

    Raises
    ------
    InfeasibleError
        When the hard standards cannot hold within the budget and limits; the message names the standard, how
        far short it is and the least budget that meets it (from :func:`min_budget`).
    """
    t0 = time.perf_counter()
    data = prepare(instance, cfg)
    findings = screen(data)
    if findings:
        raise _explain(instance, cfg, findings)
    form = pure_form(data)
    if form is not None and eligible_pairs(data, form) >= pmedian_plan.PMEDIAN_MIN_PAIRS:
        # None: the p-median's plan misses a standard, so the full model decides
        plan = optimize_pure(data, form, t0, progress)
        if plan is not None:
            return plan
    if progress:
        progress("building the model")
    m = build_model(data, "optimize")
    m.build_s = time.perf_counter() - t0  # preparation + model building, seconds
    start = _start_from_plan(m, warm_start) if warm_start is not None else None
    results = solve_stages(m, progress=progress, start=start, watch=watch)
    status = overall_status(results)
    if status == Status.INFEASIBLE:
        raise _explain(instance, cfg, [])
    return _finish(instance, cfg, data, m, results, status, t0)


def min_budget(instance: Instance, cfg: OptimizerConfig, *, watch: Watch | None = None) -> Plan:
    """Least capital (万元) meeting every hard standard and the coverage targets in cfg (``target_coverage``).

    Budget limits (total, yearly, earmarks) are ignored; the operating-cost cap and capacities hold. Stages: hard
    standards (elastic; a positive optimum proves they are out of reach at any budget) → soft shortfall → cost →
    coverage. With one kind and target 1.0 this is the set-covering problem over the population any candidate can
    reach. ``plan.meta["least_budget_wan"]`` holds the answer.
    """
    t0 = time.perf_counter()
    data = prepare(instance, cfg)
    findings = screen(data, budget_limits=False)
    if findings:
        raise _explain(instance, cfg, findings, compute_budget=False)
    m = build_model(data, "min_budget")
    m.build_s = time.perf_counter() - t0
    results = solve_stages(m, watch=watch)
    status = overall_status(results)
    if not status.has_plan:
        raise InfeasibleError(say("min_budget.failed", detail=results[-1][1].message or status.value))
    required = {s.name: max(s.required, 1.0) for s in m.standards}
    short = {name: max(float(sum((v.varValue or 0.0) for v in vs)), 0.0) for name, vs in m.elastic_vars.items()}
    # solver tolerances leave ~1e-6 relative residue in continuous coverage variables; that is no shortfall
    short = {k: v for k, v in short.items() if v > 1e-5 * required[k]}
    if short:
        raise _unreachable(m, short)
    plan = _finish(instance, cfg, data, m, results, status, t0)
    plan.meta["least_budget_wan"] = plan.spent_wan
    return plan


def plan_gap(results: list) -> float:
    """The plan's relative gap: that of the first stage that stopped before proving its optimum, else the
    largest stage gap (all within the solver's gap).

    Stages are lexicographic, so the first unproven one says how far the plan may be from the best on what
    matters most; a later stage after it (least cost with an unproven coverage held) has almost no bound, and
    its gap (thousands of %) would hide that figure. A tie-break stopped at its own bound (gapped runs) is left
    out: its note says the cost is unproven. Every stage's own gap stays in ``SolveInfo.stages``.
    """
    for _, r in results:
        if r.status == Status.TIME_LIMIT and not r.bounded:
            return float(r.gap)
    return max((r.gap for _, r in results if not (np.isnan(r.gap) or r.bounded)), default=float("nan"))


def _finish(instance: Instance, cfg: OptimizerConfig, data: ModelData, m: Model, results: list,
            status: Status, t0: float) -> Plan:
    """Read the items, record the solve, and measure the plan with :func:`evaluate`."""
    last = next((r for _, r in reversed(results) if r.status.has_plan), results[-1][1])
    stages = tuple({"stage": n, "status": r.status.value, "objective": r.objective, "bound": r.bound, "gap": r.gap,
                    "seconds": round(r.seconds, 4), "message": r.message, "bounded": r.bounded} for n, r in results)
    solve_s = float(sum(r.seconds for _, r in results))
    gap = plan_gap(results)
    msg = "; ".join(f"{s['stage']}: {s['status']}" for s in stages)
    items = read_items(m) if status.has_plan else empty_items()
    info = SolveInfo(status=status, solver=last.solver, objective=last.objective, bound=last.bound, gap=gap,
                     build_s=m.build_s, solve_s=solve_s, message=msg, stages=stages)
    plan = evaluate(instance, cfg, items, solve_info=info, data=data)
    plan.meta.update({"n_variables": m.prob.numVariables(), "n_constraints": m.prob.numConstraints(),
                      "groups": {k: len(g.population) for k, g in m.groups.items()},
                      "total_s": time.perf_counter() - t0})
    return plan


def _explain(instance: Instance, cfg: OptimizerConfig, findings: list[Finding], *,
             compute_budget: bool = True) -> InfeasibleError:
    """An InfeasibleError with the first finding's numbers and the least budget (computed, not guessed), in
    Chinese and English (standards by their registered labels in Chinese)."""
    structural = [f for f in findings if f.structural]
    if structural:
        f = structural[0]
        return InfeasibleError(say("infeasible", detail=f.message), standard=f.standard, required=f.required,
                               achievable=f.achievable, least_budget_wan=None)
    least = None
    note = Text("", "")
    if compute_budget:
        try:
            least = min_budget(instance, cfg).meta["least_budget_wan"]
            note = say("infeasible.least_budget", least=wan(least))
        except InfeasibleError as exc:
            return exc
    if findings:
        f = findings[0]
        return InfeasibleError(say("infeasible", detail=f.message + note), standard=f.standard,
                               required=f.required, achievable=f.achievable, least_budget_wan=least)
    hard = _hard_names(cfg)
    hard_text = (Text.join(Text("、", ", "), [standard_name(n) for n in hard]) if hard
                 else say("infeasible.no_hard"))
    return InfeasibleError(
        say("infeasible.limits", hard=hard_text, limits=_limits_text(cfg), note=note),
        standard=hard[0] if hard else "", required=least if least is not None else float("nan"),
        achievable=cfg.budget_wan if cfg.budget_wan is not None else float("nan"), least_budget_wan=least)


def _limits_text(cfg: OptimizerConfig) -> Text:
    """The scenario's money limits in both languages: budget, yearly budgets, earmarks (kinds by their labels)."""
    ph = cfg.phasing
    limits: list[Text] = []
    if cfg.budget_wan is not None:
        limits.append(say("limit.budget", budget=wan(cfg.budget_wan)))
    if ph.budgets_wan is not None:
        limits.append(say("limit.yearly", budgets=" / ".join(wan(b) for b in ph.budgets_wan),
                          carry=say("limit.carry" if ph.carry_over else "limit.no_carry")))
    if cfg.earmarks_wan:
        limits.append(say("limit.earmarks", earmarks=Text.join(Text("、", ", "), [
            kind_name(k) + f" {wan(v)}" for k, v in sorted(cfg.earmarks_wan.items())])))
    return Text.join(Text("；", "; "), limits) if limits else say("infeasible.the_limits")


def _unreachable(m: Model, short: dict[str, float]) -> InfeasibleError:
    """The hard standard furthest out of reach at any budget (min-budget's elastic stage left it short), with
    how far short it is and the others that are short too."""
    name, amount = max(short.items(), key=lambda kv: kv[1])
    spec = next(s for s in m.standards if s.name == name)
    req = spec.required_by_year.get(m.n_years - 1, spec.required)
    others = [say("min_budget.other", standard=standard_name(k), amount=f"{v:,.2f}")
              for k, v in sorted(short.items()) if k != name]
    return InfeasibleError(
        say("min_budget.unreachable", standard=standard_name(name), amount=f"{amount:,.2f}",
            unit=unit(spec.unit), required=f"{req:,.2f}",
            others=say("min_budget.others", parts=Text.join(Text("，", "; "), others)) if others else ""),
        standard=name, required=req, achievable=req - amount, least_budget_wan=None)


def _hard_names(cfg: OptimizerConfig) -> list[str]:
    """Names of the scenario's hard standards."""
    return [s.name for s in scenario_standards(cfg) if s.rule(cfg) is not None and s.rule(cfg).mode == "hard"]


def _start_from_plan(m: Model, plan: Plan) -> dict[str, float]:
    """Start values for the decision variables from an earlier plan's items (others left to the solver)."""
    ids = m.data.instance.sites.index.astype(str)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    tpos = {y: t for t, y in enumerate(m.data.years)}
    start = {v.name: 0.0 for fam in m.x.values() for v in fam.values()}
    for _, it in plan.items.iterrows():
        j, t = pos.get(str(it["site_id"])), tpos.get(int(it["year"]))
        if j is None or t is None or it["kind"] not in ITEM_KEYS:
            continue
        k, _ = item_type(str(it["kind"]))
        start.update(k.start_values(m, it, int(j), t))
    return start
