"""Progress display for long steps: a rich spinner per stage with elapsed seconds, silent when not a terminal."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class Stages:
    """Show one line per pipeline stage ("读取输入 … 1.2 s"); ``note(msg)`` updates the current line.

    ``timings`` collects the seconds of every stage by key, for ``summary.json``.
    """

    def __init__(self, console: Console, *, enabled: bool = True):
        self.console = console
        self.enabled = enabled and console.is_terminal
        self.timings: dict[str, float] = {}
        self._progress: Progress | None = None
        self._task = None

    @contextmanager
    def stage(self, key: str, label: str) -> Iterator[None]:
        """Run one stage, timing it under ``key`` and showing ``label`` with a spinner."""
        t0 = time.perf_counter()
        if self.enabled:
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                console=self.console, transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(label, total=None)
        try:
            yield
        finally:
            self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0
            if self._progress is not None:
                self._progress.update(self._task, description=f"{label} ✓", total=1, completed=1)
                self._progress.stop()
                self._progress = None

    def note(self, message: str) -> None:
        """Show a sub-step of the current stage."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=message)
