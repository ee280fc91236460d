"""What a standard is: one object per standard, used by the model rows, the pre-solve screen, the least-budget
explanation, the evaluation of any plan, the standards table, the 依据 sentences and the maps.

A standard says ``level ≥ required``: ``level`` is a linear expression of the stock in the model
(:meth:`Standard.level`) and a number measured from a stock in evaluation (:meth:`Standard.measure`); the two are
the same quantity, which the tests check on solved plans. Kinds declare their standards
(``ResourceKind.standards``); the cross-kind ones (township floors, coverage targets) are built per service here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pulp

from healthplan.optimizer.kind import StandardRule
from healthplan.optimizer.text import Source, Text, is_en

if TYPE_CHECKING:
    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.model import Model, StandardSpec
    from healthplan.optimizer.prepare import ModelData

Unit = str  # "vehicles" | "sites" | "share" | "persons"


@dataclass(frozen=True)
class Measured:
    """A stock as evaluation sees it: facility columns per site and, per service, the covered share per point
    and the persons any plan could cover."""

    stock: dict[str, np.ndarray]
    coverage: dict[str, np.ndarray]
    coverable: dict[str, float]  # persons any existing or addable unit of each service can reach


@dataclass(frozen=True)
class Finding:
    """One reason the hard standards cannot hold: which standard, what it needs, what is possible, in ``unit``.

    ``structural`` findings no budget can fix (capacity, eligibility); others are money (``unit`` 万元).
    """

    standard: str
    message: Text  # both languages (optimizer/messages.py)
    required: float
    achievable: float
    unit: str
    structural: bool


class Standard:
    """One standard. Subclasses (or instances with their own attributes) set:

    - ``name`` (row name, e.g. ``amb_fleet_ratio``), ``kind`` (the resource kind, ``""`` for cross-kind),
      ``label`` (zh/en), ``source`` (graded), ``unit`` (vehicles, sites, share, persons);
    - ``items``: the item types that serve it (their 依据 cite it);
    - ``integer``: counts (milestone targets are whole units).
    """

    name: str
    kind: str = ""
    label: Text
    source: Source
    unit: Unit = "sites"
    items: tuple[str, ...] = ()
    integer: bool = True
    what: Text | None = None  # what its mandated items are, in messages ("mandated fever rooms")

    # ------------------------------------------------------------ scenario

    def rule(self, cfg: OptimizerConfig) -> StandardRule | None:
        """hard / soft / off and the weight from the scenario; ``None`` when the standard does not apply."""
        raise NotImplementedError

    def required(self, data: ModelData) -> float:
        """What the standard asks, in ``unit`` (the final year's requirement)."""
        raise NotImplementedError

    # ------------------------------------------------------------ model

    def level(self, m: Model, t: int) -> pulp.LpAffineExpression:
        """The standard's level in year position ``t`` as a linear expression (existing stock as the constant)."""
        raise NotImplementedError

    def specs(self, m: Model) -> list[StandardSpec]:
        """The model rows of the standard: one spec (``std_<name>_<t>`` per year) unless overridden."""
        from healthplan.optimizer.model import StandardSpec

        rule = self.rule(m.data.cfg)
        assert rule is not None  # callers pass only applicable standards
        return [StandardSpec(self.name, {t: self.level(m, t) for t in range(m.n_years)}, self.required(m.data),
                             rule.mode, rule.weight, self.unit, self.cite(), integer=self.integer)]

    def row_for_milestone(self, m: Model, spec: StandardSpec, t: int, share: float) -> tuple[Any, float]:
        """(lhs, rhs) of the row of year ``t`` when ``share`` of the task is due (the final year 1.0).

        The existing level is the expression's constant (every decision at 0), so the task is what the plan adds
        (:func:`~healthplan.optimizer.phasing.milestone_target`)."""
        from healthplan.optimizer.phasing import milestone_target

        lhs = spec.level[t]
        existing = float(getattr(lhs, "constant", 0.0) or 0.0)
        return lhs, milestone_target(spec.required, existing, share, spec.integer)

    # ------------------------------------------------------------ evaluation

    def measure(self, data: ModelData, state: Measured) -> float:
        """The level of a stock (existing, or existing + a plan), in ``unit``."""
        raise NotImplementedError

    def table_row(self, data: ModelData, before: Measured, after: Measured) -> dict[str, Any]:
        """Required, existing and planned level for the standards table (``unit`` may differ from the model's)."""
        return {"required": self.required(data), "existing": self.measure(data, before),
                "planned": self.measure(data, after), "unit": self.unit}

    def serves(self, data: ModelData, items: Any, j: np.ndarray) -> np.ndarray:
        """Which plan rows (at sites ``j``) contribute to the standard (their 依据 cite it)."""
        return items["kind"].isin(self.items).to_numpy()

    # ------------------------------------------------------------ screening

    def structural(self, data: ModelData) -> Finding | None:
        """A reason no budget can meet the standard (capacity, eligibility), or ``None``."""
        return None

    def min_cost(self, data: ModelData) -> float:
        """Least capital (万元) the standard needs on its own, a lower bound (0 when unknown)."""
        return 0.0

    # ------------------------------------------------------------ texts

    def cite(self, lang: str = "zh", cfg: OptimizerConfig | None = None) -> str:
        """The standard's source in ``lang`` (the scenario's own figures when ``cfg`` shows the user set them)."""
        return self.source.cite(lang)

    def sentence(self, cfg: OptimizerConfig, urban_share: float, lang: str = "zh") -> str:
        """The policy sentence an item serving the standard quotes in its 依据 (「落实…要求」)."""
        return (f"meets the standard: {self.label('en')}" if is_en(lang) else f"落实{self.label('zh')}要求")

    def title(self, lang: str = "zh", cfg: OptimizerConfig | None = None) -> str:
        """The standard's name in ``lang``, with the scenario's figures where the name carries one."""
        return self.label(lang)


def pct(share: float) -> str:
    """A share as a percentage figure without trailing zeros: 0.4 → ``40``, 0.955 → ``95.5``."""
    return f"{100 * share:.10g}"
