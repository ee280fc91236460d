"""The model container: the PuLP problem, its named variable families and the terms of each objective stage."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pulp

if TYPE_CHECKING:
    from healthplan.optimizer.coverage import AccessGroups, Groups
    from healthplan.optimizer.prepare import ModelData

Mode = Literal["optimize", "min_budget"]
Terms = list[tuple[pulp.LpVariable, float]]


@dataclass
class StandardSpec:
    """One standard as the model sees it: ``level[t] (+ shortfall) ≥ milestone[t] × required`` for each year t.

    ``level`` maps year position → expression (existing stock included as the constant), in ``unit``.
    """

    name: str
    level: dict[int, pulp.LpAffineExpression]
    required: float
    mode: Literal["hard", "soft", "off"]
    weight: float
    unit: str
    source: str
    integer: bool = True  # milestone targets are rounded up for counts (vehicles, sites)
    required_by_year: dict[int, float] = field(default_factory=dict)


@dataclass
class Model:
    """A built MILP: ``prob`` plus the handles needed to read a plan back and to stage the objective.

    ``x[family][(site, year_pos)]`` are the decision variables (families ``amb_ord``, ``amb_np``, ``amb_station``,
    ``fever_clinic``, ``fever_room``, ``blood``, ``subcentre``); ``shortfall``, ``coverage`` and ``cost`` are the
    linear terms of the three lexicographic stages (weighted shortfall share, weighted persons, 万元).
    """

    prob: pulp.LpProblem
    data: ModelData
    mode: Mode
    x: dict[str, dict[tuple[int, int], pulp.LpVariable]] = field(default_factory=dict)
    shortfall: Terms = field(default_factory=list)
    elastic: Terms = field(default_factory=list)  # min-budget mode: shortfall of hard standards, solved first
    term_year: dict[str, int] = field(default_factory=dict)  # shortfall/elastic variable name → year position
    elastic_vars: dict[str, list[pulp.LpVariable]] = field(default_factory=dict)
    coverage: Terms = field(default_factory=list)
    cost: Terms = field(default_factory=list)
    spend: dict[tuple[str, int], Terms] = field(default_factory=dict)  # (kind, year_pos) → capital terms
    covered: dict[tuple[str, int], pulp.LpAffineExpression] = field(default_factory=dict)  # persons per key, year
    covered_town: dict[tuple[str, int, str], pulp.LpAffineExpression] = field(default_factory=dict)
    groups: dict[str, Groups | AccessGroups] = field(default_factory=dict)
    standards: list[StandardSpec] = field(default_factory=list)
    year_weight: tuple[float, ...] = (1.0,)
    build_s: float = 0.0

    @property
    def n_years(self) -> int:
        """Number of plan years."""
        return len(self.data.years)

    def add(self, row: pulp.LpConstraint, name: str) -> None:
        """Add one named row (names follow the ``<family>_<what>_<index>`` grammar)."""
        row.name = name
        self.prob.addConstraint(row, name)

    def remove(self, name: str) -> None:
        """Remove the named row (one added by :meth:`add`). PuLP < 4 offers removal only through its dict view of
        the rows, deprecated for PuLP 4 (``pyproject`` keeps PuLP below 4)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if self.prob.constraints.pop(name) is None:
                raise KeyError(f"no row {name!r} to remove")

    def var(self, name: str, low: float | None = 0.0, up: float | None = None,
            cat: str = pulp.LpContinuous) -> pulp.LpVariable:
        """A new named variable attached to the problem (PuLP 4 style ``add_variable``)."""
        return self.prob.add_variable(name, low, up, cat=cat)

    def family(self, name: str) -> dict[tuple[int, int], pulp.LpVariable]:
        """The variable family ``name`` (created empty on first use)."""
        return self.x.setdefault(name, {})

    def cumulative(self, name: str, site: int, t: int) -> Terms:
        """Terms of family ``name`` at ``site`` in years 0 … t (installed stock is cumulative)."""
        fam = self.x.get(name)
        if not fam:
            return []
        out = []
        for s in range(t + 1):
            v = fam.get((site, s))
            if v is not None:
                out.append((v, 1.0))
        return out

    def stock_by_site(self, families: tuple[str, ...], t: int, coef: float = 1.0) -> dict[int, Terms]:
        """Per site: new units of ``families`` installed in years 0 … t, as (variable, coef) terms.

        Built once per year so coverage rows look sites up instead of re-walking the families per group.
        """
        out: dict[int, Terms] = {}
        for f in families:
            for (j, s), v in self.x.get(f, {}).items():
                if s <= t:
                    out.setdefault(j, []).append((v, coef))
        return out

    def add_cost(self, kind: str, t: int, var: pulp.LpVariable, wan: float) -> None:
        """Record a capital cost term (万元) of ``kind`` in year position ``t``."""
        if wan:
            self.cost.append((var, wan))
            self.spend.setdefault((kind, t), []).append((var, wan))


def expr(terms: Terms, constant: float = 0.0) -> pulp.LpAffineExpression:
    """A linear expression from (variable, coefficient) terms; duplicates are summed."""
    e = pulp.LpAffineExpression(constant=constant)
    for v, c in terms:
        e[v] = e.get(v, 0.0) + c
    return e
