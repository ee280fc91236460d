"""Objective stages: least weighted shortfall, most weighted coverage, least cost — solved lexicographically."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from math import nan

import numpy as np
import pulp

from healthplan.optimizer.budget_caps import BudgetCaps, add_budget_caps, remove_budget_caps
from healthplan.optimizer.fold import Fold, granularity, make_fold, whole_at_optimum
from healthplan.optimizer.held_shortfall import HeldGroups, Speculation, hold_by_groups, speculate
from healthplan.optimizer.model import Model, expr
from healthplan.optimizer.neighbourhoods import Improvement, improve_start
from healthplan.optimizer.progress import StageProgress, Watch, relative_gap
from healthplan.optimizer.relaxation_support import Support, support_plan
from healthplan.optimizer.solve import StageResult, highs_model, solve
from healthplan.optimizer.status import Status

# (stage name, sense) in the order each mode solves them.
STAGES = {
    "optimize": (("shortfall", pulp.LpMinimize), ("coverage", pulp.LpMaximize), ("cost", pulp.LpMinimize)),
    "min_budget": (("hard", pulp.LpMinimize), ("shortfall", pulp.LpMinimize), ("cost", pulp.LpMinimize), ("coverage", pulp.LpMaximize)),
}
STAGE_SHARE = 0.8  # most of the remaining time a non-final stage may take
WEIGHTED_SHORTFALL = 1e4  # weighted mode: one share of a standard outweighs covering everyone
WEIGHTED_COST = 1e-6  # weighted mode: cost only breaks ties
GROUP_HELD = ("shortfall", "hard")  # stages of standards' terms: held by groups (optimizer.held_shortfall)
# of a maximising stage's time: its start improved window by window (large models), the support step below
# included. On the generated province, from the least-shortfall plan, the search passed twice over its windows
# (295 solves) and ended in 65.6 s at a plan no window improves (at 0.4 of its stage its first pass stopped 32
# windows short); from the support step's plan (47 s) it ends in 18 s with 0–1 windows better. The other half is
# HiGHS's when its root can finish in it (HIGHS_ROOT_FACTOR)
NEIGHBOURHOOD_SHARE = 0.5
# of a maximising stage's time, first: its relaxation and the MILP on the relaxation's support
# (optimizer.relaxation_support), whose plan the window search starts from; the search has what is left of
# NEIGHBOURHOOD_SHARE (nothing when the relaxation is slow: its bound is worth more). At 0.5 the province's
# relaxation had ≈ 52 s and took 47–52 s with the budget caps; at 0.7 it has ≈ 73 s (the same plan and 0.39 %,
# 116 s; 10,000 villages the same 12.09 %)
SUPPORT_SHARE = 0.7
# HiGHS runs after the window search only with at least this many times the relaxation's seconds left: its root
# solves the same relaxation, and on the generated province its first cut round came 110 s after its 53 s root LP
HIGHS_ROOT_FACTOR = 2.0
NEIGHBOURHOOD_MIN_ROWS = 5_000  # rows from which a multi-year maximising stage does so (the 3-year demo: fewer)
TIE_BREAK_MIN_S = 2.0  # a bounded tie-break stage always gets this many seconds (small models finish in them)
# of a maximising stage's time, at most, for its budget caps (optimizer.budget_caps; the province: 3.7 s of 120)
BUDGET_CAPS_SHARE = 0.1


def stage_expression(m: Model, stage: str) -> pulp.LpAffineExpression:
    """Stage objective: Σ σ/required of hard rows (min-budget), Σ w σ/required (shares), Σ weighted covered
    persons, or Σ capital (万元)."""
    return expr({"hard": m.elastic, "shortfall": m.shortfall, "coverage": m.coverage, "cost": m.cost}[stage])


def weighted_expression(m: Model) -> pulp.LpAffineExpression:
    """Weighted mode (one solve): 10⁴ × shortfall − coverage / population + 10⁻⁶ × cost / budget."""
    pop = max(float(m.data.instance.population), 1.0)
    scale = max(float(m.data.cfg.budget_wan or 0.0), 1.0)
    terms = [(v, WEIGHTED_SHORTFALL * c) for v, c in m.shortfall]
    terms += [(v, -c / pop) for v, c in m.coverage] + [(v, WEIGHTED_COST * c / scale) for v, c in m.cost]
    return expr(terms)


def solve_stages(
    m: Model,
    *,
    progress: Callable[[str], None] | None = None,
    start: dict[str, float] | None = None,
    fold: bool = True,
    watch: Watch | None = None,
) -> list[tuple[str, StageResult]]:
    """Solve the stages in order, holding each optimum within ``cfg.objective.tolerance`` (row ``hold_<stage>``).

    The time limit covers all stages together; a stage that is not the last gets at most ``STAGE_SHARE`` of
    the time left. A stage that stops at its limit keeps its incumbent (reported TIME_LIMIT with its gap) and
    the next stages still run; the last usable solution stays in the variables. Each stage starts from the
    previous stage's solution.

    With ``fold`` the last stage (cost after coverage; coverage after cost in min-budget mode) is folded into
    the one before as an exact tie-breaker when :func:`fold_last_stage` proves that safe: one solve instead of
    two, the same lexicographic optimum. Both stages are still reported, the folded one with 0 s and a note.

    A least shortfall held by groups is proven by a probe that runs beside the next stage
    (:func:`optimizer.held_shortfall.speculate`); if the probe does not prove the groups, that stage is solved
    again on the sequential model, starting from its first attempt's plan. A maximising stage of a large
    multi-year model first improves its start window by window (:mod:`optimizer.neighbourhoods`).

    ``watch``, when given, receives a :class:`~optimizer.progress.StageProgress` about once a second while a
    stage's window search or HiGHS runs (solves of a second or less report nothing).
    """
    cfg = m.data.cfg
    tol = cfg.objective.tolerance
    limit = cfg.solver.time_limit_s
    t0 = time.perf_counter()
    if cfg.objective.mode == "weighted":
        plan = [("weighted", pulp.LpMinimize, weighted_expression(m))]
    else:
        plan = [(n, s, stage_expression(m, n)) for n, s in STAGES[m.mode]]
        plan = [p for p in plan if len(p[2])] or [("cost", pulp.LpMinimize, stage_expression(m, "cost"))]
    folded = None
    results: list[tuple[str, StageResult]] = []
    good: dict[str, float] | None = None
    pending: tuple[int, Speculation] | None = None  # (its stage's index in results, the probe beside this stage)
    unfolded = plan
    carried = 0.0  # seconds of a stage's attempt discarded after a failed speculation, added to its next attempt
    groups_held = False  # the least shortfall is held by groups (or speculatively so), not only as a total
    k = -1
    while k + 1 < len(plan):
        k += 1
        if start is not None and k > 0 and plan[k][1] == pulp.LpMaximize:
            # the previous stage's plan leaves the covering variables wherever that stage did not care (often 0):
            # completed by one LP, the solver starts from what that plan really covers (a stage stopped at its
            # limit otherwise reports the bare start's gap, thousands of %), and a fold sizes its tolerance on it
            done = _completed(m, plan[k][1], plan[k][2], start)
            if done is not None:
                start = {**start, **done[1]}
        if fold and folded is None and len(plan) >= 2 and k == len(plan) - 2:
            # decided here, not up front: a fold within the stage tolerance needs a plan in hand (the previous
            # stage's, completed above) to size that tolerance from the safe side
            folded = fold_last_stage(m, plan, start)
            if folded is not None:
                plan = plan[:-1]
        name, sense, obj = plan[k]
        if progress:
            progress(f"solving stage {name}")
        last = k == len(plan) - 1
        abs_gap = None
        if last and folded is not None:
            abs_gap = folded[0].abs_gap
            obj = folded_expression(obj, folded[1][2], sense, folded[0].epsilon)
        m.prob.sense = sense
        m.prob.setObjective(obj)
        caps: BudgetCaps | None = None
        if sense == pulp.LpMaximize and k > 0 and cfg.objective.budget_caps and m.mode == "optimize":
            # after the held shortfall: what the standards must cost caps what is left for each family
            large = start is not None and _searches_windows(m) and cfg.objective.relaxation_support
            # the held total's groups only where groups would be held (_groups_pay: a multi-year plan). On a
            # one-year random case HiGHS 1.10 (the floor) then called a plan optimal whose folded cost was 40万元
            # above the least (1490 against 1450; HiGHS 1.16 found 1450)
            caps = add_budget_caps(m, cfg.solver, BUDGET_CAPS_SHARE * (limit - (time.perf_counter() - t0)), large,
                                   held_total=not groups_held and m.n_years > 1)
        remaining = limit - (time.perf_counter() - t0)
        # a stage that is not the last may use at most STAGE_SHARE of what is left, so later stages always run
        allowed = remaining if last else remaining * STAGE_SHARE
        share = cfg.objective.tie_break_share
        bound_s = None
        if last and k > 0 and folded is None and cfg.solver.gap > 0 and share is not None:
            # a gapped run accepted unproven answers: the tie-break (least cost with coverage held) may not cost
            # more than a share of what came before; it starts from that plan, so it can only improve on it
            bound_s = max(TIE_BREAK_MIN_S, share * sum(r.seconds for _, r in results))
            allowed = min(allowed, bound_s)
        improved = better = None
        seen = _watcher(watch, name, time.perf_counter(), allowed)
        support = None
        if sense == pulp.LpMaximize and start is not None and _searches_windows(m):
            # a large phased model: HiGHS's own search rarely improves the previous stage's plan in time
            searched = time.perf_counter()
            base = start
            if cfg.objective.relaxation_support:
                if seen is not None:
                    seen("relaxation", nan, nan)
                supported, support = support_plan(m.prob, cfg.solver, allowed * SUPPORT_SHARE,
                                                  watch=None if seen is None else lambda z, b: seen("relaxation", z, b))
                if supported is not None and support.objective > _value_at(obj, start):
                    base = {**start, **supported}
            spent = time.perf_counter() - searched
            windows_s = allowed * NEIGHBOURHOOD_SHARE - spent
            if support is not None and not np.isfinite(support.bound) and _skips_highs(support, allowed - spent):
                # no relaxation, so no plan from it, and HiGHS will not run after the windows (below): the windows
                # are the stage's only search and may take it to its end (the generated 40,000-village 3-year
                # plan: a relaxation that did not finish in 56 s left them nothing). After a support plan they keep
                # their share: on the province a whole pass more (256 windows, 36 s) found nothing better
                windows_s = allowed - spent
            better, improved = improve_start(m.prob, base, _site_of(m), _site_xy(m), cfg.solver, windows_s,
                                             watch=None if seen is None else lambda z: seen("windows", z, nan))
            # (also when it returns nothing: reading the model and checking the start took time)
            allowed = max(allowed - (time.perf_counter() - searched), 0.01)
            if improved is not None and progress:
                progress(f"solving stage {name}")
        # HiGHS still starts from the previous stage's plan: handed the improved plan, HiGHS 1.16's root line-search
        # rounding (from the incumbent towards the LP optimum) ran 31 s past the limit and left no bound (the
        # generated 20,000-village 3-year plan, twice); the better of its plan and the improved one is kept
        if improved is not None and support is not None and _skips_highs(support, allowed):
            # HiGHS would spend what is left on the same relaxation (its root LP) and find neither a bound nor a
            # plan better than the one in hand: the relaxation's value is the stage's bound. When the relaxation
            # did not finish in its share, it needs more than it had: HiGHS's root could not finish either (a
            # 40,000-village 3-year plan: HiGHS given 15 s ran 28 s, past the run's limit, and found nothing).
            # (The support step's own clause follows and says how long its relaxation ran.)
            took = f"; the relaxation alone took {support.relaxation_s:.0f} s" if np.isfinite(support.bound) else ""
            res = StageResult(Status.ERROR, "highs", nan, nan, nan, 0.0, f"HiGHS not run ({allowed:.0f} s left{took})")
        else:
            res = solve(m.prob, cfg.solver, allowed, start, abs_gap,
                        watch=None if seen is None else lambda z, b: seen("solver", z, b))
        if improved is not None and better is not None:
            res = _keep_better(m, res, better, improved, support)
        if caps is not None:
            res = replace(res, seconds=res.seconds + caps.seconds, message=res.message + caps.note())
        if pending is not None:
            at, spec = pending
            pending = None
            held = spec.settle()
            if held is None:
                # the probe found a trade (or no answer): the groups are taken back; hold them the sequential
                # way from the earlier stage's plan, then solve this stage again on that model. This attempt's plan
                # is a plan of that model too (it keeps every group bound, so the held total), so the next attempt
                # starts from it: it keeps what this one found even with little time left
                attempt = ({v.name: v.varValue for v in m.prob.variables() if v.varValue is not None}
                           if res.status.has_plan else None)
                carried = res.seconds
                remove_budget_caps(m)  # they came from the groups taken back
                for v in m.prob.variables():
                    v.varValue = good.get(v.name) if good is not None else None
                done_name, done = results[at]
                held = hold_by_groups(m, done_name, spec.stage, spec.optimum, spec.slack, cfg.solver, done.seconds,
                                      (limit - (time.perf_counter() - t0)) * STAGE_SHARE, spec.first)
                groups_held = held.held
                results[at] = (done_name, replace(done, seconds=done.seconds + held.seconds,
                                                  message=done.message + held.note()))
                adopted = _adopt_better(m, results, at, spec.stage, held, tol)
                if adopted is not None:  # the attempt kept the old hold, which the new one may cut off
                    good, attempt = adopted, None
                plan, folded, start = unfolded, None, attempt or good
                k -= 1
                continue
            results[at] = (results[at][0], replace(results[at][1], message=results[at][1].message + held.note()))
        if carried:
            res = replace(res, seconds=res.seconds + carried, message=res.message + (
                f"; solved again after the shortfall probe beside it found a trade (the first attempt: "
                f"{carried:.2f} s, from which this one started)"))
            carried = 0.0
        if bound_s is not None and res.status == Status.TIME_LIMIT and bound_s < remaining:
            res = replace(res, bounded=True, message=res.message + (
                f"; tie-break bounded to {bound_s:.1f} s ({share:g} × the stages before, objective."
                f"tie_break_share): the best {name} found from the previous stage's plan, not proven "
                + (f"(gap {res.gap:.2%})" if np.isfinite(res.gap) else "(no bound)")))
        if last and folded is not None:
            results.extend(_split_folded(name, sense, plan[k][2], folded, res))
            break
        results.append((name, res))
        if not res.status.has_plan:
            break
        good = {v.name: v.varValue for v in m.prob.variables() if v.varValue is not None}
        start = good
        z = res.objective
        slack = tol * max(1.0, abs(z)) + 1e-7
        if sense == pulp.LpMinimize and res.status == Status.OPTIMAL and abs(z) <= 1e-9 and _nonnegative_sum(obj):
            # an optimum of 0 over nonnegative terms: every term is 0. Fixing them (instead of a hold row) is the
            # exact statement, and lets presolve see what they held: a full coverage target becomes c_h = 1 for
            # every group, i.e. the set-covering rows, not one weak aggregate row
            for v in obj.keys():
                v.upBound = 0
        elif sense == pulp.LpMinimize:
            m.add(obj <= z + slack, f"hold_{name}")
            if _groups_pay(m, name, res, obj):
                if progress:
                    progress(f"holding stage {name} by groups")
                # the total is a knapsack row with almost no slack; each group held at its own value is the
                # same set of plans (optimizer.held_shortfall) with a relaxation that cannot trade between them.
                # The probe that proves it runs beside the next stage where it can (a second core's time), unless
                # that stage is a large one (it searches windows): a probe that proves nothing there costs a whole
                # attempt. The generated 10,000-village 3-year plan: the probe gave up after 8 s, the first
                # attempt ran 140 s on, the second had 15 s and no bound; with the probe first, 12.1 % (180 s).
                # The province's probe proves its groups in 12 s either way (105 → 113 s, the same plan)
                left = (limit - (time.perf_counter() - t0)) * STAGE_SHARE
                spec = speculate(m, name, obj, z, slack, cfg.solver, res.seconds, left) \
                    if k + 1 < len(plan) and not _searches_windows(m) else None
                if spec is not None:
                    pending = (len(results) - 1, spec)
                    groups_held = True
                else:
                    held = hold_by_groups(m, name, obj, z, slack, cfg.solver, res.seconds, left)
                    groups_held = held.held
                    results[-1] = (name, replace(res, seconds=res.seconds + held.seconds,
                                                 message=res.message + held.note()))
                    adopted = _adopt_better(m, results, len(results) - 1, obj, held, tol)
                    if adopted is not None:
                        good = start = adopted
        else:
            m.add(obj >= z - slack, f"hold_{name}")
        if limit - (time.perf_counter() - t0) <= 0:
            break
    if pending is not None:  # the stage it ran beside never ran (no time left): settle it, keep what it proves
        at, spec = pending
        held = spec.settle()
        note = (replace(held, alongside=False).note() if held is not None
                else "; held as a total (no time left to hold it by groups)")
        results[at] = (results[at][0], replace(results[at][1], message=results[at][1].message + note))
    if good is not None and not results[-1][1].status.has_plan:
        for v in m.prob.variables():  # restore the last usable stage's solution
            if v.name in good:
                v.varValue = good[v.name]
    return results


def _watcher(watch: Watch | None, stage: str, began: float, limit_s: float
             ) -> Callable[[str, float, float], None] | None:
    """``watch`` for one stage: (phase, objective, bound) → a :class:`StageProgress` timed from ``began``."""
    if watch is None:
        return None

    def seen(phase: str, objective: float, bound: float) -> None:
        watch(StageProgress(stage, phase, time.perf_counter() - began, limit_s, objective, bound))  # type: ignore[arg-type]

    return seen


def fold_last_stage(m: Model, plan: list[tuple[str, int, pulp.LpAffineExpression]],
                    start: dict[str, float] | None = None
                    ) -> tuple[Fold, tuple[str, int, pulp.LpAffineExpression]] | None:
    """The fold of ``plan``'s last stage into the one before, or ``None`` when neither proof applies.

    Folds only a pair of opposite senses (coverage ↔ cost) asked for a proven optimum (solver gap 0), in the
    lexicographic mode; the conditions and the bound on ε are in :mod:`optimizer.fold`. Exact when the
    primary has a granularity; otherwise within the stage tolerance, sized from ``start`` (the previous stage's
    plan, feasible for this stage, its covering variables completed by :func:`solve_stages`): δ = ``objective.tolerance`` × |objective at start|, never more than the
    staged path's slack for a maximised primary. Without a start there is no such fold.
    """
    cfg = m.data.cfg
    (_, sense_p, primary), (name_s, sense_s, secondary) = plan[-2], plan[-1]
    if cfg.objective.mode != "lexicographic" or cfg.solver.gap > 0 or sense_p == sense_s:
        return None
    if not len(secondary):
        return None
    whole = (pulp.LpInteger, pulp.LpBinary)
    # the granularity proof: the completion of continuous variables must not trade the primary against the
    # secondary, and the primary's continuous variables must take whole values at an optimum
    granular = all(v.cat in whole for v in primary) or all(v.cat in whole for v in secondary)
    lo = sum(min(c * _bound(v.lowBound, -1), c * _bound(v.upBound, 1)) for v, c in secondary.items())
    hi = sum(max(c * _bound(v.lowBound, -1), c * _bound(v.upBound, 1)) for v, c in secondary.items())
    if name_s == "cost" and m.mode == "optimize" and cfg.budget_wan is not None:
        hi = min(hi, float(cfg.budget_wan))  # row budget_total: Σ cost ≤ budget
    p_coefs = np.fromiter(primary.values(), float)
    s_coefs = np.fromiter(secondary.values(), float)
    whole = granular and _whole_primary(m, sense_p, primary)
    tol_p = tol_s = None
    if start is not None and cfg.objective.tolerance > 0:
        tol_s = cfg.objective.tolerance * max(1.0, abs(_value_at(secondary, start)))
        if not whole and sense_p == pulp.LpMaximize:
            # safe side: a maximised primary's optimum is at least its value at a feasible plan (solve_stages
            # hands a completed one; a bare start only makes δ smaller)
            tol_p = cfg.objective.tolerance * max(1.0, abs(_value_at(primary, start)))
    f = make_fold(p_coefs, s_coefs, hi - lo, whole_primary=whole, primary_tolerance=tol_p,
                  secondary_tolerance=tol_s)
    return (f, plan[-1]) if f is not None else None


def _completed(m: Model, sense: int, primary: pulp.LpAffineExpression, start: dict[str, float]
               ) -> tuple[float, dict[str, float]] | None:
    """The primary's best value over the continuous variables with the integer ones fixed at ``start``.

    A linear programme (every integer fixed), so quick; ``None`` if it finds no plan. The variables' bounds
    and values are left as they were.
    """
    whole = (pulp.LpInteger, pulp.LpBinary)
    fixed = [(v, v.lowBound, v.upBound) for v in m.prob.variables() if v.cat in whole and v.name in start]
    values = {v.name: v.varValue for v in m.prob.variables()}
    try:
        for v, _, _ in fixed:
            v.lowBound = v.upBound = round(float(start[v.name] or 0.0))
        m.prob.sense = sense
        m.prob.setObjective(primary)
        res = solve(m.prob, m.data.cfg.solver, m.data.cfg.solver.time_limit_s)
        if res.status != Status.OPTIMAL:
            return None
        return float(pulp.value(primary) or 0.0), {v.name: v.varValue for v in m.prob.variables()
                                                   if v.varValue is not None}
    finally:
        for v, lo, up in fixed:
            v.lowBound, v.upBound = lo, up
        for v in m.prob.variables():
            v.varValue = values.get(v.name)


def _whole_primary(m: Model, sense: int, primary: pulp.LpAffineExpression) -> bool:
    """Whether the primary's continuous variables take whole values at an optimum (the matrix HiGHS gets)."""
    if granularity(np.fromiter(primary.values(), float)) is None:
        return False  # no granularity to protect: skip reading the matrix
    m.prob.sense = sense
    m.prob.setObjective(primary)
    hm = highs_model(m.prob)
    a = hm.lp.a_matrix_
    integer = np.array([v.cat in (pulp.LpInteger, pulp.LpBinary) for v in hm.columns], dtype=bool)
    coef = hm.cost * hm.sign  # the primary's own coefficients (HiGHS's costs carry −1 for a maximisation)
    want_larger = coef if sense == pulp.LpMaximize else -coef  # > 0: the primary improves as it grows
    return whole_at_optimum(np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_),
                            np.asarray(hm.lp.row_lower_), np.asarray(hm.lp.row_upper_), integer,
                            np.asarray(hm.lp.col_lower_), np.asarray(hm.lp.col_upper_), want_larger)


def _value_at(e: pulp.LpAffineExpression, values: dict[str, float]) -> float:
    """The expression's value at a (partial) assignment by variable name; missing variables count 0."""
    return float(e.constant) + sum(c * float(values.get(v.name) or 0.0) for v, c in e.items())


def _bound(b: float | None, side: int) -> float:
    return float(b) if b is not None else side * np.inf


def folded_expression(primary: pulp.LpAffineExpression, secondary: pulp.LpAffineExpression, sense: int,
                      epsilon: float) -> pulp.LpAffineExpression:
    """primary − ε·secondary when maximising the primary (the secondary is minimised), primary − ε·secondary
    as well when minimising it (the secondary is then maximised): the sign of ε·secondary always works against
    the primary's sense, so ties in the primary go to the better secondary."""
    out = primary.copy()
    for v, c in secondary.items():
        out[v] = out.get(v, 0.0) - epsilon * c
    return out


def _split_folded(name: str, sense: int, primary: pulp.LpAffineExpression,
                  folded: tuple[Fold, tuple[str, int, pulp.LpAffineExpression]],
                  res: StageResult) -> list[tuple[str, StageResult]]:
    """The folded solve as two stages: the primary's objective and bound, then the secondary's objective."""
    f, (name_s, _, secondary) = folded
    if f.exact:
        note = (f"; {name_s} folded into {name} as an exact tie-breaker (ε = {f.epsilon:.3g} per unit, "
                f"granularity {f.granularity:g}, range {f.secondary_range:g})")
    else:
        within = (f"{name} within {f.primary_loss:.3g} of its optimum" if f.primary_loss
                  else f"{name} exact (granularity {f.granularity:g})")
        note = (f"; {name_s} folded into {name} as a tie-breaker within the stage tolerance (ε = {f.epsilon:.3g} "
                f"per unit, range {f.secondary_range:g}): {within}, {name_s} the best among plans at least as "
                f"good in {name}" + (f" to within {f.secondary_step / 2:.3g}" if f.approx_s else ""))
    if not res.status.has_plan:
        return [(name, replace(res, message=res.message + note))]
    p = float(pulp.value(primary) or 0.0)
    s = float(pulp.value(secondary) or 0.0)
    if res.status == Status.OPTIMAL:  # by the fold's proof: each objective at its optimum (within tolerance)
        bound = p + (f.primary_loss if sense == pulp.LpMaximize else -f.primary_loss)
        gap = f.primary_loss / max(abs(p), 1e-9)
        first = replace(res, objective=p, bound=bound, gap=gap, message=res.message + note)
        second = StageResult(res.status, res.solver, s, s, 0.0, 0.0, f"folded into {name}{note}")
        return [(name, first), (name_s, second)]
    # stopped early. Maximising: every plan x has P(x) − εS(x) ≤ bound and S(x) ≤ s + R, so
    # P(x) ≤ bound + ε(s + R); minimising: P(x) − εS(x) ≥ bound and S(x) ≥ s − R, so P(x) ≥ bound + ε(s − R)
    reach = s + f.secondary_range if sense == pulp.LpMaximize else s - f.secondary_range
    bound = res.bound + f.epsilon * reach
    gap = relative_gap(p, bound) if np.isfinite(bound) else float("inf")
    first = replace(res, objective=p, bound=bound, gap=gap, message=res.message + note)
    second = StageResult(res.status, res.solver, s, np.nan, float("inf"), 0.0, f"folded into {name}{note}")
    return [(name, first), (name_s, second)]


def _keep_better(m: Model, res: StageResult, plan: dict[str, float], improved: Improvement,
                 support: Support | None = None) -> StageResult:
    """The stage's result with the window search's plan in the variables when HiGHS stopped without proving its
    plan (time limit, or no plan) and the search's plan is better; its gap is then measured against the lower of
    HiGHS's bound and the relaxation's (``support``, when that step ran). A plan HiGHS proves (within the solver
    gap) is kept even when the search's is better within that gap: the search is cut by time, HiGHS's proven
    plan is the same in every run. The support step's and the search's seconds are added."""
    seconds = res.seconds + improved.seconds + (support.seconds if support is not None else 0.0)
    notes = (support.note() if support is not None else "") + improved.note()
    bound = res.bound if np.isfinite(res.bound) else float("inf")
    if support is not None and np.isfinite(support.bound):
        bound = min(bound, support.bound)  # a maximising stage: the lower bound is the tighter
    if res.status == Status.OPTIMAL or (res.status.has_plan and res.objective >= improved.after):
        if res.status == Status.OPTIMAL or not np.isfinite(bound):
            return replace(res, seconds=seconds, message=res.message + notes + "; HiGHS's plan kept")
        return replace(res, seconds=seconds, bound=bound, gap=max(relative_gap(res.objective, bound), 0.0),
                       message=res.message + notes + "; HiGHS's plan kept")
    for v in m.prob.variables():
        v.varValue = plan.get(v.name, v.varValue)
    obj = improved.after
    gap = relative_gap(obj, bound) if np.isfinite(bound) else float("inf")
    status = res.status if res.status.has_plan else Status.TIME_LIMIT
    return replace(res, status=status, objective=obj, bound=bound, gap=max(gap, 0.0), seconds=seconds,
                   message=res.message + notes + ("; this plan kept (better than HiGHS's)" if res.status.has_plan
                                                  else "; this plan kept"))


def _skips_highs(support: Support, left_s: float) -> bool:
    """Whether HiGHS is not run on a stage after its support step (and window search), ``left_s`` seconds left:
    less than :data:`HIGHS_ROOT_FACTOR` times the relaxation's seconds, and either a plan from the support step or a
    relaxation that did not finish (HiGHS's root would solve the same relaxation first)."""
    return left_s < HIGHS_ROOT_FACTOR * support.relaxation_s and (
        bool(np.isfinite(support.objective)) or not np.isfinite(support.bound))


def _searches_windows(m: Model) -> bool:
    """Whether a maximising stage first improves its start window by window (:mod:`optimizer.neighbourhoods`):
    HiGHS, a multi-year plan, at least :data:`NEIGHBOURHOOD_MIN_ROWS` rows."""
    cfg = m.data.cfg
    return (cfg.solver.name == "highs" and m.n_years > 1 and cfg.objective.neighbourhoods
            and m.prob.numConstraints() >= NEIGHBOURHOOD_MIN_ROWS)


def _site_of(m: Model) -> dict[str, int]:
    """Each site decision's variable name → its site."""
    return {v.name: int(j) for family in m.x.values() for (j, _), v in family.items()}


def _site_xy(m: Model) -> np.ndarray:
    """Sites' coordinates (metres; NaN without geometry), one row per site."""
    sites = m.data.instance.sites
    cols = [c for c in ("x", "y") if c in sites.columns]
    if len(cols) < 2:
        return np.full((m.data.n_sites, 2), np.nan)
    return sites[cols].to_numpy(dtype=float)


def _groups_pay(m: Model, name: str, res: StageResult, obj: pulp.LpAffineExpression) -> bool:
    """Whether to hold a proven least shortfall by groups: a stage of standards' terms, solved to optimality, in a
    multi-year plan (in one year the terms of equal weight are one group, little is left to split: on the
    generated 10,000-village one-year plan it did not help)."""
    return (m.data.cfg.objective.hold_groups == "auto" and m.n_years > 1 and name in GROUP_HELD
            and res.status == Status.OPTIMAL and _nonnegative_sum(obj) and len(obj) > 1)


def _adopt_better(m: Model, results: list[tuple[str, StageResult]], at: int, obj: pulp.LpAffineExpression,
                  held: HeldGroups, tol: float) -> dict[str, float | None] | None:
    """When a probe of stage ``results[at]`` found a plan with a smaller total (the stage stopped within its gap),
    hold the stage at that plan's value instead (row ``hold_<stage>`` replaced), report that plan as the stage's,
    put its values in the variables and return them (the next stage's start); else ``None``."""
    if held.better is None:
        return None
    z, plan = held.better
    name, done = results[at]
    m.remove(f"hold_{name}")
    m.add(obj <= z + tol * max(1.0, abs(z)) + 1e-7, f"hold_{name}")
    for v in m.prob.variables():
        v.varValue = plan.get(v.name)
    gap = relative_gap(z, done.bound) if np.isfinite(done.bound) else done.gap
    results[at] = (name, replace(done, objective=z, gap=gap, message=done.message + (
        f"; held at the probe's plan instead, {done.objective:,.6g} → {z:,.6g}")))
    return plan


def _nonnegative_sum(obj: pulp.LpAffineExpression) -> bool:
    """Whether ``obj`` is Σ c·v with every c > 0 and every v ≥ 0 (shortfall and elastic variables)."""
    return len(obj) > 0 and all(c > 0 and v.lowBound is not None and v.lowBound >= 0 for v, c in obj.items())


def overall_status(results: list[tuple[str, StageResult]]) -> Status:
    """INFEASIBLE/ERROR/UNBOUNDED if the first stage failed; TIME_LIMIT if any stage stopped early; else OPTIMAL.

    A tie-break stage stopped at its own bound (``StageResult.bounded``, gapped runs only) does not make the plan
    TIME_LIMIT: the stages that rank plans were solved within the gap; its own note says the cost is unproven.
    """
    if not results:
        return Status.ERROR
    first = results[0][1].status
    if not first.has_plan:
        return first
    if any((r.status == Status.TIME_LIMIT and not r.bounded) or not r.status.has_plan for _, r in results):
        return Status.TIME_LIMIT
    return Status.OPTIMAL
