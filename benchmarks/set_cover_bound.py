"""The set cover at S = 6 on the 20,000 × 1,500 anchor instance (issue 12 §4): where its optimum lies.

Usage::

    .venv/bin/python benchmarks/set_cover_bound.py                 # ≈ 12 min: bound ≈ 5 min, search 5 min
    .venv/bin/python benchmarks/set_cover_bound.py --search 0      # the lower bound only
    .venv/bin/python benchmarks/set_cover_bound.py --grid 3        # smaller blocks: a weaker bound, quicker

Neither spopt (CBC 141, HiGHS 136 sites in 900 s) nor healthplan (133 in 723 s) proves this optimum, and the
relaxation's bound is 119.54. This script narrows it from both sides, each side checked on its own:

1. **Exact reductions** (the optimum is unchanged): points with the same set of sites within 6 are one row; a row
   whose sites include another row's sites is implied by it; a site whose rows another site also covers is
   dropped (equal costs; of two sites with the same rows the later one goes). Alternated to a fixpoint.
2. **The relaxation** of the reduced model (HiGHS), with its row duals u ≥ 0 and reduced costs
   rc_j = 1 − Σ_i u_i a_ij.
3. **A bound from blocks** (a spatial Lagrangian decomposition at the relaxation's duals): the rows are split by
   where their point lies into a grid of blocks; a site j reaching rows of n_j blocks costs, in block b,
   λ_jb = Σ_{i ∈ b} u_i a_ij + rc_j / n_j, so that Σ_b λ_jb = 1. Any cover x restricted to a block covers that
   block's rows, so OPT_b(λ) ≤ Σ_j λ_jb x_j, and summed over the blocks Σ_b OPT_b(λ) ≤ Σ_j x_j: every cover has at
   least Σ_b OPT_b sites. Each block's cover is solved exactly by HiGHS and its proven dual bound is summed; a
   block not proven in its time limit adds only its proven bound, so the sum stays a bound.
4. **A cover found by search**: HiGHS on the reduced model for a minute, then windows: a random square of
   sites is freed, every other chosen site kept, and the rows those leave uncovered are covered by the fewest
   sites of the square (HiGHS, exact); a window that needs no more sites is taken. ``--cover FILE`` adds a cover
   found earlier (``benchmarks/data/set_cover_s6_130.txt``: 130 sites).
5. **Each cover checked on the original points**: every one of the 20,000 points within 6 of a chosen site.

Prints the reductions, the relaxation, each block, the search's steps and ``optimum in [lower, upper]``. Runs on
one HiGHS thread; ../shared/benchmarks/random_anchor must be present (it is not part of the repository).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spopt_anchor import ANCHOR, load_anchor, pairs_within  # noqa: E402  (this folder's own script)

RADIUS = 6.0
SIDE = 100.0  # the instance's square


def coverage(dxy: np.ndarray, sxy: np.ndarray) -> sp.csr_matrix:
    """Points × sites, 1 where the site lies within RADIUS (``spopt_anchor.pairs_within``, float64 distances)."""
    site, point, dist = pairs_within(dxy, sxy, RADIUS)
    keep = dist <= RADIUS
    return sp.csr_matrix((np.ones(int(keep.sum())), (point[keep], site[keep])), shape=(len(dxy), len(sxy)))


def unique_rows(a: sp.csr_matrix) -> np.ndarray:
    """Indices of the first row of each distinct row pattern of ``a`` (sorted indices)."""
    a.sort_indices()
    keys = {}
    for i in range(a.shape[0]):
        keys.setdefault(a.indices[a.indptr[i]:a.indptr[i + 1]].tobytes(), i)
    return np.array(sorted(keys.values()), dtype=np.int64)


def reduce(a: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """The exact reductions to a fixpoint: (reduced rows × columns, original row of each row, original site of each
    column)."""
    rows, cols = np.arange(a.shape[0]), np.arange(a.shape[1])
    while True:
        n_r, n_c = len(rows), len(cols)
        keep = unique_rows(a)
        a, rows = a[keep], rows[keep]
        size = np.diff(a.indptr)
        inter = (a @ a.T).tocoo()
        # row k's sites ⊆ row i's sites (k ≠ i, distinct rows): covering k covers i, so row i goes
        implied = (inter.row != inter.col) & (inter.data == size[inter.row])
        drop = np.zeros(a.shape[0], dtype=bool)
        drop[inter.col[implied]] = True
        a, rows = a[~drop], rows[~drop]
        c = a.tocsc()
        count = np.diff(c.indptr)
        both = (c.T @ c).tocoo()
        # site j's rows ⊆ site k's rows: j goes (of two with equal rows, the later one)
        within = (both.row != both.col) & (both.data == count[both.row])
        within &= (count[both.row] < count[both.col]) | (both.row > both.col)
        gone = np.zeros(a.shape[1], dtype=bool)
        gone[both.row[within]] = True
        gone |= count == 0
        a, cols = a[:, ~gone].tocsr(), cols[~gone]
        if (len(rows), len(cols)) == (n_r, n_c):
            return a, rows, cols


def highs_cover(a: sp.csr_matrix, cost: np.ndarray, *, integer: bool, limit_s: float = math.inf) -> highspy.Highs:
    """HiGHS on min cost·x, a x ≥ 1, 0 ≤ x ≤ 1, one thread, exact (gap 0); returns it solved."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    if math.isfinite(limit_s):
        h.setOptionValue("time_limit", float(limit_s))
    lp = highspy.HighsLp()
    lp.num_row_, lp.num_col_ = a.shape
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.zeros(a.shape[1])
    lp.col_upper_ = np.ones(a.shape[1])
    lp.row_lower_, lp.row_upper_ = np.ones(a.shape[0]), np.full(a.shape[0], highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * a.shape[1]
    h.passModel(lp)
    h.run()
    return h


def block_bound(a: sp.csr_matrix, pxy: np.ndarray, u: np.ndarray, grid: int, offset: tuple[float, float],
                limit_s: float) -> float:
    """Σ over the grid's blocks of each block's proven least cost at λ (module docstring, step 3)."""
    edges = [np.linspace(0.0, SIDE, grid + 1) for _ in range(2)]
    for k in range(2):
        edges[k][1:-1] += offset[k]
    cell = [np.clip(np.searchsorted(edges[k], pxy[:, k], side="right") - 1, 0, grid - 1) for k in range(2)]
    block = cell[0] * grid + cell[1]
    dual = a.multiply(u[:, None]).tocsc()  # u_i a_ij
    per_block = np.column_stack([np.asarray(dual[block == b].sum(axis=0)).ravel() for b in range(grid * grid)])
    reach = np.column_stack([np.asarray(a[block == b].sum(axis=0)).ravel() > 0 for b in range(grid * grid)])
    rc = 1.0 - per_block.sum(axis=1)
    lam = per_block + (rc / reach.sum(axis=1))[:, None] * reach
    total = 0.0
    for b in range(grid * grid):
        t0 = time.perf_counter()
        rows, sites = np.flatnonzero(block == b), np.flatnonzero(reach[:, b])
        h = highs_cover(a[rows][:, sites].tocsr(), lam[sites, b], integer=True, limit_s=limit_s)
        info = h.getInfo()
        proven = float(info.mip_dual_bound)
        total += proven
        print(f"| {b} | {len(rows):,} × {len(sites):,} | {h.modelStatusToString(h.getModelStatus())} | "
              f"{info.objective_function_value:.4f} | {proven:.4f} | {time.perf_counter() - t0:.1f} |", flush=True)
    return total


def search(a: sp.csr_matrix, sxy: np.ndarray, seconds: float, seed: int, half: tuple[float, float]) -> np.ndarray:
    """A cover of the reduced model (columns chosen): HiGHS for a minute, then random windows (step 4)."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    h = highs_cover(a, np.ones(a.shape[1]), integer=True, limit_s=min(60.0, seconds))
    x = np.round(np.asarray(h.getSolution().col_value)).astype(bool)
    print(f"HiGHS on the reduced model, {time.perf_counter() - t0:.0f} s: {int(x.sum())} sites", flush=True)
    c = a.tocsc()
    while time.perf_counter() - t0 < seconds:
        r = rng.uniform(*half)
        centre = rng.uniform(0.0, SIDE, 2)
        free = (np.abs(sxy - centre) <= r).all(axis=1)
        covered = (a @ (x & ~free).astype(float)) > 0
        need = np.flatnonzero(~covered)
        cols = np.flatnonzero(free)
        sub = c[:, cols].tocsr()[need]
        h = highs_cover(sub, np.ones(len(cols)), integer=True, limit_s=60.0)
        y = np.round(np.asarray(h.getSolution().col_value)).astype(bool)
        if len(y) != len(cols) or not ((sub @ y.astype(float)) >= 1).all():
            continue  # no proven cover of the window: keep the plan
        if int(y.sum()) <= int(x[free].sum()):
            before = int(x.sum())
            x = x & ~free
            x[cols[y]] = True
            if int(x.sum()) < before:
                print(f"  {time.perf_counter() - t0:5.0f} s: {before} → {int(x.sum())} sites (a window of "
                      f"{2 * r:.0f} × {2 * r:.0f})", flush=True)
    return x


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=2, help="blocks per side for the bound (default 2: 2 × 2; 0: "
                    "no bound from blocks, the relaxation's only)")
    ap.add_argument("--offset", type=float, nargs=2, default=(-4.0, 4.0),
                    help="shift of the inner block edges along x and y (default −4 4)")
    ap.add_argument("--block-limit", type=float, default=600.0, help="seconds per block (default 600)")
    ap.add_argument("--search", type=float, default=300.0, help="seconds of search for a cover (0: none)")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--cover", type=Path, help="a cover to check (site ids, one a line, '#' comments), e.g. "
                    "benchmarks/data/set_cover_s6_130.txt: checked on the original points, an upper bound if valid")
    ap.add_argument("--window", type=float, nargs=2, default=(18.0, 30.0), help="half-side of a window: from, to")
    args = ap.parse_args()
    if not ANCHOR.is_dir():
        sys.exit(f"{ANCHOR} not found: the anchor instances live in ../shared/benchmarks (not in the repository)")
    t0 = time.perf_counter()
    dxy, _, sxy = load_anchor("20000x1500")
    full = coverage(dxy, sxy)
    coverable = np.diff(full.indptr) > 0
    a, rows, cols = reduce(full[coverable])
    pxy = dxy[np.flatnonzero(coverable)[rows]]
    print(f"{len(dxy):,} points ({int((~coverable).sum())} beyond every site) × {len(sxy):,} sites → reduced to "
          f"{a.shape[0]:,} rows × {a.shape[1]:,} sites in {time.perf_counter() - t0:.1f} s", flush=True)
    h = highs_cover(a, np.ones(a.shape[1]), integer=False)
    relaxed = h.getInfo().objective_function_value
    u = np.maximum(np.asarray(h.getSolution().row_dual, dtype=float), 0.0)
    print(f"relaxation: {relaxed:.4f} sites (bound {math.ceil(relaxed - 1e-6)}); its duals sum to {u.sum():.4f}\n",
          flush=True)
    lower = math.ceil(relaxed - 1e-6)
    if args.grid > 0:
        print(f"bound from {args.grid} × {args.grid} blocks, inner edges shifted by {args.offset}:\n")
        print("| block | rows × sites | status | its cover at λ | proven bound | s |\n|---|---|---|---|---|---|")
        bound = block_bound(a, pxy, u, args.grid, tuple(args.offset), args.block_limit)
        lower = max(math.ceil(bound - 1e-6), lower)
        print(f"\nsum of the blocks' proven bounds: {bound:.4f}: every cover has at least {lower} sites\n",
              flush=True)
    covers: list[tuple[str, np.ndarray]] = []
    if args.cover is not None:
        lines = [ln.split("#")[0].strip() for ln in args.cover.read_text(encoding="utf-8").splitlines()]
        ids = pd.read_csv(ANCHOR / "sites_20000x1500.csv")["id"].astype(str).to_numpy()
        wanted = {ln for ln in lines if ln}
        covers.append((str(args.cover), np.flatnonzero(np.isin(ids, sorted(wanted)))))
        if len(covers[-1][1]) != len(wanted):
            sys.exit(f"{args.cover}: {len(wanted) - len(covers[-1][1])} site ids are not in the instance")
    if args.search > 0:
        covers.append(("the search", cols[search(a, sxy[cols], args.search, args.seed, tuple(args.window))]))
    upper = None
    for name, chosen in covers:
        nearest, _ = cKDTree(sxy[chosen]).query(dxy[coverable])
        ok = bool((nearest <= RADIUS).all())
        print(f"{name}, checked on the original points: {len(chosen)} sites, every coverable point within "
              f"{nearest.max():.5f} of one: {'a cover' if ok else 'NOT A COVER'}")
        if ok:
            upper = len(chosen) if upper is None else min(upper, len(chosen))
    print(f"\noptimum in [{lower}, {upper if upper is not None else '?'}]; {time.perf_counter() - t0:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
