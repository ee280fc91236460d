"""Covering rows implied by other covering rows (optimizer/implied_rows.py): which rows go, and that the optimum,
checked by HiGHS on the full model, stays the same."""

from __future__ import annotations

import numpy as np
import pulp
import pytest
import scipy.sparse as sp

from healthplan.optimizer import implied_rows
from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.implied_rows import implied_covering_rows
from healthplan.optimizer.solve import highs_model, solve, without_implied_rows
from healthplan.optimizer.status import Status

INF = np.inf


@pytest.fixture(autouse=True)
def every_size(monkeypatch):
    monkeypatch.setattr(implied_rows, "MIN_COVERING_ROWS", 0)


def rows_of(sets: list[list[int]], n: int) -> sp.csr_matrix:
    r = [i for i, s in enumerate(sets) for _ in s]
    c = [j for s in sets for j in s]
    return sp.csr_matrix((np.ones(len(c)), (r, c)), shape=(len(sets), n))


def test_supersets_and_repeats_of_a_row_go_the_first_stays():
    a = rows_of([[0, 1], [0, 1, 2], [2], [0, 1], [3, 4]], 5)
    # upper bounds 2 (vehicles): Σ_{2} x ≥ 1 forces nothing
    drop = implied_covering_rows(a, np.ones(5), np.full(5, INF), np.zeros(5), np.full(5, 2.0))
    assert drop.tolist() == [False, True, False, True, False]


def test_a_row_with_one_binary_fixes_it_and_rows_through_it_are_then_met():
    """Σ_{2} x ≥ 1 with x_2 ≤ 1 forces x_2 = 1: the row {0, 1, 2} is then met by x_2 alone (need 0), so it is
    no covering row (HiGHS's presolve removes it); {0, 1} and its repeat remain one covering row."""
    a = rows_of([[0, 1], [0, 1, 2], [2], [0, 1]], 3)
    drop = implied_covering_rows(a, np.ones(4), np.full(4, INF), np.zeros(3), np.ones(3))
    assert drop.tolist() == [False, False, False, True]


def test_a_larger_need_is_not_implied_by_a_smaller_one():
    a = rows_of([[0, 1], [0, 1, 2]], 3)
    # Σ_{0,1} x ≥ 1 does not give Σ_{0,1,2} x ≥ 2; Σ_{0,1} x ≥ 2 does
    assert not implied_covering_rows(a, np.array([1.0, 2.0]), np.full(2, INF), np.zeros(3), np.full(3, 2.0)).any()
    drop = implied_covering_rows(a, np.array([2.0, 2.0]), np.full(2, INF), np.zeros(3), np.full(3, 2.0))
    assert drop.tolist() == [False, True]


def test_the_models_form_c_minus_sum_x_with_c_forced_by_a_full_target():
    """Rows c_h − Σ x ≤ 0 (columns x0..x2, then c0..c2) and the target row Σ P_h c_h ≥ Σ P_h that forces c = 1."""
    cover = sp.lil_matrix((4, 6))
    for h, sites in enumerate([[0], [0, 1], [1, 2]]):
        cover[h, 3 + h] = 1.0
        for j in sites:
            cover[h, j] = -1.0
    cover[3, 3:] = [100.0, 50.0, 25.0]
    a = cover.tocsr()
    lower = np.array([-INF, -INF, -INF, 175.0])
    upper = np.array([0.0, 0.0, 0.0, INF])
    drop = implied_covering_rows(a, lower, upper, np.zeros(6), np.ones(6))
    assert drop.tolist() == [False, True, False, False]  # {0} ⊆ {0, 1}
    # a target below the whole population forces nothing: no row is a covering row
    lower[3] = 174.0
    assert not implied_covering_rows(a, lower, upper, np.zeros(6), np.ones(6)).any()


@pytest.mark.parametrize("case", ["mixed coefficients", "negative lower bound", "equality"])
def test_rows_that_are_not_covering_rows_stay(case):
    a = rows_of([[0, 1], [0, 1, 2]], 3).tolil()
    lower, upper, col_lower = np.ones(2), np.full(2, INF), np.zeros(3)
    if case == "mixed coefficients":
        a[1, 2] = 2.0
    elif case == "negative lower bound":
        col_lower[2] = -1.0
    else:
        upper[1] = 1.0
    assert not implied_covering_rows(a.tocsr(), lower, upper, col_lower, np.ones(3)).any()


def set_cover(seed: int, n_rows: int, n_sites: int, radius: float) -> pulp.LpProblem:
    """A set cover as the model writes it: c_h ≤ Σ x, c_h fixed to 1 through a full-coverage row, cost per site."""
    rng = np.random.default_rng(seed)
    pts, sites = rng.uniform(0, 100, (n_rows, 2)), rng.uniform(0, 100, (n_sites, 2))
    near = np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)) <= radius
    near[np.arange(n_rows), np.argmin(np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)), 1)] = True
    pop = rng.integers(1, 50, n_rows)
    prob = pulp.LpProblem("cover", pulp.LpMinimize)
    x = [prob.add_variable(f"x{j:03d}", cat=pulp.LpBinary) for j in range(n_sites)]
    c = [prob.add_variable(f"c{i:04d}", 0, 1) for i in range(n_rows)]
    prob += pulp.lpSum(float(k) * v for k, v in zip(rng.integers(1, 4, n_sites), x, strict=True))
    for i in range(n_rows):
        prob += c[i] <= pulp.lpSum(x[j] for j in np.flatnonzero(near[i]))
    prob += pulp.lpSum(float(p) * v for p, v in zip(pop, c, strict=True)) >= float(pop.sum())
    return prob


def _site_sets(lp, names: list[str]) -> list[frozenset[str]]:
    """The sites (column names with coefficient −1) of each row but the last (the full-coverage row)."""
    m = sp.csr_matrix((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_),
                       np.asarray(lp.a_matrix_.start_)), shape=(lp.num_row_, lp.num_col_))
    out = []
    for i in range(lp.num_row_ - 1):
        cols, vals = m.indices[m.indptr[i]:m.indptr[i + 1]], m.data[m.indptr[i]:m.indptr[i + 1]]
        out.append(frozenset(names[j] for j in cols[vals < 0]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_same_optimum_and_every_dropped_row_implied_by_a_kept_one(seed, monkeypatch):
    prob = set_cover(seed, 300, 40, 22.0)
    model = highs_model(prob)
    names = [v.name for v in model.columns]
    reduced, n = without_implied_rows(model)
    assert n > 0 and reduced.lp.num_row_ == model.lp.num_row_ - n
    sites, kept = _site_sets(model.lp, names), _site_sets(reduced.lp, names)
    assert set(kept) <= set(sites)
    for s in set(sites) - set(kept):  # every row that went has a kept row whose sites it includes
        assert any(k <= s for k in kept), sorted(s)
    found = {}
    for reduce in (False, True):
        monkeypatch.setattr(implied_rows, "MIN_COVERING_ROWS", 0 if reduce else 10**9)
        p = set_cover(seed, 300, 40, 22.0)
        res = solve(p, SolverConfig(), 60.0)
        assert res.status == Status.OPTIMAL
        found[reduce] = res.objective
        chosen = {v.name for v in p.variables() if v.name.startswith("x") and v.varValue > 0.5}
        assert all(s & chosen for s in sites)  # the plan covers every row of the full model
    assert found[True] == pytest.approx(found[False], abs=1e-9)
