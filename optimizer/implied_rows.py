"""Covering rows implied by other covering rows, found on the HiGHS model before it is solved.

A full coverage target (a hard 100 % standard, or ``min_budget`` with ``target_coverage: 1``) makes every group's
row c_h ≤ Σ_{j∈N(h)} x_j a set-covering row Σ_{j∈N(h)} x_j ≥ 1: c_h is forced to 1 by the target's row
Σ_h P_h c_h ≥ Σ_h P_h. A group whose sites N(b) include another group's N(a) is covered whenever that one is, so
its row can go (row dominance in set covering; Toregas et al. 1971 reduce the LSCP this way). HiGHS's presolve
removes duplicate rows but not these: on the 2,000 × 300 anchor set cover (S = 15) 1,519 of 1,520 rows are such
rows and 1,020 of them are implied; dropping them takes the solve from 11.4 s to 5.3 s.

Dropping a row that other rows imply leaves the feasible set unchanged, so the optimum, the bound and every plan are
the same; only rows go, never columns, so the solution maps back as it is.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

MIN_COVERING_ROWS = 200  # fewer candidate rows: not worth the search (the demo county's models)
CHUNK_ROWS = 2_000  # rows per block of the overlap product (bounds its memory: block × rows sharing a site)
TOL = 1e-9


def implied_covering_rows(a: sp.csr_matrix, row_lower: np.ndarray, row_upper: np.ndarray, col_lower: np.ndarray,
                          col_upper: np.ndarray) -> np.ndarray:
    """Rows of ``a`` (rows × columns) implied by another row: a boolean mask of the rows that may be dropped.

    A row qualifies as a covering row when, written as ``≥`` (a ``≤`` row is negated) and with its fixed columns
    moved to the right-hand side, every remaining coefficient is the same α > 0 on columns with a lower bound ≥ 0
    and the right-hand side r is > 0: it says Σ_{j∈S} x_j ≥ r / α. Columns count as fixed when their bounds are
    equal or a ``≥`` row of positive coefficients forces them to their upper bounds (its right-hand side is its
    largest activity). Row a implies row b when S_a ⊆ S_b and r_a/α_a ≥ r_b/α_b; of rows that imply each other
    the first is kept.
    """
    n_rows, _ = a.shape
    drop = np.zeros(n_rows, dtype=bool)
    ge_lower, sign = _as_greater_equal(row_lower, row_upper)
    usable = sign != 0
    if usable.sum() < MIN_COVERING_ROWS:
        return drop
    s = sp.diags(sign.astype(float)) @ a  # every usable row as Σ s·a x ≥ ge_lower
    s = s.tocsr()
    fixed, value = _fixed_columns(s, ge_lower, usable, col_lower, col_upper)
    free = ~fixed
    rhs = ge_lower - s @ np.where(fixed, value, 0.0)
    part = (s @ sp.diags(free.astype(float))).tocsr()  # the row's coefficients on columns not fixed
    part.eliminate_zeros()
    counts = np.diff(part.indptr)
    lo_ok = (col_lower >= 0) | fixed
    row_min = per_row(np.minimum, part.data, part.indptr, np.inf)
    row_max = per_row(np.maximum, part.data, part.indptr, -np.inf)
    bad_col = per_row(np.logical_or, ~lo_ok[part.indices], part.indptr, False)
    alpha = row_min
    covering = (usable & (counts > 0) & (row_min > 0) & (row_max - row_min <= TOL * np.abs(row_max)) & ~bad_col
                & (rhs > TOL))
    idx = np.flatnonzero(covering)
    if idx.size < MIN_COVERING_ROWS:
        return drop
    pattern = part[idx]
    pattern.data[:] = 1.0
    need = rhs[idx] / alpha[idx]  # Σ_{j∈S} x_j ≥ need
    size = np.diff(pattern.indptr)
    pt = pattern.T.tocsr()
    for lo in range(0, idx.size, CHUNK_ROWS):
        block = pattern[lo : lo + CHUNK_ROWS]
        overlap = (block @ pt).tocoo()  # (row a in the block, row b, |S_a ∩ S_b|)
        ra = overlap.row + lo
        rb = overlap.col
        subset = (overlap.data == size[ra]) & (ra != rb)  # S_a ⊆ S_b
        stronger = need[ra] > need[rb] + TOL * np.maximum(1.0, np.abs(need[rb]))
        same_need = np.abs(need[ra] - need[rb]) <= TOL * np.maximum(1.0, np.abs(need[rb]))
        # a strict subset with at least the same need implies b; equal sets and needs: the first row stays
        implies = subset & (stronger | (same_need & ((size[ra] < size[rb]) | (ra < rb))))
        drop[idx[rb[implies]]] = True
    return drop


def per_row(ufunc: np.ufunc, values: np.ndarray, indptr: np.ndarray, empty: float | bool) -> np.ndarray:
    """``ufunc`` reduced over each row's ``values`` (CSR order), ``empty`` for a row without entries."""
    counts = np.diff(indptr)
    out = np.full(len(counts), empty, dtype=np.asarray(values).dtype if len(values) else type(empty))
    nonempty = counts > 0
    if nonempty.any():
        out[nonempty] = ufunc.reduceat(values, indptr[:-1][nonempty])
    return out


def _as_greater_equal(lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(right-hand side, sign) of each row written as sign · row ≥ rhs; sign 0 for ranges and equalities."""
    lo_fin, up_fin = np.isfinite(lower), np.isfinite(upper)
    sign = np.where(lo_fin & ~up_fin, 1, np.where(up_fin & ~lo_fin, -1, 0))
    rhs = np.where(sign > 0, lower, np.where(sign < 0, -upper, 0.0))
    return rhs, sign


def _fixed_columns(s: sp.csr_matrix, rhs: np.ndarray, usable: np.ndarray, col_lower: np.ndarray,
                   col_upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fixed, value) per column: equal bounds, or forced to the upper bound by a ``≥`` row whose right-hand side
    is its largest activity (all coefficients > 0, all upper bounds finite)."""
    fixed = col_lower == col_upper
    value = np.where(fixed, col_lower, 0.0)
    counts = np.diff(s.indptr)
    up = col_upper[s.indices]
    positive = per_row(np.logical_and, s.data > 0, s.indptr, True)
    finite = per_row(np.logical_and, np.isfinite(up), s.indptr, True)
    most = per_row(np.add, s.data * np.where(np.isfinite(up), up, 0.0), s.indptr, 0.0)
    forcing = usable & (counts > 0) & positive & finite & (rhs >= most - TOL * np.maximum(1.0, np.abs(most)))
    if forcing.any():
        cols = s.indices[np.repeat(forcing, counts)]
        fixed[cols] = True
        value[cols] = col_upper[cols]
    return fixed, value
