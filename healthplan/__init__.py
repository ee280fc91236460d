"""healthplan: siting ambulances, fever clinics/rooms, blood points, sub-centres and critical-care centres.

The pipeline's four packages live in the repository's top-level folders and are installed under this one name:
``healthplan.geodata`` (inputs, travel times) → ``healthplan.optimizer`` (the MILP) → ``healthplan.reports``
(what people read) → ``healthplan.scenarios`` (scenario files, the runner, the CLI).
"""

__version__ = "0.2.0"
