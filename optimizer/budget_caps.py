"""Caps on each family's share of a budget row, from the least the rest of the plan must spend (万元).

A budget row says Σ_j a_j x_j ≤ U (a_j ≥ 0, x_j integer units). Once the least shortfall is held, the standards
force spending: every plan spends at least L_f on the row's columns outside a family f, so

    Σ_{j ∈ f} a_j x_j ≤ U − L_f,   and with a_j all multiples of g:   Σ_{j ∈ f} (a_j / g) x_j ≤ ⌊(U − L_f) / g⌋.

The relaxation of a phased plan does not see this. On the generated province (20,000 villages, 3 years) it spent
each year's remainder on fractions of blood points (5.59 by 2025 at 80万元 each), while the held standards cost
at least 145,610 of 2025's 146,000万元, so no plan has more than 4: with the caps the relaxation fell from
13,140,578 to 12,375,773 weighted persons, within 0.31 % of the best plan, where HiGHS left a 6.5 % gap.

A least shortfall held only as a total (row ``hold_shortfall``, a multi-year plan whose groups could not be held:
``optimizer.held_shortfall``) is a budget of shortfall, capped the same way: each group g of terms of equal weight
and year gets Σ_{k∈g} w_k σ_k ≤ S* + δ − L_{−g}, L_{−g} the least the other groups' weighted shortfall can be (the
generated 10,000-village 3-year plan: 12.09 % → 0.54 %).

L_f is the optimum (or HiGHS's proven bound) of a small MILP, a relaxation of the stage's model, so it is at most
the true least spend and every cap is valid:

1. the model's rows, objective Σ_{j ∉ f} a_j x_j;
2. every column outside the families (the covered-persons columns) fixed at its lower bound where that is no loss
   (it appears only where less of it never hurts: with a positive coefficient in ≤ rows, a negative one in ≥ rows;
   a share-of-population standard keeps its columns), and the rows that leave always met dropped;
3. the family columns grouped into blocks by the rows of one site (a station and the vehicles it houses), and
   blocks with the same columns, bounds, rows and coefficients summed into one block, its bounds and row sides
   times their number: any plan's sums meet the summed rows, and the block classes (a few dozen on the province,
   against 22,426 integer columns) leave HiGHS no symmetry to branch through. On the province it proves 145,610
   in well under a second, where the whole model's MILP stayed between 145,555 and 145,610 after 600 s.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np
import pulp
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.held_shortfall import initial_groups
from healthplan.optimizer.implied_rows import per_row
from healthplan.optimizer.model import Model, expr
from healthplan.optimizer.solve import constraints_of, highs_model, lp_rows, new_highs, rowwise_lp, run_highs

CAP_PREFIX = "budget_cap_"  # the rows this module adds: budget_cap_<family>_<budget row>
HELD_TOTALS = ("hold_shortfall", "hold_hard")  # a least shortfall held as a total (optimizer.objective)
SOLVE_S = 5.0  # most seconds for one least-spend MILP (the province's: < 1 s each)
COST_DENOMINATOR = 1000  # unit costs are read as multiples of 1/1000 万元 (10 yuan) for the rounding
# a cap joins the model when it takes at least this many of the family's cheapest units off what the relaxation
# allows. Each row helps HiGHS's own search (the 3-year demo's solve: 2.0 s with every row that cuts 0.1 unit,
# 2.7 s without caps, 2.9 s with the whole-unit rows only; 4 runs each) but slows an interior-point relaxation
# (the province's: 34 s without, 39 s with its 5 whole-unit rows, 46 s with its 21 rows of 0.1 unit), which is
# what a large phased model's stage starts with (optimizer.relaxation_support)
CUT_UNITS = 0.1
CUT_UNITS_LARGE = 1.0
# L is HiGHS's bound on a model whose sides are multiplied by the class sizes: U − L within this share of U of a
# whole number of units counts as that number
ROUND_TOL = 1e-7


@dataclass(frozen=True)
class BudgetCaps:
    """What :func:`add_budget_caps` did: the rows added (name → the least other spend L, 万元), the least-spend
    MILPs solved, the block classes of the summed model against the family columns, and the seconds."""

    rows: dict[str, float]
    solves: int
    classes: int
    columns: int
    seconds: float

    def note(self) -> str:
        """One clause for the stage's message."""
        if not self.rows:
            return ""
        return (f"; {len(self.rows)} budget rows capped by the least spend of the rest ({self.solves} MILPs on "
                f"{self.classes:,} site classes for {self.columns:,} columns, {self.seconds:.1f} s)")


def remove_budget_caps(m: Model) -> None:
    """Remove the rows an earlier :func:`add_budget_caps` added (the rows they came from may have changed)."""
    for name in [c.name for c in constraints_of(m.prob) if c.name and c.name.startswith(CAP_PREFIX)]:
        m.remove(name)


def add_budget_caps(m: Model, solver: SolverConfig, seconds: float, large: bool = False,
                    held_total: bool = True) -> BudgetCaps:
    """Add ``budget_cap_<family>_<row>`` rows to ``m`` (see the module's docstring) within about ``seconds``;
    ``large``: the stage starts from its relaxation, so only rows that cut :data:`CUT_UNITS_LARGE` units;
    ``held_total``: the least shortfall is held as a total only (not by groups), so its groups are capped too.

    Every row added is valid for the model as it stands (rows added later only shrink its plans); a MILP that
    stops at its time limit gives its proven bound, so the cap is weaker, never wrong.
    """
    t0 = time.perf_counter()
    remove_budget_caps(m)
    cons = constraints_of(m.prob)
    if not _mixed_budget(m, cons):  # (a single-kind MCLP: its budget row holds one family; no model read)
        return BudgetCaps({}, 0, 0, 0, time.perf_counter() - t0)
    hm = highs_model(m.prob)
    a = lp_rows(hm.lp)
    a.sort_indices()  # rows compared by their bytes below
    lo, up = np.asarray(hm.lp.row_lower_, dtype=float), np.asarray(hm.lp.row_upper_, dtype=float)
    col_lo, col_up = np.asarray(hm.lp.col_lower_, dtype=float), np.asarray(hm.lp.col_upper_, dtype=float)
    n = a.shape[1]
    integer = np.zeros(n, dtype=bool)
    if len(hm.lp.integrality_):
        integer = np.array([t == highspy.HighsVarType.kInteger for t in hm.lp.integrality_], dtype=bool)
    families = sorted(m.x)
    at = {v.name: j for j, v in enumerate(hm.columns)}
    family = np.full(n, -1)
    site = np.full(n, -1)
    year = np.full(n, -1)
    for f, name in enumerate(families):
        for (s, t), v in m.x[name].items():
            j = at.get(v.name)
            if j is not None:
                family[j], site[j], year[j] = f, s, t
    budget, seen = [], set()
    for i, c in enumerate(cons):
        if c.name and c.name.startswith("budget_") and not c.name.startswith(CAP_PREFIX) \
                and _is_budget_row(a, i, lo, up, family, integer):
            key = (a.indices[a.indptr[i]:a.indptr[i + 1]].tobytes(), a.data[a.indptr[i]:a.indptr[i + 1]].tobytes(),
                   float(up[i]))
            if key not in seen:  # the last year's cumulative row is often the total's
                seen.add(key)
                budget.append(i)
    if not budget:
        return BudgetCaps({}, 0, 0, 0, time.perf_counter() - t0)
    summed = _summed_model(a, lo, up, col_lo, col_up, integer, family, site, year, np.array(budget))
    rows: dict[str, float] = {}
    solves = 0

    def cap(i: int, mine: np.ndarray, name: str) -> None:
        """Cap the columns ``mine`` of row ``i`` at its side less the least its other columns take."""
        nonlocal solves
        coef = a.getrow(i).toarray().ravel()
        others = np.where(mine, 0.0, coef)
        least = summed.least(others, solver, min(SOLVE_S, seconds - (time.perf_counter() - t0)))
        solves += 1
        if not least > 0:
            return
        g = _common_unit(coef[mine]) if integer[mine].all() else None
        room = up[i] - least + ROUND_TOL * max(1.0, abs(up[i]))
        units = math.floor(room / g) if g is not None else None
        top = units * g if units is not None else room
        if top >= float(coef[mine] @ col_up[mine]):
            return  # the columns cannot take that much anyway
        # the stage's relaxation gives them at most U − (this relaxation's least) (it is a relaxation of the
        # stage's): a cap that takes less than CUT_UNITS of their cheapest unit off that stays out of the model
        relaxed = summed.least(others, solver, min(SOLVE_S, max(seconds - (time.perf_counter() - t0), 0.05)),
                               relaxed=True)
        if top > up[i] - relaxed - (CUT_UNITS_LARGE if large else CUT_UNITS) * float(coef[mine].min()):
            return
        idx = np.flatnonzero(mine)
        if units is not None:
            m.add(expr([(hm.columns[j], coef[j] / g) for j in idx]) <= units, name)
        else:
            m.add(expr([(hm.columns[j], coef[j]) for j in idx]) <= room, name)
        rows[name] = least

    for i in budget:
        coef = a.getrow(i).toarray().ravel()
        present = np.unique(family[(coef > 0) & (family >= 0)])
        for f in present if len(present) > 1 else ():
            if seconds - (time.perf_counter() - t0) <= 0.05:
                break
            cap(i, (family == f) & (coef > 0), f"{CAP_PREFIX}{families[f]}_{cons[i].name[len('budget_'):]}")
    for i, c in enumerate(cons):
        # a least shortfall held as a total is a budget of shortfall: each group of terms that trade one for one
        # (equal weight and year) gets at most the total less the least the other groups can have
        if held_total and c.name in HELD_TOTALS and np.isneginf(lo[i]):
            s_, e_ = a.indptr[i], a.indptr[i + 1]
            cols = a.indices[s_:e_]
            terms = [(hm.columns[j], float(v)) for j, v in zip(cols, a.data[s_:e_])]
            groups = initial_groups(terms, m.term_year)
            for n_g, grp in enumerate(groups if len(groups) > 1 else ()):
                if seconds - (time.perf_counter() - t0) <= 0.05:
                    break
                mine = np.zeros(n, dtype=bool)
                mine[cols[grp]] = True
                cap(i, mine, f"{CAP_PREFIX}{c.name}_group_{n_g}")
    return BudgetCaps(rows, solves, summed.classes, int((family >= 0).sum()), time.perf_counter() - t0)


def _mixed_budget(m: Model, cons: list[pulp.LpConstraint]) -> bool:
    """Whether some budget row holds units of two families or more (only then can one family be capped)."""
    family_of = {id(v): f for f, units in m.x.items() for v in units.values()}
    for c in cons:
        if c.name and c.name.startswith("budget_") and not c.name.startswith(CAP_PREFIX):
            if len({family_of.get(id(v)) for v in c} - {None}) > 1:
                return True
    return False


def _is_budget_row(a: sp.csr_matrix, i: int, lo: np.ndarray, up: np.ndarray, family: np.ndarray,
                   integer: np.ndarray) -> bool:
    """A ≤ row with nonnegative coefficients on family columns only (a capital, earmark or running-cost cap)."""
    s, e = a.indptr[i], a.indptr[i + 1]
    cols, vals = a.indices[s:e], a.data[s:e]
    return (np.isneginf(lo[i]) and np.isfinite(up[i]) and e > s and bool((vals > 0).all())
            and bool((family[cols] >= 0).all()) and bool(integer[cols].all()))


def _common_unit(costs: np.ndarray) -> float | None:
    """The largest g with every cost a whole multiple of it (万元), or None when a cost is not a multiple of
    1/:data:`COST_DENOMINATOR`."""
    fr = [Fraction(float(c)).limit_denominator(COST_DENOMINATOR) for c in np.unique(costs)]
    if any(abs(float(q) - float(c)) > 1e-9 * max(1.0, abs(float(c))) for q, c in zip(fr, np.unique(costs))):
        return None
    g = Fraction(0)
    for q in fr:
        g = Fraction(math.gcd(g.numerator * q.denominator, q.numerator * g.denominator),
                     g.denominator * q.denominator)
    return float(g) if g > 0 else None


@dataclass
class _Summed:
    """The summed least-spend model: ``lp`` with the objective left to each solve, ``pick`` the model column each
    of its columns stands for (one per block class and position; the kept non-family columns as themselves)."""

    lp: highspy.HighsLp
    pick: np.ndarray
    classes: int

    def least(self, cost: np.ndarray, solver: SolverConfig, seconds: float, relaxed: bool = False) -> float:
        """Least Σ cost_j x_j (cost on the model's columns) over the summed model (its relaxation with
        ``relaxed``): the optimum, or HiGHS's proven bound when it stops first; −inf without one."""
        self.lp.col_cost_ = cost[self.pick]
        h = new_highs(solver, seconds, extra={"mip_rel_gap": 0.0, "threads": 1, "mip_detect_symmetry": False})
        integrality = self.lp.integrality_
        if relaxed:
            self.lp.integrality_ = []
        try:
            h.passModel(self.lp)
        finally:
            self.lp.integrality_ = integrality
        run_highs(h)
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            info = h.getInfo()
            if relaxed or not np.isfinite(info.mip_dual_bound):
                return float(info.objective_function_value)
            return float(info.mip_dual_bound)
        if status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt) and not relaxed:
            return float(h.getInfo().mip_dual_bound)
        return -math.inf


def _summed_model(a: sp.csr_matrix, lo: np.ndarray, up: np.ndarray, col_lo: np.ndarray, col_up: np.ndarray,
                  integer: np.ndarray, family: np.ndarray, site: np.ndarray, year: np.ndarray,
                  budget: np.ndarray) -> _Summed:
    """Steps 2 and 3 of the module's docstring.

    The ``budget`` rows are kept even where every plan meets them: their coefficients are the solves' objectives,
    so blocks that differ in them (a site's own unit cost) must not be summed."""
    other = family < 0
    csc = a.tocsc()
    # step 2: a non-family column is fixed at its lower bound when less of it never hurts any row
    hurts = ((csc.data > 0) & np.isfinite(lo[csc.indices])) | ((csc.data < 0) & np.isfinite(up[csc.indices]))
    hurt_cols = np.zeros(a.shape[1], dtype=bool)
    hurt_cols[np.repeat(np.arange(a.shape[1]), np.diff(csc.indptr))[hurts]] = True
    fixed = other & ~hurt_cols & np.isfinite(col_lo)
    shift = a[:, np.flatnonzero(fixed)] @ col_lo[fixed]
    lo, up = lo - shift, up - shift
    keep_cols = np.flatnonzero(~fixed)
    k = a[:, keep_cols].tocsr()
    kl, ku = col_lo[keep_cols], col_up[keep_cols]
    # rows met whatever the kept columns do are dropped
    pos = k.multiply(k > 0).tocsr()
    neg = k.multiply(k < 0).tocsr()
    with np.errstate(invalid="ignore"):
        most = _bounded_dot(pos, ku) + _bounded_dot(neg, kl)
        least = _bounded_dot(pos, kl) + _bounded_dot(neg, ku)  # NaN compares false: the row stays
    live = ~((most <= up + 1e-9) & (least >= lo - 1e-9)) & (np.diff(k.indptr) > 0)
    live[budget] = True
    k, lo, up = k[np.flatnonzero(live)], lo[live], up[live]
    fam, st, yr, integ = family[keep_cols], site[keep_cols], year[keep_cols], integer[keep_cols]
    # step 3: local rows touch family columns of one site only; blocks are their connected columns
    s_of = np.where(fam >= 0, st, -1)[k.indices]
    lowest = per_row(np.minimum, s_of, k.indptr, -1)
    local = (lowest >= 0) & (lowest == per_row(np.maximum, s_of, k.indptr, -1))
    loc = k[np.flatnonzero(local)]
    link = (abs(loc).T @ abs(loc)).tocsr()
    fam_cols = np.flatnonzero(fam >= 0)
    n_blocks, block_of_fam = connected_components(link[fam_cols][:, fam_cols], directed=False)
    block = np.full(k.shape[1], -1)
    block[fam_cols] = block_of_fam
    # each block's signature: its columns by (family, year) with bounds, integrality and global coefficients,
    # and its local rows in those positions
    glob = k[np.flatnonzero(~local)].tocsc()
    order = np.lexsort((yr[fam_cols], fam[fam_cols], block[fam_cols]))
    cols_sorted = fam_cols[order]
    starts = np.searchsorted(block[cols_sorted], np.arange(n_blocks + 1))
    position = np.empty(k.shape[1], dtype=np.int64)
    position[cols_sorted] = np.arange(len(cols_sorted)) - starts[block[cols_sorted]]
    col_sig = [(int(fam[j]), int(yr[j]), float(kl[j]), float(ku[j]), bool(integ[j]),
                glob.indices[glob.indptr[j]:glob.indptr[j + 1]].tobytes(),
                glob.data[glob.indptr[j]:glob.indptr[j + 1]].tobytes()) for j in range(k.shape[1])]
    loc_rows_of_block: list[list[tuple]] = [[] for _ in range(n_blocks)]
    local_idx = np.flatnonzero(local)
    for r, i in enumerate(local_idx):
        s, e = loc.indptr[r], loc.indptr[r + 1]
        cols = loc.indices[s:e]
        b = block[cols[0]]
        loc_rows_of_block[b].append((float(lo[i]), float(up[i]),
                                     tuple(sorted(zip(position[cols].tolist(), loc.data[s:e].tolist())))))
    classes: dict[tuple, list[int]] = {}
    for b in range(n_blocks):
        cols = cols_sorted[starts[b]:starts[b + 1]]
        sig = (tuple(col_sig[j] for j in cols), tuple(sorted(loc_rows_of_block[b])))
        classes.setdefault(sig, []).append(b)
    # the summed model: per class one column per position (bounds × count), its local rows once (sides × count);
    # the non-family columns kept and every global row as it is
    pick, c_lo, c_up, c_int, new_of = [], [], [], [], np.full(k.shape[1], -1)
    rows_l, rows_u, rr, rc, rv = [], [], [], [], []
    n_glob = glob.shape[0]
    for sig, blocks in classes.items():
        cnt = len(blocks)
        cols = cols_sorted[starts[blocks[0]]:starts[blocks[0] + 1]]
        base = len(pick)
        for j in cols:
            new_of[j] = len(pick)
            pick.append(keep_cols[j])
            c_lo.append(kl[j] * cnt)
            c_up.append(ku[j] * cnt)
            c_int.append(integ[j])
        for lo_r, up_r, terms in sig[1]:
            rows_l.append(lo_r * cnt)
            rows_u.append(up_r * cnt)
            for p, v in terms:
                rr.append(n_glob + len(rows_l) - 1)
                rc.append(base + p)
                rv.append(v)
    for j in np.flatnonzero(fam < 0):
        if not (np.isfinite(kl[j]) or np.isfinite(ku[j])) and glob.indptr[j + 1] == glob.indptr[j]:
            continue
        new_of[j] = len(pick)
        pick.append(keep_cols[j])
        c_lo.append(kl[j])
        c_up.append(ku[j])
        c_int.append(integ[j])
    # global rows: each kept column (a class's representative, or a non-family column) with its coefficients
    reps = np.flatnonzero(new_of >= 0)
    g = glob[:, reps].tocoo()
    rr = np.concatenate([g.row, np.array(rr, dtype=np.int64)])
    rc = np.concatenate([new_of[reps][g.col], np.array(rc, dtype=np.int64)])
    rv = np.concatenate([g.data, np.array(rv, dtype=float)])
    n_rows = n_glob + len(rows_l)
    mat = sp.csr_matrix((rv, (rr, rc)), shape=(n_rows, len(pick)))
    g_lo, g_up = lo[~local], up[~local]
    lp = rowwise_lp(np.zeros(len(pick)), np.array(c_lo, dtype=float), np.array(c_up, dtype=float), mat,
                    np.concatenate([g_lo, np.array(rows_l, dtype=float)]),
                    np.concatenate([g_up, np.array(rows_u, dtype=float)]))
    lp.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in c_int]
    return _Summed(lp, np.array(pick, dtype=np.int64), len(classes))


def _bounded_dot(m: sp.csr_matrix, x: np.ndarray) -> np.ndarray:
    """m @ x where x may hold ±inf: ±inf where an infinite entry meets a nonzero coefficient, NaN where both."""
    out = np.asarray(m @ np.where(np.isfinite(x), x, 0.0), dtype=float).ravel()
    p, n = (m > 0).astype(float), (m < 0).astype(float)
    up_inf, down_inf = (x == np.inf).astype(float), (x == -np.inf).astype(float)
    plus = np.asarray(p @ up_inf + n @ down_inf).ravel() > 0
    minus = np.asarray(p @ down_inf + n @ up_inf).ravel() > 0
    out[plus] = np.inf
    out[minus] = -np.inf
    out[plus & minus] = np.nan
    return out
