"""The model: builds the MILP from an Instance and the scenario's standards, costs and weights; returns a Plan."""

from healthplan.optimizer.api import min_budget, optimize
from healthplan.optimizer.coverage import required_cutoff
from healthplan.optimizer.errors import InfeasibleError
from healthplan.optimizer.evaluation import baseline, evaluate

__all__ = ["InfeasibleError", "baseline", "evaluate", "min_budget", "optimize", "required_cutoff"]
