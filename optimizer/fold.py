"""Exact tie-breaking: fold the last lexicographic stage into the one before it when that is provably safe.

The lexicographic plan maximises a primary objective P (coverage, in weighted persons), then minimises a
secondary one S (cost, 万元) with P held (min-budget mode: least cost first, most coverage second — the same
with signs flipped). Solving S as a stage of its own repeats the whole search with a weak bound (the 3-year
demo's cost stage took twice the coverage stage). Instead one solve of ``P − ε·S`` gives the same plan when:

1. **P has a known granularity g**: every plan's P is a whole multiple of g (plus a constant). That holds
   when every coefficient of P is a multiple of g (found as gcd of the coefficients scaled by the least
   D ≤ 720 that makes them whole; populations are whole persons) and the values the variables of P take at an
   optimum are whole: integer variables are; continuous covering variables are when the structure below holds.
2. **S has a finite range R** over all plans (its terms' bounds; for cost also the budget row), and
   **ε · R < g**. We take ε = g / (2R).

Proof (maximising P). Let (P*, S*) be the lexicographic optimum and x_f an optimum of P − εS. Then P_f − εS_f
≥ P* − εS*, so 0 ≤ P* − P_f ≤ ε(S_f − S*) ≤ εR < g; as P* − P_f is a whole multiple of g, P_f = P*, and then
S_f ≤ S*, so S_f = S* (S* is least among plans with P = P*). Any plan that is not lexicographically optimal
scores at least min(g − εR, ε·g_S) = min(g/2, ε·g_S) worse (g_S the granularity of S), so a solver stopping
within an absolute gap below that returns a lexicographic optimum: we hand it that gap and fold only when
ε·g_S is not lost in the solver's tolerances (R/g_S ≤ ``MAX_STEPS``) and the stage is asked for a proven
optimum (relative gap 0).

Continuous covering variables (``c ≤ supply``, MEXCLP levels ``Σ_k y_k ≤ supply``, p-median assignments) take
whole values at an optimum when, for integer decisions, the best completion is whole. We check a sufficient
structure on the model's matrix: every continuous variable of P has whole bounds, a positive coefficient (it
is wanted larger), and appears (a) in at most one *cap* row — a ≤ row whose continuous entries are all +1 and
all variables of P, whose integer entries and right-hand side are whole — and (b) otherwise only in rows that
raising it can only help (≥ rows with a coefficient ≥ 0, ≤ rows with one ≤ 0); a cap row with several
continuous members (MEXCLP levels, p-median assignments) must be their only row. Raising every such variable
to its cap then keeps a plan feasible and gives the best P for its decisions; a cap on one variable is a whole
number, and several variables under one whole cap with bounds [0, 1] are filled greedily, by whole units. When
P has continuous variables S must hold integer variables only, so the completion does not trade P against S (a
P of integer variables only, like cost in min-budget mode, needs neither condition). Anything else keeps the
stage.

**Within the stage tolerance** (no granularity). MEXCLP weights (1 − q) q^k with a measured busy fraction q have
no granularity, so the first proof does not apply. The staged path holds the primary only within its tolerance
δ = ``objective.tolerance`` × |P*| (row ``hold_<stage>``) anyway. With ε = δ_P / (2R) and a solver stopping
within an absolute gap a ≤ ε·g_S/2: for the primary, P* − P_f ≤ ε(S_f − S*) + a ≤ εR + a < δ_P, the stage's
own tolerance; for the secondary, every plan x with P(x) ≥ P_f has ε(S_f − S(x)) ≤ P_f − P(x) + a ≤ a, so
S_f ≤ S(x) + g_S/2, hence S_f ≤ S(x) (S moves in whole steps g_S). The folded plan is therefore within the
tolerance on the primary and the best secondary among all plans at least as good on the primary: a point of the
Pareto frontier, never a plan that gives away primary for secondary at more than ε per unit (the staged path
may trade up to δ_P of the primary for any saving). δ_P is taken from a plan already in hand (the previous
stage's, a bound on P* from the safe side), so it never exceeds the staged path's slack. A secondary without
granularity (coverage in min-budget mode) is optimised the same way to within its own tolerance δ_S in place of
g_S, with the primary exact by the first proof.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_DENOMINATOR = 720  # coefficients that are multiples of 1/D for some D ≤ 720 (year weights 1/6, 1/15, …)
WHOLE_RTOL = 1e-9  # relative distance to a whole number that still counts as whole (float noise of p·w_t·D)
MAX_STEPS = 500_000  # fold only if S spans at most this many of its steps (ε·g_S ≥ g/10⁶: above tolerances)
MIN_ABS_GAP = 1e-6  # HiGHS's default mip_abs_gap: a tie-breaker finer than this is lost in the solver's tolerance


@dataclass(frozen=True)
class Fold:
    """How a stage pair is folded: ``primary − sense·epsilon·secondary`` solved once, within ``abs_gap``."""

    epsilon: float  # per unit of the secondary objective, in units of the primary
    granularity: float  # g: every plan's primary value is a whole multiple of g (0: none known)
    secondary_range: float  # R: most the secondary objective can differ between two plans
    abs_gap: float  # absolute gap (primary units) within which the folded optimum is still lexicographic
    primary_loss: float = 0.0  # most the primary may fall short of its optimum (0: exact; else < δ_P)
    secondary_step: float = 0.0  # resolution of the secondary: its granularity, or its tolerance δ_S
    approx_s: bool = False  # the secondary has no granularity: optimised to within ``secondary_step`` / 2

    @property
    def exact(self) -> bool:
        """Whether the fold gives the lexicographic optimum itself (no tolerance on either objective)."""
        return self.primary_loss == 0.0 and self.granularity > 0 and self.secondary_step > 0 and not self.approx_s


def granularity(coefs: np.ndarray) -> float | None:
    """The largest g such that every coefficient is a whole multiple of g (g = gcd / D, D ≤ MAX_DENOMINATOR).

    ``None`` when no such D exists (e.g. MEXCLP weights (1 − q) q^k with a measured busy fraction q).
    """
    vals = np.unique(np.abs(np.asarray(coefs, dtype=float)))
    vals = vals[vals > 0]
    if not len(vals) or not np.all(np.isfinite(vals)):
        return None
    d = denominator(vals)
    if d is None:
        return None
    scaled = np.rint(vals * d)
    if scaled.max() > 2**53:
        return None
    return float(np.gcd.reduce(scaled.astype(np.int64))) / d if len(scaled) > 1 else float(scaled[0]) / d


def denominator(values: np.ndarray) -> int | None:
    """The least D ≤ ``MAX_DENOMINATOR`` such that D × every value is a whole number, or ``None``."""
    vals = np.asarray(values, dtype=float)
    probe = vals[:32]  # most denominators fail on the first few values: test those before all of them
    for d in range(1, MAX_DENOMINATOR + 1):
        if _whole(probe * d) and _whole(vals * d):
            return d
    return None


def _whole(x: np.ndarray) -> bool:
    return bool(np.all(np.abs(x - np.rint(x)) <= WHOLE_RTOL * np.maximum(1.0, np.abs(x))))


def whole_at_optimum(start: np.ndarray, index: np.ndarray, value: np.ndarray, row_lower: np.ndarray,
                     row_upper: np.ndarray, integer: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray,
                     primary: np.ndarray) -> bool:
    """True when the continuous variables of the primary objective take whole values at an optimum.

    The matrix is row-wise (``start``, ``index``, ``value``); ``primary`` is each column's coefficient in the
    objective being maximised. See the module docstring for the structure checked.
    """
    n_rows = len(row_lower)
    cont = ~integer
    in_p = primary != 0
    pc = cont & in_p
    if not pc.any():
        return True
    if np.any(primary[pc] < 0):
        return False
    lo, up = col_lower[pc], col_upper[pc]
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(up)) and _whole(lo) and _whole(up)):
        return False
    row = np.repeat(np.arange(n_rows), np.diff(start))
    col = index
    is_cont = cont[col]
    # cap rows: ≤ rows (no lower side) with a whole right-hand side, continuous entries all +1 on primary
    # columns, whole coefficients on integer columns
    cont_ok = ~is_cont | ((value == 1.0) & pc[col])
    int_ok = is_cont | (np.abs(value - np.rint(value)) <= WHOLE_RTOL * np.maximum(1.0, np.abs(value)))
    bad = np.bincount(row, weights=(~(cont_ok & int_ok)).astype(float), minlength=n_rows) > 0
    n_cont = np.bincount(row, weights=is_cont.astype(float), minlength=n_rows)
    finite_up = np.where(np.isfinite(row_upper), row_upper, 0.0)
    up_whole = np.isfinite(row_upper) & (np.abs(finite_up - np.rint(finite_up))
                                         <= WHOLE_RTOL * np.maximum(1.0, np.abs(finite_up)))
    cap_row = ~bad & (n_cont >= 1) & ~np.isfinite(row_lower) & up_whole
    # each entry of a continuous primary column: in a cap row, or in a row that raising the column only helps
    sel = pc[col]
    r, c, v = row[sel], col[sel], value[sel]
    on_cap = cap_row[r]
    helps = ((np.isfinite(row_lower[r]) & ~np.isfinite(row_upper[r]) & (v >= 0))
             | (~np.isfinite(row_lower[r]) & np.isfinite(row_upper[r]) & (v <= 0)))
    n_col = len(primary)
    n_cap = np.bincount(c, weights=on_cap.astype(float), minlength=n_col)
    n_other = np.bincount(c, weights=(~on_cap & ~helps).astype(float), minlength=n_col)
    n_help = np.bincount(c, weights=(~on_cap & helps).astype(float), minlength=n_col)
    if np.any(n_other[pc] > 0) or np.any(n_cap[pc] > 1):
        return False
    shared = on_cap & (n_cont[r] >= 2)  # several variables under one cap: that cap must be their only row
    return not np.any(n_help[c[shared]] > 0)


def make_fold(primary_coefs: np.ndarray, secondary_coefs: np.ndarray, secondary_range: float, *,
              whole_primary: bool = True, primary_tolerance: float | None = None,
              secondary_tolerance: float | None = None) -> Fold | None:
    """The fold of a stage pair, or ``None`` when neither proof of the module docstring applies.

    ``primary_coefs``/``secondary_coefs`` are the objectives' coefficients (any order); ``secondary_range``
    bounds how far the secondary objective can differ between two feasible plans. ``whole_primary`` says the
    primary's variables take whole values at an optimum (needed for its granularity to count);
    ``primary_tolerance``/``secondary_tolerance`` are the absolute tolerances δ_P, δ_S of the staged path (in
    each objective's units), used when an objective has no granularity.
    """
    g = granularity(primary_coefs) if whole_primary else None
    g_s = granularity(secondary_coefs)
    step_s = g_s if g_s is not None else secondary_tolerance
    if step_s is None or step_s <= 0 or not np.isfinite(secondary_range) or secondary_range < 0:
        return None
    r = max(float(secondary_range), step_s)
    if r / step_s > MAX_STEPS:
        return None
    if g is not None:
        eps = g / (2.0 * r)
        return Fold(epsilon=eps, granularity=g, secondary_range=r, abs_gap=0.5 * min(g / 2.0, eps * step_s),
                    secondary_step=step_s, approx_s=g_s is None)
    if primary_tolerance is None or primary_tolerance <= 0:
        return None
    eps = primary_tolerance / (2.0 * r)
    gap = 0.5 * eps * step_s  # ≤ εR/2: the primary's loss εR + a stays below δ_P
    if gap < MIN_ABS_GAP:
        return None  # δ_P too small for the secondary to register (e.g. sized from an empty plan)
    return Fold(epsilon=eps, granularity=0.0, secondary_range=r, abs_gap=gap, primary_loss=eps * r + gap,
                secondary_step=step_s, approx_s=g_s is None)
