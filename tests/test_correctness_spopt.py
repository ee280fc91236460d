"""MCLP and LSCP special cases equal PySAL spopt 0.7 (seeded random instances, spopt's San Francisco data).

With only blood points enabled, unit cost 1 and budget p, the model is the classic maximal covering location
problem (Church & ReVelle 1974); ``min_budget`` with ``target_coverage = 1.0`` is the set-covering problem
(LSCP). spopt is a test dependency and is called with HiGHS through PuLP; the brute force in
tests/independent.py is checked against spopt first, so a disagreement with the optimizer points at the
optimizer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pulp
import pytest

import independent as ind
from healthplan.optimizer.config import BloodConfig, OptimizerConfig, ResourcesConfig, StandardRule
from healthplan.optimizer.status import Status

spopt_locate = pytest.importorskip("spopt.locate", reason="spopt (test dependency) is not installed")

# ../shared/benchmarks/spopt_sf_stores/README.md: covered POP2000 with S = 5000 m for p = 1 … 8 (spopt 0.7 +
# HiGHS)
SF_MCLP_COVERED = {1: 448_255, 2: 671_938, 3: 791_499, 4: 875_247,
                   5: 927_402, 6: 941_462, 7: 950_428, 8: 955_113}
SF_LSCP_FACILITIES = 8
SF_RADIUS = 5000.0  # metres, used as "minutes"


def _solver() -> pulp.LpSolver:
    return pulp.HiGHS(msg=False)


def spopt_mclp(cost: np.ndarray, weights: np.ndarray, radius: float, p: int) -> float:
    """Covered weight of spopt's MCLP optimum (cost is demand × sites)."""
    with warnings.catch_warnings():  # spopt builds LpVariable directly: PuLP 3.3 deprecation noise, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        model = spopt_locate.MCLP.from_cost_matrix(cost, weights, service_radius=radius, p_facilities=p)
        model.solve(_solver())
    return float(pulp.value(model.problem.objective))


def spopt_lscp(cost: np.ndarray, radius: float) -> int:
    """Number of facilities of spopt's LSCP optimum (cost is demand × sites)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model = spopt_locate.LSCP.from_cost_matrix(cost, service_radius=radius)
        model.solve(_solver())
    return round(pulp.value(model.problem.objective))


def random_cost(seed: int, n_demand: int = 10, n_sites: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean minutes (demand × sites) in a 60-minute square and integer weights 100 … 5,000 persons."""
    rng = np.random.default_rng(seed)
    d = rng.uniform(0, 60, size=(n_demand, 2))
    s = rng.uniform(0, 60, size=(n_sites, 2))
    cost = np.hypot(d[:, None, 0] - s[None, :, 0], d[:, None, 1] - s[None, :, 1])
    return np.round(cost, 3), rng.integers(100, 5001, size=n_demand)


def mclp_instance(make_instance, cost: np.ndarray, weights: np.ndarray):
    """Blood-only Instance from a demand × sites cost matrix: every site a greenfield candidate."""
    demand = pd.DataFrame({"population": weights.astype(int)},
                          index=pd.Index([f"d{i:03d}" for i in range(len(weights))]))
    sites = pd.DataFrame({"level": ["candidate"] * cost.shape[1]},
                         index=pd.Index([f"s{j:02d}" for j in range(cost.shape[1])]))
    return make_instance(demand, sites, cost.T)


def blood_cfg(radius: float, *, budget: float | None = None, target: float | None = None) -> OptimizerConfig:
    """Only blood points, unit cost 1, no minimum-points standard: MCLP (budget p) or LSCP (target 1.0)."""
    res = ResourcesConfig(
        blood=BloodConfig(access_minutes=radius, unit_cost_wan=1.0, min_points_rule=StandardRule(mode="off"),
                          target_coverage=target),
        ambulance={"enabled": False}, fever={"enabled": False}, subcentre={"enabled": False},
    )
    return OptimizerConfig(resources=res, budget_wan=budget)


def sf_data(shared_dir) -> tuple[np.ndarray, np.ndarray]:
    """The canonical 205 × 16 network-distance matrix (metres) and POP2000 weights, in the same row order."""
    folder = shared_dir / "benchmarks" / "spopt_sf_stores"
    if not folder.is_dir():
        pytest.skip(f"../shared absent: {folder} not found")
    cost = pd.read_csv(folder / "cost_matrix_205x16_canonical.csv", index_col=0)
    weights = pd.read_csv(folder / "weights_205_canonical.csv", index_col=0)["POP2000"]
    assert (cost.index == weights.index).all()
    return cost.to_numpy(dtype=float), weights.to_numpy(dtype=int)


# --- the independent code agrees with spopt (always runs) ---------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_bruteforce_mclp_agrees_with_spopt(seed, p):
    cost, w = random_cost(seed)
    radius = 15.0 + 2 * seed
    best, _ = ind.mclp_bruteforce(cost <= radius, w, p)
    assert best == pytest.approx(spopt_mclp(cost, w, radius, p))


@pytest.mark.parametrize("seed", range(5))
def test_bruteforce_lscp_agrees_with_spopt(seed):
    cost, _ = random_cost(seed)
    radius = float(np.sort(cost.min(axis=1))[-1]) + 1.0  # every point coverable
    assert ind.lscp_bruteforce(cost <= radius) == spopt_lscp(cost, radius)


def test_enumerator_is_mclp_on_blood_only(make_instance):
    # the general enumerator with blood only, unit cost 1, budget p reduces to the MCLP brute force
    cost, w = random_cost(7)
    inst = mclp_instance(make_instance, cost, w)
    for p in (1, 2, 3):
        best = ind.brute_force(ind.prepare(inst, blood_cfg(18.0, budget=p)))
        assert best.weighted_coverage == pytest.approx(ind.mclp_bruteforce(cost <= 18.0, w, p)[0])


def test_sf_bruteforce_reproduces_readme_table(shared_dir):
    cost, w = sf_data(shared_dir)
    cover = cost <= SF_RADIUS
    for p in (1, 2, 3, 4):
        assert ind.mclp_bruteforce(cover, w, p)[0] == SF_MCLP_COVERED[p]
    assert ind.lscp_bruteforce(cover) == SF_LSCP_FACILITIES
    assert w.sum() == SF_MCLP_COVERED[8]  # p = 8 covers everyone (the LSCP size)


# --- the optimizer agrees with spopt ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_optimizer_mclp_equals_spopt_random(opt, make_instance, seed, p):
    cost, w = random_cost(seed, n_demand=25, n_sites=10)
    radius = 14.0 + seed
    inst = mclp_instance(make_instance, cost, w)
    plan = opt.optimize(inst, blood_cfg(radius, budget=float(p)))
    assert plan.solve.status == Status.OPTIMAL
    assert plan.coverage_summary(inst.demand["population"])["blood"]["after"] == pytest.approx(
        spopt_mclp(cost, w, radius, p)
    )
    assert len(plan.items) <= p and plan.spent_wan <= p + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_optimizer_lscp_equals_spopt_random(opt, make_instance, seed):
    cost, w = random_cost(seed, n_demand=25, n_sites=10)
    radius = float(np.sort(cost.min(axis=1))[-1]) + 0.5
    inst = mclp_instance(make_instance, cost, w)
    plan = opt.min_budget(inst, blood_cfg(radius, target=1.0))
    assert plan.solve.status == Status.OPTIMAL
    assert plan.spent_wan == pytest.approx(spopt_lscp(cost, radius))
    assert plan.coverage_summary(inst.demand["population"])["blood"]["after"] == pytest.approx(w.sum())


def test_sf_spopt_reference_value(shared_dir):
    cost, w = sf_data(shared_dir)
    assert spopt_mclp(cost, w, SF_RADIUS, 4) == pytest.approx(SF_MCLP_COVERED[4])


@pytest.mark.parametrize("p", sorted(SF_MCLP_COVERED))
def test_sf_optimizer_mclp(opt, make_instance, shared_dir, p):
    cost, w = sf_data(shared_dir)
    inst = mclp_instance(make_instance, cost, w)
    plan = opt.optimize(inst, blood_cfg(SF_RADIUS, budget=float(p)))
    assert plan.solve.status == Status.OPTIMAL
    covered = plan.coverage_summary(inst.demand["population"])["blood"]["after"]
    assert covered == pytest.approx(SF_MCLP_COVERED[p])
    assert plan.spent_wan <= p + 1e-9


def test_sf_optimizer_lscp(opt, make_instance, shared_dir):
    cost, w = sf_data(shared_dir)
    inst = mclp_instance(make_instance, cost, w)
    plan = opt.min_budget(inst, blood_cfg(SF_RADIUS, target=1.0))
    assert plan.solve.status == Status.OPTIMAL
    assert plan.spent_wan == pytest.approx(SF_LSCP_FACILITIES)
    assert len(plan.items) == SF_LSCP_FACILITIES
    assert plan.coverage_summary(inst.demand["population"])["blood"]["after"] == pytest.approx(w.sum())
