"""Multi-year phasing: year weights (earlier coverage counts more), milestones and per-year budgets."""

from __future__ import annotations

import numpy as np

from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.model import Model, expr


def year_weights(cfg: OptimizerConfig, n_years: int) -> tuple[float, ...]:
    """Weight of each year's coverage in the objective, summing to 1.

    Default: linearly decreasing T, T−1, …, 1 (normalised), so a facility built earlier counts for more years of
    coverage; a single-year plan has weight 1.
    """
    w = cfg.phasing.year_weights
    arr = np.asarray(w if w is not None else np.arange(n_years, 0, -1), dtype=float)
    total = arr.sum()
    return tuple((arr / total) if total > 0 else np.full(n_years, 1.0 / n_years))


def milestone_factors(cfg: OptimizerConfig, n_years: int, standard: str | None = None) -> tuple[float, ...]:
    """Share μ_t of the task of a standard due by year t (the standard's own ``milestones_by_standard`` entry,
    else ``milestones``); without milestones only the final year counts (μ = 0, …, 0, 1)."""
    ms = cfg.phasing.milestones_by_standard.get(standard) if standard is not None else None
    ms = ms if ms is not None else cfg.phasing.milestones
    if ms is not None:
        return tuple(float(x) for x in ms)
    return tuple([0.0] * (n_years - 1) + [1.0])


def milestone_target(required: float, existing: float, share: float, integer: bool) -> float:
    """The level due when ``share`` of the task is done, in the standard's unit.

    The task is what the plan adds: ``required − existing`` (seed 000: 「完成率分别达到总任务量的60%、80%、100%」 is
    a share of the task, not of the whole level). Counts (``integer``) are rounded to the nearest whole unit,
    halves down, so that an early milestone does not demand the final count (2 sub-centres at 60 % → 1, not 2);
    the final year (share 1) asks the whole requirement, rounded up. A standard already met asks nothing more.
    """
    full = float(np.ceil(required - 1e-9)) if integer else float(required)
    if share >= 1.0 or existing >= full:
        return full
    done = share * (full - existing)
    return existing + (float(np.ceil(done - 0.5 - 1e-9)) if integer else done)


def add_year_budgets(m: Model) -> None:
    """Rows ``budget_year_<year>``: spend_t ≤ B_t, or with carry-over Σ_{τ≤t} spend_τ ≤ Σ_{τ≤t} B_τ (万元, hard).

    Ignored in min-budget mode (which asks for the least capital).
    """
    ph = m.data.cfg.phasing
    if ph.budgets_wan is None or m.mode == "min_budget":
        return
    for t, year in enumerate(m.data.years):
        span = range(t + 1) if ph.carry_over else (t,)
        terms = [tc for (kind, s), ts in m.spend.items() if s in span for tc in ts]
        limit = float(sum(ph.budgets_wan[s] for s in span))
        m.add(expr(terms) <= limit, f"budget_year_{year}")
