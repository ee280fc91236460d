"""The pure p-median (Hakimi 1964) without PuLP: Lagrangian bound, swap search, fixing, exact MILP.

The problem is healthplan's ``access_time`` objective when it is the whole plan (see
``optimizer/pmedian_plan.py`` for when that holds): open at most p of the candidate sites so that

    Σ_i w_i · min(F_i, min_{j open, (i,j) a pair} t_ij)        (persons × minutes)

is least, where w_i are the persons of demand point i, t_ij the travel minutes of a stored pair and F_i the
point's fallback: minutes to its nearest existing facility, or the travel horizon when none is within it (a
point nobody serves counts the horizon, exactly as :func:`~healthplan.optimizer.covering.add_access_time` and
``evaluation.mean_access_minutes`` count it). Only pairs with t_ij < F_i can matter, so only those are kept.

Method (every step vectorised over the pairs; no Python loop over demand × sites):

1. incumbent: greedy additions, then best-improvement vertex substitution (Teitz & Bart 1968) with the fast
   interchange evaluation of Whitaker (1983): every (in, out) swap's exact change from one pass over the
   pairs;
2. lower bound: the Lagrangian relaxation of the assignment rows (Cornuéjols, Fisher & Nemhauser 1977), λ_i in
   minutes, ρ_j = Σ_i w_i min(0, c_ij − λ_i), L(λ) = Σ_i w_i λ_i + (sum of the p smallest ρ_j), maximised by
   subgradient steps of Polyak's length towards the incumbent. Pairs are truncated per point at a radius R_i
   (cost min(t, R_i), fallback min(F_i, R_i)): that problem is never dearer than the true one, so its bound is
   a valid bound of the true problem while the plan is always priced at its true cost over every stored pair;
3. reduced-cost fixing: a site, a pair or a fallback whose forced Lagrangian bound exceeds a level ℓ cannot be
   in a plan cheaper than ℓ and is removed; the exact MILP on what remains (HiGHS through highspy, objective
   bound ℓ, warm-started from the incumbent) finds the optimum if it is below ℓ or proves ℓ a bound. Levels
   start just above the Lagrangian bound (small MILPs) and double up to the incumbent; a MILP with more than
   ``MILP_MAX_PAIRS`` pairs is not tried;
4. if a gap remains, iterated swap searches from perturbed plans (seeded, so deterministic), then exact
   re-solves of neighbourhoods of a few open sites (POPMUSIC) improve the plan until the time limit.

The gap reported is (cost − bound) / cost with both in persons × minutes, proven: the bound is the largest of
the Lagrangian bound and the levels proven empty, and the cost is the true cost of the sites returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

# Most pairs a reduced MILP may keep. Why: HiGHS's p-median LP is itself the slow part (995 s for all 600,000
# pairs of the 2,000 × 300 anchor; 8–150 s for the 20,000–80,000 pairs fixing leaves there); with millions
# left the MILP would use the whole time limit without a bound, so the Lagrangian bound stands and the time
# goes to the plan (iterated swap searches) instead.
MILP_MAX_PAIRS = 250_000
RADIUS_FACTOR = 1.5  # Lagrangian radius R_i = this × the point's 2nd-nearest open minutes in the greedy plan
PATIENCE = 40  # subgradient steps without a better bound before θ halves
PRICE_WITHIN = 0.005  # a new Lagrangian set within this share of the cheapest one starts a swap search
PERTURB_ROUNDS = 200  # iterated swap searches when the gap is still open after the MILPs (≈ 0.5 s each at
# 20,000 × 1,500: a few % of the time limit)
PROMISING_FACTOR = 4  # perturbations draw from the PROMISING_FACTOR × p sites of least ρ
POPMUSIC_PARTS = 5  # open sites per re-solved neighbourhood (each serves ~n/p points)
POPMUSIC_SUB_S = 10.0  # seconds a neighbourhood's p-median may take
PRICE_EVERY = 10  # every this many steps the Lagrangian sites are priced as a plan (when new)
FIRST_LEVEL = 2e-4  # close_gap's first level: this share above the Lagrangian bound, doubling up to the plan
FIX_RTOL = 1e-9  # relative slack before a forced bound counts as above the incumbent (floating-point sums)
RANDOM_SEED = 20240601  # HiGHS's seed, as optimizer/solve.py sets it: the same input gives the same plan


@dataclass(frozen=True)
class PMedianProblem:
    """A p-median with fallbacks over sparse pairs, sorted by demand point then minutes then site.

    ``site`` indexes the candidate sites 0 … n_sites − 1 (the caller maps them back to its own ids).
    """

    weight: np.ndarray  # persons per demand point
    fallback: np.ndarray  # minutes when no open site is nearer (nearest existing facility, or the horizon)
    site: np.ndarray  # int64 candidate per pair
    demand: np.ndarray  # int64 demand point per pair
    minutes: np.ndarray  # float64 per pair, < fallback of its point
    n_sites: int
    p: int

    @classmethod
    def from_pairs(cls, weight: np.ndarray, fallback: np.ndarray, site: np.ndarray, demand: np.ndarray,
                   minutes: np.ndarray, n_sites: int, p: int) -> PMedianProblem:
        """Keep the pairs that can beat the fallback (t < F_i), the shortest of duplicates, sorted."""
        w = np.asarray(weight, dtype=float)
        f = np.asarray(fallback, dtype=float)
        s, d, t = (np.asarray(site, dtype=np.int64), np.asarray(demand, dtype=np.int64),
                   np.asarray(minutes, dtype=float))
        if p < 0:
            raise ValueError(f"p must be ≥ 0, got {p}")
        if len(w) != len(f) or not (len(s) == len(d) == len(t)):
            raise ValueError("weight/fallback and site/demand/minutes must have equal lengths")
        if (w < 0).any() or not np.isfinite(f).all() or (f < 0).any():
            raise ValueError("weights must be ≥ 0 persons and fallbacks finite minutes ≥ 0")
        keep = np.isfinite(t) & (t < f[d])
        s, d, t = s[keep], d[keep], t[keep]
        order = np.lexsort((s, t, d))
        s, d, t = s[order], d[order], t[order]
        if s.size:  # duplicates of one (point, site): the first, i.e. shortest, holds
            key = d * n_sites + s
            _, first = np.unique(key, return_index=True)
            first.sort()
            s, d, t = s[first], d[first], t[first]
        return cls(w, f, s, d, t, int(n_sites), int(p))

    @property
    def n_demand(self) -> int:
        """Number of demand points."""
        return len(self.weight)

    def cost(self, open_sites: np.ndarray) -> float:
        """Σ_i w_i · minutes to the nearest open site or the fallback (persons × minutes) of a set of
        sites."""
        return float(self.weight @ nearest(self, _mask(self, open_sites))[0])


@dataclass(frozen=True)
class PMedianResult:
    """The best set found, its true cost, the proven bound and how they were reached.

    ``cost`` and ``bound`` are persons × minutes; ``gap`` = (cost − bound) / cost; ``optimal`` when the gap is
    within the requested one.
    """

    open_sites: np.ndarray  # sorted candidate indices
    cost: float
    bound: float
    gap: float
    optimal: bool
    seconds: float
    stats: dict[str, float] = field(default_factory=dict)
    message: str = ""


def _mask(problem: PMedianProblem, open_sites: np.ndarray) -> np.ndarray:
    m = np.zeros(problem.n_sites, dtype=bool)
    m[np.asarray(open_sites, dtype=np.int64)] = True
    return m


def nearest(problem: PMedianProblem, is_open: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per demand point: minutes to the nearest open site (or the fallback), that site (−1 for the fallback),
    and minutes to the second nearest (or the fallback). Pairs are sorted by point then minutes, so the first
    open pair of each point is its nearest."""
    d1 = problem.fallback.copy()
    d2 = problem.fallback.copy()
    near = np.full(problem.n_demand, -1, dtype=np.int64)
    f, s = _first_two_open(problem, is_open)
    d1[problem.demand[f]] = problem.minutes[f]
    near[problem.demand[f]] = problem.site[f]
    d2[problem.demand[s]] = problem.minutes[s]
    return d1, near, d2


def _first_two_open(problem: PMedianProblem, is_open: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of each point's first and second open pair (its nearest and second-nearest open site); pairs are
    sorted by point then minutes."""
    idx = np.flatnonzero(is_open[problem.site])
    if not idx.size:
        return idx, idx
    dem = problem.demand[idx]
    first = np.ones(idx.size, dtype=bool)
    first[1:] = dem[1:] != dem[:-1]
    second = np.zeros(idx.size, dtype=bool)
    second[1:] = first[:-1] & ~first[1:]
    return idx[first], idx[second]


def greedy(problem: PMedianProblem, p: int) -> np.ndarray:
    """p sites added one by one, each the one saving most persons × minutes (one pass over the pairs each)."""
    is_open = np.zeros(problem.n_sites, dtype=bool)
    d1 = problem.fallback.copy()
    for _ in range(min(p, problem.n_sites)):
        better = problem.minutes < d1[problem.demand]
        dem = problem.demand[better]
        gain = problem.weight[dem] * (d1[dem] - problem.minutes[better])
        save = np.bincount(problem.site[better], weights=gain, minlength=problem.n_sites)
        save[is_open] = -1.0
        j = int(np.argmax(save))  # ties: the lowest index, so the result is deterministic
        if save[j] <= 0:
            break
        is_open[j] = True
        sel = problem.site == j
        np.minimum.at(d1, problem.demand[sel], problem.minutes[sel])
    return np.flatnonzero(is_open)


def swap_search(problem: PMedianProblem, open_sites: np.ndarray, *, deadline: float = np.inf,
                allowed: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Best-improvement vertex substitution until no swap improves (or the deadline): (sites, cost).

    Whitaker's fast interchange, vectorised: with d1/d2 the nearest and second-nearest open minutes and φ(i)
    the nearest open site, swapping closed j in for open k changes the cost by −gain_j + loss_k − extra_jk,
    where gain_j = Σ_i w_i max(0, d1_i − t_ij), loss_k = Σ_{φ(i)=k} w_i (d2_i − d1_i) and extra_jk =
    Σ_{φ(i)=k, t_ij<d2_i} w_i (d2_i − max(t_ij, d1_i)). Only pairs with t_ij < d2_i enter, so one pass over
    those gives every swap. Sites outside ``allowed`` never come in.
    """
    n = problem.n_sites
    is_open = _mask(problem, open_sites)
    pos = np.full(n, -1, dtype=np.int64)
    w = problem.weight
    while True:
        d1, near, d2 = nearest(problem, is_open)
        cost = float(w @ d1)
        opened = np.flatnonzero(is_open)
        if time.perf_counter() > deadline or opened.size == 0 or opened.size == n:
            return opened, cost
        pos[:] = -1
        pos[opened] = np.arange(opened.size)
        has = near >= 0
        loss = np.bincount(pos[near[has]], weights=w[has] * (d2[has] - d1[has]), minlength=opened.size)
        sel = np.flatnonzero(problem.minutes < d2[problem.demand])
        sel = sel[~is_open[problem.site[sel]]]
        s, d, t = problem.site[sel], problem.demand[sel], problem.minutes[sel]
        gain = np.bincount(s, weights=w[d] * np.maximum(d1[d] - t, 0.0), minlength=n)
        k = near[d]
        ok = k >= 0
        extra = np.bincount(s[ok] * opened.size + pos[k[ok]],
                            weights=w[d[ok]] * (d2[d[ok]] - np.maximum(t[ok], d1[d[ok]])),
                            minlength=n * opened.size).reshape(n, opened.size)
        delta = loss[None, :] - gain[:, None] - extra
        closed = ~is_open if allowed is None else (~is_open & allowed)
        delta[~closed] = np.inf
        best = int(np.argmin(delta))  # ties: the first in (in, out) order, deterministic
        jin, kout = divmod(best, opened.size)
        if not delta[jin, kout] < -1e-9 * max(cost, 1.0):
            return opened, cost
        is_open[jin] = True
        is_open[opened[kout]] = False


@dataclass
class Lagrangian:
    """The Lagrangian relaxation on pairs truncated at R_i: multipliers λ (minutes) and what they give."""

    problem: PMedianProblem
    radius: np.ndarray  # R_i, minutes (≤ F_i)
    p: int
    lam: np.ndarray = field(init=False)
    keep: np.ndarray = field(init=False)  # pair indices with t < R_i (the truncated problem's pairs)
    s: np.ndarray = field(init=False)  # site, demand point, minutes and persons of each kept pair
    d: np.ndarray = field(init=False)
    t: np.ndarray = field(init=False)
    wd: np.ndarray = field(init=False)
    low: np.ndarray = field(init=False)  # minutes to each point's nearest kept pair (capped at R_i)

    def __post_init__(self) -> None:
        pr = self.problem
        self.keep = np.flatnonzero(pr.minutes < self.radius[pr.demand])
        # the truncated pairs, copied once: every step reads them all
        self.s, self.d, self.t = pr.site[self.keep], pr.demand[self.keep], pr.minutes[self.keep]
        self.wd = pr.weight[self.d]
        first = np.full(pr.n_demand, np.inf)
        np.minimum.at(first, self.d, self.t)
        self.low = np.minimum(first, self.radius)  # λ_i below the nearest pair only lowers L: never go there
        self.lam = self.low.copy()

    def evaluate(self, lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """(L(λ), ρ per site, the p chosen sites, the subgradient per point in persons)."""
        pr = self.problem
        lam_d = lam[self.d]
        act = np.flatnonzero(self.t < lam_d)
        s, d = self.s[act], self.d[act]
        rho = np.bincount(s, weights=self.wd[act] * (self.t[act] - lam_d[act]), minlength=pr.n_sites)
        chosen = np.argsort(rho, kind="stable")[: self.p]
        inside = np.zeros(pr.n_sites, dtype=bool)
        inside[chosen] = True
        served = np.bincount(d[inside[s]], minlength=pr.n_demand)
        value = float(pr.weight @ lam + rho[chosen].sum())
        return value, rho, chosen, pr.weight * (1.0 - served)

    def project(self, lam: np.ndarray) -> np.ndarray:
        """λ_i within [nearest pair, R_i]: above R_i the fallback min(F_i, R_i) caps the point's cost."""
        return np.clip(lam, self.low, self.radius)


def subgradient(lag: Lagrangian, upper: float, *, deadline: float, target_gap: float, max_iter: int = 4000,
                progress: Callable[[str], None] | None = None,
                on_sites: Callable[[np.ndarray], float] | None = None
                ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, int]:
    """Maximise L(λ) by projected, deflected subgradient steps of Polyak's length θ (UB − L) / ‖d‖².

    Steps are taken in u = w·λ (persons × minutes), where the subgradient is 1 − k_i (k_i: chosen sites nearer
    than λ_i), so heavy and light points move alike; the direction d deflects the subgradient by the previous
    one (Camerini, Fratta & Maffioli 1975) to damp zig-zagging. θ starts at 1 and halves after ``PATIENCE``
    steps without a better bound; the run stops at ``max_iter``, θ < 1e-5, the deadline, or when the gap to
    ``upper`` is within ``target_gap``. ``on_sites`` may price the Lagrangian's chosen sites as a plan and
    return a better upper bound. Returns (best L, its λ, ρ, chosen sites, steps).
    """
    w = np.maximum(lag.problem.weight, 1e-12)
    theta, stall, it = 1.0, 0, 0
    lam = lag.project(lag.lam)
    best = -np.inf
    best_lam = lam
    best_rho = best_chosen = None
    direction = np.zeros_like(lam)
    seen: set[bytes] = set()
    while it < max_iter and time.perf_counter() < deadline:
        it += 1
        value, rho, chosen, g = lag.evaluate(lam)
        if value > best + 1e-12 * abs(upper):
            best, best_lam, best_rho, best_chosen, stall = value, lam, rho, chosen, 0
        else:
            stall += 1
            if stall >= PATIENCE:
                theta, stall = theta / 2, 0
        if on_sites is not None and it % PRICE_EVERY == 0:
            key = np.sort(chosen).tobytes()
            if key not in seen:
                seen.add(key)
                upper = min(upper, on_sites(chosen))
        if upper - best <= target_gap * upper or theta < 1e-5:
            break
        gu = g / w
        if not gu.any():  # the relaxed solution is feasible: L is the optimum
            break
        dot = float(direction @ gu)
        beta = max(0.0, -1.5 * dot / float(direction @ direction)) if dot < 0 else 0.0
        direction = gu + beta * direction
        lam = lag.project(lam + theta * (upper - value) / float(direction @ direction) * direction / w)
        if progress and it % 200 == 0:
            share = (upper - best) / upper
            progress(f"p-median bound {best:,.1f}, plan {upper:,.1f} ({share:.4%}), step {it}")
    lag.lam = best_lam
    return best, best_lam, best_rho, best_chosen, it


@dataclass(frozen=True)
class Reduced:
    """What survives reduced-cost fixing: free sites, sites fixed open, pairs (indices) and points with
    fallback."""

    free: np.ndarray  # bool per site: may open
    fixed_open: np.ndarray  # bool per site: must open in any better plan
    pairs: np.ndarray  # indices into the problem's pairs
    fallback_ok: np.ndarray  # bool per point: its fallback may still be its best
    level: float  # every removed option forces a bound above this (persons × minutes)


def fix(lag: Lagrangian, bound: float, rho: np.ndarray, chosen: np.ndarray, level: float) -> Reduced:
    """Remove every site, pair and fallback whose forced Lagrangian bound exceeds ``level``.

    Forcing site j open when outside the chosen p: L + ρ_j − ρ_(p); forcing an open j closed: L − ρ_j +
    ρ_(p+1); forcing point i onto j: L + max(0, w_i (c_ij − λ_i)) (+ the site's own term if j is not chosen),
    with c_ij = min(t_ij, R_i); forcing i onto its fallback: L + w_i (min(F_i, R_i) − λ_i).
    """
    pr = lag.problem
    lam = lag.lam
    order = np.argsort(rho, kind="stable")
    p = min(lag.p, pr.n_sites)
    rho_p = rho[order[p - 1]] if p > 0 else 0.0
    rho_next = rho[order[p]] if p < pr.n_sites else np.inf
    inside = np.zeros(pr.n_sites, dtype=bool)
    inside[chosen] = True
    tol = FIX_RTOL * max(abs(level), 1.0)
    site_in = np.where(inside, bound, bound + rho - rho_p)  # bound with j forced open
    free = site_in <= level + tol
    fixed_open = inside & (bound - rho + rho_next > level + tol)
    c = np.minimum(pr.minutes, lag.radius[pr.demand])
    d = pr.demand
    pair_in = site_in[pr.site] + np.maximum(0.0, pr.weight[d] * (c - lam[d]))
    pairs = np.flatnonzero(free[pr.site] & (pair_in <= level + tol))
    fallback_ok = bound + pr.weight * (np.minimum(pr.fallback, lag.radius) - lam) <= level + tol
    return Reduced(free, fixed_open, pairs, fallback_ok, level)


def solve_reduced(problem: PMedianProblem, red: Reduced, p: int, incumbent: np.ndarray, *,
                  time_limit_s: float, gap: float, threads: int = 1, msg: bool = False
                  ) -> tuple[np.ndarray | None, float, str]:
    """The exact MILP on what fixing left, with HiGHS: (sites or None, proven bound of the reduced MILP,
    status).

    min Σ w_i t_ij x_ij + Σ w_i F_i z_i  s.t.  Σ_j x_ij + z_i = 1 (i), x_ij ≤ y_j (pairs), Σ_j y_j ≤ p, y
    binary (1 where fixed open), x, z ∈ [0, 1]. Every plan cheaper than ``red.level`` is feasible here at its
    own cost, so min(its bound, red.level) bounds the true problem.
    """
    pi = red.pairs
    sites = np.flatnonzero(red.free)
    col_of_site = np.full(problem.n_sites, -1, dtype=np.int64)
    col_of_site[sites] = np.arange(sites.size)
    n_y, n_x = sites.size, pi.size
    fb = np.flatnonzero(red.fallback_ok)
    n_z = fb.size
    d = problem.demand[pi]
    w = problem.weight
    n_d = problem.n_demand
    # points left with no option cannot be served below the level: no better plan exists
    options = np.bincount(d, minlength=n_d) + red.fallback_ok
    if (options == 0).any():
        return None, red.level, "no better plan: a demand point has no option left below the incumbent"
    n_col = n_y + n_x + n_z
    cost = np.concatenate([np.zeros(n_y), w[d] * problem.minutes[pi], w[fb] * problem.fallback[fb]])
    lower = np.zeros(n_col)
    lower[: n_y][red.fixed_open[sites]] = 1.0
    upper = np.ones(n_col)
    # rows: assignment (n_d, = 1), linking (n_x, x − y ≤ 0), count (1, Σ y ≤ p); built column-wise
    x_col = n_y + np.arange(n_x)
    z_col = n_y + n_x + np.arange(n_z)
    rows = np.concatenate([d, fb, n_d + np.arange(n_x), n_d + np.arange(n_x), np.full(n_y, n_d + n_x)])
    cols = np.concatenate([x_col, z_col, x_col, col_of_site[problem.site[pi]], np.arange(n_y)])
    vals = np.concatenate([np.ones(n_x + n_z), np.ones(n_x), -np.ones(n_x), np.ones(n_y)])
    order = np.lexsort((rows, cols))
    rows, cols, vals = rows[order], cols[order], vals[order]
    start = np.searchsorted(cols, np.arange(n_col + 1))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, n_d + n_x + 1
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_ = np.concatenate([np.ones(n_d), np.full(n_x, -highspy.kHighsInf), [-highspy.kHighsInf]])
    lp.row_upper_ = np.concatenate([np.ones(n_d), np.zeros(n_x), [float(p)]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_col, lp.num_row_
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = rows.astype(np.int32)
    lp.a_matrix_.value_ = vals
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_y + [highspy.HighsVarType.kContinuous] * (n_x + n_z)
    from healthplan.optimizer.solve import run_guarded, _swallow_banner, slow_first_lp

    if not msg:
        _swallow_banner()
    h = highspy.Highs()
    # the p-median's relaxation is as degenerate as a covering's: the first LP by interior point (the rule of
    # solve.slow_first_lp; the 2,000 × 300 anchor's last reduced MILP: 26 s → 16 s)
    root_lp = "ipx" if slow_first_lp(lp) else "simplex"
    for name, val in {"output_flag": msg, "time_limit": max(float(time_limit_s), 0.01),
                      "mip_rel_gap": float(gap), "threads": int(threads), "random_seed": RANDOM_SEED % 2**31,
                      "objective_bound": float(red.level), "mip_lp_solver": root_lp}.items():
        h.setOptionValue(name, val)
    h.passModel(lp)
    start_sol = _start(problem, red, incumbent, sites, col_of_site, pi, fb, n_col)
    if start_sol is not None:
        h.setSolution(len(start_sol), np.arange(n_col, dtype=np.int32), start_sol)
    stuck = run_guarded(h, max(float(time_limit_s), 0.01), lp)
    if stuck is not None:  # HiGHS did not return (solve.run_guarded): its last reported plan, unproven
        if "x" not in stuck:
            return None, -np.inf, "HiGHS: stuck past its time limit without a plan"
        x = np.asarray(stuck["x"], dtype=float)
        return sites[x[:n_y] > 0.5], -np.inf, "HiGHS: stuck past its time limit; its last plan kept"
    info = h.getInfo()
    model_status = h.getModelStatus()
    status = h.modelStatusToString(model_status)
    solved = model_status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)
    found = int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)
    if solved and not found:  # with the objective bound: the search ended, nothing is at or below the level
        return None, red.level, f"HiGHS: no plan at or below {red.level:,.1f}"
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else -np.inf
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    if not found or not sol.value_valid or x.size != n_col:
        return None, bound, f"HiGHS: {status} without a plan"
    return sites[x[:n_y] > 0.5], bound, f"HiGHS: {status}"


def _start(problem: PMedianProblem, red: Reduced, incumbent: np.ndarray, sites: np.ndarray,
           col_of_site: np.ndarray, pi: np.ndarray, fb: np.ndarray, n_col: int) -> np.ndarray | None:
    """The incumbent as a full start vector of the reduced MILP, or None if fixing removed part of it."""
    is_open = _mask(problem, incumbent)
    if not red.free[is_open].all():
        return None
    n_y, n_x = sites.size, pi.size
    x = np.zeros(n_col)
    x[col_of_site[incumbent]] = 1.0
    d1, near, _ = nearest(problem, is_open)
    # the nearest open pair of each point must be among the kept pairs (or its fallback kept)
    kept = np.full(problem.n_demand, -1, dtype=np.int64)
    hit = is_open[problem.site[pi]] & (problem.minutes[pi] == d1[problem.demand[pi]]) \
        & (problem.site[pi] == near[problem.demand[pi]])
    kept[problem.demand[pi[hit]]] = np.flatnonzero(hit)
    on_site = near >= 0
    if (on_site & (kept < 0)).any():
        return None
    fb_pos = np.full(problem.n_demand, -1, dtype=np.int64)
    fb_pos[fb] = np.arange(fb.size)
    if (~on_site & (fb_pos < 0)).any():
        return None
    x[n_y + kept[on_site]] = 1.0
    x[n_y + n_x + fb_pos[~on_site]] = 1.0
    return x


def perturbed_swaps(problem: PMedianProblem, inc: np.ndarray, upper: float, promising: np.ndarray, *,
                    rounds: int, deadline: float) -> tuple[np.ndarray, float, int]:
    """Iterated local search: trade a few open sites for random promising ones, swap search, keep the better.

    ``promising`` are the sites the Lagrangian ranks best (smallest ρ); the random draws come from a generator
    seeded with ``RANDOM_SEED``, so the result is deterministic. Returns (sites, cost, rounds done).
    """
    rng = np.random.default_rng(RANDOM_SEED)
    done = 0
    for done in range(1, rounds + 1):
        if time.perf_counter() >= deadline:
            return inc, upper, done - 1
        k = int(rng.integers(2, 5))
        outside = np.setdiff1d(promising, inc)
        if outside.size < k or inc.size < k:
            break
        kept = np.setdiff1d(inc, rng.choice(inc, k, replace=False))
        start = np.union1d(kept, rng.choice(outside, k, replace=False))
        sites, cost = swap_search(problem, start, deadline=deadline)
        if cost < upper - 1e-9 * upper:
            inc, upper = sites, cost
    return inc, upper, done


def popmusic(problem: PMedianProblem, inc: np.ndarray, upper: float, *, parts: int, deadline: float,
             sub_time_s: float) -> tuple[np.ndarray, float, int]:
    """Re-solve small neighbourhoods of the plan exactly (POPMUSIC, Taillard 2003): (sites, cost,
    improvements).

    A neighbourhood is an open site k and the ``parts`` − 1 open sites most of its points have as their second
    choice; its sub-problem holds the points those sites serve, every candidate within their reach, and as
    each point's fallback the nearer of its own and of the nearest open site outside the neighbourhood. The
    sub-problem is a p-median with p = its size, solved by :func:`solve_pmedian` (without neighbourhoods)
    within ``sub_time_s``; a better answer replaces the neighbourhood when the whole plan's true cost drops.
    Every open site seeds one neighbourhood, in order; an improvement queues its new sites again.
    """
    w = problem.weight
    is_open = _mask(problem, inc)
    queue = [int(k) for k in np.sort(inc)]
    improved = 0
    while queue and time.perf_counter() < deadline:
        k = queue.pop(0)
        if not is_open[k]:
            continue
        d1, near, _ = nearest(problem, is_open)
        near2 = _second_site(problem, is_open)
        mine = near == k
        mine &= near2 >= 0
        votes = np.bincount(near2[mine], weights=w[mine], minlength=problem.n_sites)
        votes[k] = 0.0
        others = np.argsort(-votes, kind="stable")[: parts - 1]
        part = np.union1d([k], others[votes[others] > 0])
        in_part = np.zeros(problem.n_sites, dtype=bool)
        in_part[part] = True
        outside, _, _ = nearest(problem, is_open & ~in_part)
        points = np.flatnonzero(np.isin(near, part))
        local_point = np.full(problem.n_demand, -1, dtype=np.int64)
        local_point[points] = np.arange(points.size)
        sel = np.flatnonzero((local_point[problem.demand] >= 0) & (problem.minutes < outside[problem.demand]))
        sites, local_site = np.unique(problem.site[sel], return_inverse=True)
        sub = PMedianProblem.from_pairs(w[points], outside[points], local_site,
                                        local_point[problem.demand[sel]],
                                        problem.minutes[sel], sites.size, part.size)
        before = sub.cost(np.flatnonzero(np.isin(sites, part)))
        res = solve_pmedian(sub, time_limit_s=min(sub_time_s, deadline - time.perf_counter()),
                            neighbourhoods=False)
        if res.cost >= before - 1e-9 * max(before, 1.0):
            continue
        trial = np.union1d(np.setdiff1d(np.flatnonzero(is_open), part), sites[res.open_sites])
        cost = problem.cost(trial)
        if cost < upper - 1e-9 * upper:
            inc, upper, improved = trial, cost, improved + 1
            is_open = _mask(problem, inc)
            queue += [int(j) for j in sites[res.open_sites] if int(j) not in queue]
    return inc, upper, improved


def _second_site(problem: PMedianProblem, is_open: np.ndarray) -> np.ndarray:
    """Per demand point, its second-nearest open site (−1 when it has none among its pairs)."""
    out = np.full(problem.n_demand, -1, dtype=np.int64)
    _, s = _first_two_open(problem, is_open)
    out[problem.demand[s]] = problem.site[s]
    return out


def close_gap(lag: Lagrangian, lag_bound: float, rho: np.ndarray, chosen: np.ndarray, inc: np.ndarray,
              upper: float, *, gap: float, deadline: float, threads: int, msg: bool,
              progress: Callable[[str], None] | None, stats: dict[str, float]
              ) -> tuple[np.ndarray, float, float, str]:
    """Raise the bound level by level with exact MILPs on what fixing leaves: (sites, cost, bound, note).

    Level ℓ between the Lagrangian bound L and the incumbent: fixing at ℓ keeps every plan cheaper than ℓ, so
    the reduced MILP (with HiGHS's objective bound ℓ) either finds the best plan below ℓ — the optimum — or
    proves none exists, and then ℓ is a bound. Levels L·(1 + δ), δ = ``FIRST_LEVEL`` doubling, keep the MILPs
    small (few sites survive near L) and often meet the optimum before the incumbent's level, whose MILP is
    the largest; the last level is the incumbent itself (less the requested gap).
    """
    pr = lag.problem
    bound, notes = lag_bound, []
    share = FIRST_LEVEL
    while True:
        target = upper * (1.0 - gap)
        if bound >= target - FIX_RTOL * abs(target) or time.perf_counter() >= deadline:
            break
        level = min(target, lag_bound * (1.0 + share))
        share *= 2
        red = fix(lag, lag_bound, rho, chosen, level)
        stats.update(free_sites=float(red.free.sum()), fixed_open=float(red.fixed_open.sum()),
                     milp_pairs=float(red.pairs.size), level=level)
        if progress:
            left = f"{int(red.free.sum())} sites and {red.pairs.size:,} pairs left"
            progress(f"p-median level {level:,.1f}: {left}")
        if red.pairs.size > MILP_MAX_PAIRS:
            notes.append(f"{red.pairs.size:,} pairs left below {level:,.1f}: MILP not tried")
            break
        sites, milp_bound, note = solve_reduced(pr, red, lag.p, inc,
                                                time_limit_s=deadline - time.perf_counter(), gap=gap,
                                                threads=threads, msg=msg)
        notes.append(f"below {level:,.1f}: {note}")
        if sites is not None:
            c = pr.cost(sites)
            if c < upper:
                inc, upper = sites, c
        bound = max(bound, min(milp_bound, level))
        stats["milp_bound"] = milp_bound
        if milp_bound < level - FIX_RTOL * abs(level):  # stopped inside (time) or found the optimum below ℓ
            break
    return inc, upper, min(bound, upper), "; " + "; ".join(notes) if notes else ""


def solve_pmedian(problem: PMedianProblem, *, time_limit_s: float = 300.0, gap: float = 0.0, threads: int = 1,
                  msg: bool = False, progress: Callable[[str], None] | None = None,
                  neighbourhoods: bool = True) -> PMedianResult:
    """Least Σ_i w_i · min(F_i, nearest open minutes) over at most p sites, with a proven bound.

    ``gap`` is the relative gap at which to stop (0: prove the optimum); ``time_limit_s`` bounds the whole
    run; ``neighbourhoods`` lets :func:`popmusic` use the time left when a gap remains. Deterministic when no
    time limit cuts a step: the same problem gives the same sites.
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s)
    pr = problem
    p = min(pr.p, pr.n_sites)
    stats: dict[str, float] = {"pairs": float(pr.minutes.size), "sites": float(pr.n_sites), "p": float(p)}
    if p in (0, pr.n_sites) or pr.minutes.size == 0:  # none or every candidate opens, or none can help anyone
        sites = np.arange(pr.n_sites) if pr.minutes.size and p else np.arange(0)
        c = pr.cost(sites)
        return PMedianResult(sites, c, c, 0.0, True, time.perf_counter() - t0, stats, "trivial")
    if progress:
        progress(f"p-median: {pr.n_demand:,} points, {pr.n_sites:,} sites, {pr.minutes.size:,} pairs, "
                 f"p = {p}")
    start = greedy(pr, p)
    inc, upper = swap_search(pr, start, deadline=deadline)
    stats["greedy_s"] = time.perf_counter() - t0

    best_set = [np.inf]  # cost of the best Lagrangian set seen so far

    def price(chosen: np.ndarray) -> float:
        """A Lagrangian set nearly as cheap as the cheapest so far starts a swap search (late sets are
        good)."""
        nonlocal inc, upper
        c = pr.cost(chosen)
        if c < best_set[0] * (1.0 + PRICE_WITHIN):
            best_set[0] = min(best_set[0], c)
            s, c = swap_search(pr, chosen, deadline=deadline)
            if c < upper - 1e-9 * upper:
                inc, upper = s, c
                if progress:
                    progress(f"p-median plan {upper:,.1f} from the Lagrangian sites")
        return upper

    _, _, d2 = nearest(pr, _mask(pr, inc))
    radius = np.minimum(pr.fallback, RADIUS_FACTOR * d2)
    lag = Lagrangian(pr, radius, p)
    stats["lagrangian_pairs"] = float(lag.keep.size)
    bound, _, rho, chosen, steps = subgradient(lag, upper, deadline=deadline, target_gap=gap,
                                               progress=progress, on_sites=price)
    stats.update(lagrangian_steps=float(steps), lagrangian_bound=bound, lagrangian_s=time.perf_counter() - t0)
    message = f"Lagrangian bound after {steps} steps"
    if rho is not None:
        inc, upper, bound, note = close_gap(lag, bound, rho, chosen, inc, upper, gap=gap, deadline=deadline,
                                            threads=threads, msg=msg, progress=progress, stats=stats)
        message += note
        if _gap_open(upper, bound, gap) and time.perf_counter() < deadline:
            promising = np.argsort(rho, kind="stable")[: PROMISING_FACTOR * p]
            inc, upper, rounds = perturbed_swaps(pr, inc, upper, promising, rounds=PERTURB_ROUNDS,
                                                 deadline=deadline)
            stats["perturbed_rounds"] = float(rounds)
            message += f"; {rounds} perturbed swap searches"
        if neighbourhoods and _gap_open(upper, bound, gap) and time.perf_counter() < deadline:
            if progress:
                progress(f"p-median plan {upper:,.1f}: neighbourhoods of {POPMUSIC_PARTS} sites re-solved")
            inc, upper, better = popmusic(pr, inc, upper, parts=POPMUSIC_PARTS, deadline=deadline,
                                          sub_time_s=POPMUSIC_SUB_S)
            stats["neighbourhoods_improved"] = float(better)
            message += f"; {better} neighbourhoods improved"
    bound = min(bound, upper)
    g = (upper - bound) / upper if upper > 0 else 0.0
    return PMedianResult(np.sort(inc), upper, bound, g, not _gap_open(upper, bound, gap),
                         time.perf_counter() - t0, stats, message)


def _gap_open(upper: float, bound: float, gap: float) -> bool:
    """Whether plan ``upper`` is still more than ``gap`` above ``bound``, beyond floating-point slack: a MILP
    proving the optimum returns its bound 10⁻⁹ below the plan's cost (HiGHS's tolerances), and must not set off
    the searches for a better plan."""
    return upper - bound > gap * upper + FIX_RTOL * max(abs(upper), 1.0)
