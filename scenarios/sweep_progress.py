"""The sweep's progress bar: points done out of the grid, with the failed ones counted; silent when the
console is not a terminal."""

from __future__ import annotations

from typing import Any

from healthplan.scenarios.sweep_point import OnDone, PointOutcome

LABEL = "情景点 / sweep points"


class SweepProgress:
    """A context manager whose ``__enter__`` returns the callback each finished point is handed to."""

    def __init__(self, total: int, *, enabled: bool, console: Any):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.total = total
        self.progress = None
        self.task = None
        self.failed = 0

    def __enter__(self) -> OnDone:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.console)
            self.progress.start()
            self.task = self.progress.add_task(LABEL, total=self.total)
        return self.advance

    def advance(self, outcome: PointOutcome) -> None:
        """Count one finished point (and whether it failed)."""
        if outcome.row.get("error"):
            self.failed += 1
        if self.progress is not None:
            desc = LABEL + (f" ({self.failed} failed)" if self.failed else "")
            self.progress.update(self.task, advance=1, description=desc)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()
