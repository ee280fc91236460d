"""Read and check a county's inputs and compute travel times: scenario inputs → :class:`Instance`."""

from healthplan.geodata.errors import InputError, Problem, ProblemReport
from healthplan.geodata.instance import Instance, TravelTimes

__all__ = ["InputError", "Instance", "Problem", "ProblemReport", "TravelTimes"]
