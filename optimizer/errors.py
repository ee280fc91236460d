"""Optimizer errors: an infeasible plan, explained with the standard, the shortfall and the least budget."""

from __future__ import annotations

from healthplan.geodata.errors import HealthplanError
from healthplan.geodata.text import Text


class InfeasibleError(HealthplanError):
    """The hard standards, the budget and the other limits cannot hold together.

    The message is a :class:`~healthplan.geodata.text.Text` (optimizer/messages.py): the CLI prints the
    planner's language, ``str(error)`` is the English.

    Attributes
    ----------
    standard : str
        Name of the standard (or limit) that cannot be met, e.g. ``fever_room_mandate``; ``""`` when unknown.
    required, achievable : float
        What the standard asks and the most the instance allows, in the standard's unit (vehicles, sites, persons).
    least_budget_wan : float | None
        Least capital (万元) that meets every hard standard, computed by :func:`optimizer.min_budget`;
        ``None`` when no budget is enough (a structural limit such as station capacity).
    """

    def __init__(
        self,
        message: Text | str,
        *,
        standard: str = "",
        required: float = float("nan"),
        achievable: float = float("nan"),
        least_budget_wan: float | None = None,
    ):
        super().__init__(message)
        self.standard = standard
        self.required = required
        self.achievable = achievable
        self.least_budget_wan = least_budget_wan
