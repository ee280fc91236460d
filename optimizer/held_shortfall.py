"""Holding the least shortfall group by group, when that is provably the same as holding its total.

The first stage finds S* = min Σ_k s_k, one nonnegative term s_k = w_k·σ_k per soft standard and year
(weighted shortfall; in min-budget mode the elastic terms of hard standards). The later stages keep
Σ_k s_k ≤ S* + δ (row ``hold_shortfall``, δ the stage tolerance). That one row is a knapsack with almost no
slack: its linear relaxation trades fractions of one standard's shortfall for another's, and the search needs
thousands of nodes to learn that whole plans cannot (the 3-year demo's coverage stage: 2,490 nodes, 11–15 s).

**Groups.** Terms of equal weight in the same year can trade one for one (a missing fever room for a missing
blood point, one centre's persons for another's), so they start in one group; every other term is a group of
its own. Let σ*_g be group g's value in the first stage's plan, G the number of groups and H the plans with
Σ s ≤ S* + δ.

**Claim.** If no plan in H has σ_g ≤ σ*_g − η for any group g, every plan in H has σ_g ≤ σ*_g + δ + (G − 1)η
for every g. *Proof.* Let x ∈ H with σ_g(x) > σ*_g + δ + (G − 1)η. Then Σ_{h≠g} (σ_h(x) − σ*_h) ≤ S* + δ −
σ_g(x) − (S* − σ*_g) < −(G − 1)η, so some h has σ_h(x) < σ*_h − η: a contradiction. Bounding every group
by σ*_g + δ + (G − 1)η therefore removes no plan of H: the later stages have the same plans and the same
optima, and a relaxation that can no longer trade one group's shortfall for another's.

**The probe** checks the condition with one MILP over the model: minimise Σ s with the cut Σ s ≤ S* + δ, a
binary z_g per group that can fall (σ*_g ≥ η), Σ z_g ≥ 1 and σ_g ≤ σ*_g − η + (S* + δ − σ*_g + η)(1 − z_g)
(with z_g = 0 the row is implied by the cut, as every term is ≥ 0). "Infeasible" proves the claim. A plan
found names the groups that traded: they are merged and the probe runs again, at most ``MAX_ROUNDS`` times.
When the probe stops without an answer, or merges everything into one group, only the total is held, as
before. When it finds a plan with a smaller total (a first stage stopped within its gap), that plan is returned
(``HeldGroups.better``): the caller holds the total at its value instead and starts the next stage from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pulp

from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.model import Model
from healthplan.optimizer.solve import StageResult, solve, solve_in_background
from healthplan.optimizer.status import Status

MAX_ROUNDS = 3  # probes before giving up (each merges the groups the last one saw trade)
PROBE_MIN_S = 2.0  # a probe may always take this many seconds …
PROBE_SHARE = 2.0  # … or this many times the first stage's, whichever is more
# A probe usually has no plan (the groups hold), which the search proves by branching: RENS and RINS look for a
# plan in vain there (the 3-year demo's probe 1.00 → 0.53 s without them, 84 → 111 nodes).
PROBE_HIGHS_OPTIONS = {"mip_heuristic_run_rens": False, "mip_heuristic_run_rins": False}
WEIGHT_DIGITS = 12  # weights equal to this many significant digits are equal (float noise of w / required)


@dataclass(frozen=True)
class HeldGroups:
    """The outcome of :func:`hold_by_groups`: what was held, and what the probes cost."""

    groups: tuple[tuple[str, ...], ...]  # variable names per group
    probes: int  # probe MILPs solved
    seconds: float  # their wall seconds
    held: bool  # True: every group bounded; False: only the total held (the probes could not prove it safe)
    reason: str = ""  # why not, when ``held`` is False
    alongside: bool = False  # the probe ran beside the next stage's solve (a Speculation), not before it
    # a probe's plan with a smaller total than the stage's (a first stage stopped within its gap): its total and
    # its values by variable name, for the caller to hold the stage at instead
    better: tuple[float, dict[str, float | None]] | None = None

    def note(self) -> str:
        """One clause for the stage's message."""
        if self.held:
            return (f"; held in {len(self.groups)} groups of equal weight and year, proven the same plans as "
                    f"the total by {self.probes} probe(s) in {self.seconds:.2f} s"
                    + (", run beside the next stage" if self.alongside else ""))
        return f"; held as a total ({self.reason}; {self.probes} probe(s), {self.seconds:.2f} s)"


def initial_groups(terms: list[tuple[pulp.LpVariable, float]], year_of: dict[str, int]) -> list[list[int]]:
    """Term indices grouped by (weight, year): terms that trade one for one start together."""
    keys: dict[tuple, list[int]] = {}
    for k, (v, c) in enumerate(terms):
        keys.setdefault((float(f"{c:.{WEIGHT_DIGITS}g}"), year_of.get(v.name, -1)), []).append(k)
    return list(keys.values())


def hold_by_groups(m: Model, name: str, stage: pulp.LpAffineExpression, optimum: float, slack: float,
                   solver: SolverConfig, stage_seconds: float, time_left_s: float,
                   first: tuple[StageResult, dict[str, float]] | None = None) -> HeldGroups:
    """Bound each group of the minimised stage ``name`` (objective ``stage``: a sum of nonnegative terms,
    optimum ``optimum``, held within ``slack``) when the probes prove that removes no plan; the row holding
    the total is the caller's. ``first`` is the first probe's outcome when it already ran (a
    :class:`Speculation` that did not prove the groups): its result and its plan's values by name.

    The variables keep the first stage's values (``varValue``); the model gains variable bounds (groups of one
    term) and rows ``hold_<stage>_group_<i>``. Time: at most max(``PROBE_MIN_S``, ``PROBE_SHARE`` × the
    stage's seconds), within ``time_left_s``.
    """
    # a first probe that already ran counts against this call's time, as if it had run here
    t0 = time.perf_counter() - (first[0].seconds if first is not None else 0.0)
    terms, at, groups, limit, cfg = _probe_setup(m, stage, solver, stage_seconds, time_left_s)
    values = {v.name: v.varValue for v in m.prob.variables()}
    eta = slack  # how far a group must fall to count as a trade: the stage's own resolution
    probes, reason = 0, ""
    better = None
    try:
        while True:
            if len(groups) < 2:
                reason = "every term can trade with another"
                break
            if probes >= MAX_ROUNDS:
                reason = f"{MAX_ROUNDS} probes found trades"
                break
            if first is not None and probes == 0:
                res, plan = first  # (before the time check: it ran already)
            else:
                left = limit - (time.perf_counter() - t0)
                if left <= 0:
                    reason = "no time left for a probe"
                    break
                res = _probe(m, terms, at, groups, optimum, slack, eta, cfg, left)
                plan = {v.name: v.varValue for v in m.prob.variables()}  # (the probe's copy shares them)
            probes += 1
            if res.status == Status.INFEASIBLE:
                _bound_groups(m, name, terms, at, groups, slack, eta)
                return HeldGroups(_names(terms, groups), probes, time.perf_counter() - t0, True)
            if not res.status.has_plan:
                reason = f"probe {res.status.value}"
                break
            now = np.array([c * float(plan.get(v.name) or 0.0) for v, c in terms])
            if now.sum() < optimum - slack:
                reason = "a plan with less shortfall exists (the first stage stopped within its gap)"
                better = (float(now.sum()), {var: plan.get(var) for var in values})
                break
            moved = [g for g in groups if abs(now[g].sum() - at[g].sum()) > eta / 2]
            if len(moved) < 2:
                reason = "the probe's plan shows no trade"
                break
            merged = [k for g in moved for k in g]
            groups = [g for g in groups if g not in moved] + [sorted(merged)]
    finally:
        for v in m.prob.variables():
            v.varValue = values.get(v.name)
    return HeldGroups(_names(terms, groups), probes, time.perf_counter() - t0, False, reason, better=better)


def _probe_setup(m: Model, stage: pulp.LpAffineExpression, solver: SolverConfig, stage_seconds: float,
                 time_left_s: float) -> tuple[list[tuple[pulp.LpVariable, float]], np.ndarray, list[list[int]],
                                          float, SolverConfig]:
    """What every probe of ``stage`` starts from: its terms, their values in the first stage's plan (the
    variables' values now), the initial groups, the probes' time and their solver settings (gap 0)."""
    terms = [(v, float(c)) for v, c in stage.items()]
    at = np.array([c * float(v.varValue or 0.0) for v, c in terms])
    limit = min(max(PROBE_MIN_S, PROBE_SHARE * stage_seconds), time_left_s)
    return terms, at, initial_groups(terms, m.term_year), limit, solver.model_copy(update={"gap": 0.0})


def _probe(m: Model, terms: list[tuple[pulp.LpVariable, float]], at: np.ndarray, groups: list[list[int]],
           optimum: float, slack: float, eta: float, cfg: SolverConfig, limit_s: float) -> StageResult:
    """One probe (module docstring) on a copy of the model: INFEASIBLE proves the groups hold."""
    probe = _probe_problem(m, terms, at, groups, optimum, slack, eta)
    if probe is None:
        return StageResult(Status.INFEASIBLE, cfg.name, np.nan, np.nan, np.nan, 0.0, "no group can fall")
    # any plan answers the question: an absolute gap the size of the cut stops at the first one found
    return solve(probe, cfg, limit_s, None, optimum + slack + 1.0, PROBE_HIGHS_OPTIONS)


def _probe_problem(m: Model, terms: list[tuple[pulp.LpVariable, float]], at: np.ndarray,
                   groups: list[list[int]], optimum: float, slack: float, eta: float) -> pulp.LpProblem | None:
    """The probe's MILP (a copy of the model with its cut, switches and rows), ``None`` when no group can fall."""
    probe = m.prob.copy()
    probe.sense = pulp.LpMinimize
    total = pulp.lpSum(c * v for v, c in terms)
    probe.setObjective(total)
    cap = optimum + slack
    probe.addConstraint(total <= cap, "probe_cut")
    z = []
    for i, g in enumerate(groups):
        if at[g].sum() < eta:
            continue  # at 0 already: cannot fall
        zi = probe.add_variable(f"probe_z_{i}", 0, 1, cat=pulp.LpBinary)
        z.append(zi)
        fall = at[g].sum() - eta
        group = pulp.lpSum(terms[k][1] * terms[k][0] for k in g)
        probe.addConstraint(group <= fall + (cap - fall) * (1 - zi), f"probe_fall_{i}")
    if not z:
        return None
    probe.addConstraint(pulp.lpSum(z) >= 1, "probe_any")
    return probe


def _bound_groups(m: Model, name: str, terms: list[tuple[pulp.LpVariable, float]],
                  at: np.ndarray, groups: list[list[int]], slack: float, eta: float) -> _Undo:
    """σ_g ≤ σ*_g + δ + (G − 1)η: a variable bound for a group of one term (whole units for an integer
    variable), a row for a larger group. Returns what it changed, so that a speculation can take it back."""
    allow = slack + (len(groups) - 1) * eta
    undo = _Undo([], [])
    for i, g in enumerate(groups):
        top = float(at[g].sum()) + allow
        if len(g) == 1:
            v, c = terms[g[0]]
            up = top / c
            if v.cat in (pulp.LpInteger, pulp.LpBinary):
                up = float(np.floor(up + 1e-9))
            undo.bounds.append((v, v.upBound))
            v.upBound = up if v.upBound is None else min(float(v.upBound), up)
        else:
            row = f"hold_{name}_group_{i}"
            m.add(pulp.lpSum(terms[k][1] * terms[k][0] for k in g) <= top, row)
            undo.rows.append(row)
    return undo


@dataclass
class _Undo:
    """Variable bounds (variable, the bound before) and rows (names) that :func:`_bound_groups` set."""

    bounds: list[tuple[pulp.LpVariable, float | None]]
    rows: list[str]

    def apply(self, m: Model) -> None:
        for v, up in reversed(self.bounds):
            v.upBound = up
        for row in self.rows:
            m.remove(row)


class Speculation:
    """The first probe in the background while the caller solves the next stage as if it proves the groups.

    Made by :func:`speculate`: the probe's MILP is read into HiGHS first, then every group is bounded in the
    model exactly as :func:`hold_by_groups` would after a proof, so a next stage solved meanwhile sees the same
    model as after the sequential proof. The probe usually proves the groups (the 3-year demo: ≈ 0.5 s of
    probe beside a 2.3 s coverage stage, on a second core). :meth:`settle` says which: when it does not,
    the bounds and rows are taken back and the caller holds the groups the sequential way (``first``) and
    solves the stage again.
    """

    def __init__(self, m: Model, name: str, stage: pulp.LpAffineExpression, optimum: float, slack: float,
                 terms: list[tuple[pulp.LpVariable, float]], at: np.ndarray, groups: list[list[int]],
                 probe: Callable[[], tuple[StageResult, dict[str, float]]]) -> None:
        self.m, self.name, self.terms, self.groups, self.probe = m, name, terms, groups, probe
        self.stage, self.optimum, self.slack = stage, optimum, slack  # what hold_by_groups needs after a trade
        self.first: tuple[StageResult, dict[str, float]] | None = None
        self._undo = _bound_groups(m, name, terms, at, groups, slack, slack)

    def settle(self) -> HeldGroups | None:
        """Wait for the probe: the held groups when it proved them, else ``None`` with the model as before
        (:attr:`first` then holds the probe's outcome for :func:`hold_by_groups`)."""
        res, values = self.probe()
        if res.status == Status.INFEASIBLE:
            return HeldGroups(_names(self.terms, self.groups), 1, res.seconds, True, alongside=True)
        self._undo.apply(self.m)
        self.first = (res, values)
        return None


def speculate(m: Model, name: str, stage: pulp.LpAffineExpression, optimum: float, slack: float,
              solver: SolverConfig, stage_seconds: float, time_left_s: float) -> Speculation | None:
    """Start the first probe of :func:`hold_by_groups` in the background and bound the groups meanwhile
    (:class:`Speculation`); ``None`` where it cannot run that way (CBC, several HiGHS threads, fewer than two
    groups, no group that can fall): the caller holds the groups the sequential way."""
    if solver.name != "highs" or int(solver.threads or 1) != 1:
        return None
    terms, at, groups, limit, cfg = _probe_setup(m, stage, solver, stage_seconds, time_left_s)
    if len(groups) < 2 or limit <= 0:
        return None
    probe = _probe_problem(m, terms, at, groups, optimum, slack, slack)
    if probe is None:
        return None
    result = solve_in_background(probe, cfg, limit, optimum + slack + 1.0, PROBE_HIGHS_OPTIONS)
    return Speculation(m, name, stage, optimum, slack, terms, at, groups, result)


def _names(terms: list[tuple[pulp.LpVariable, float]],
           groups: list[list[int]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(terms[k][0].name for k in g) for g in groups)
