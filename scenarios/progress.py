"""Progress display for long steps: a rich spinner per stage with elapsed seconds, silent when not a terminal."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from healthplan.optimizer.progress import StageProgress, Watch


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


def solve_note(p: StageProgress, lang: str) -> str:
    """One line on a running stage solve in ``lang``: the stage, its gap (or what it does while it has none),
    the seconds it has run and may run ("求解「覆盖人口最多」：相对间隙 30.57%（已用 45 秒，限时 144 秒）")."""
    from healthplan.reports.i18n import has_message, tr
    from healthplan.reports.summary import fmt_gap

    stage = tr(f"stage.{p.stage}", lang) if has_message(f"stage.{p.stage}") else p.stage
    objective = f"{p.objective:,.0f}" if math.isfinite(p.objective) else "—"
    if p.phase == "windows":
        state = tr("progress.windows", lang, objective=objective)
    elif math.isfinite(p.gap):
        state = tr("progress.gap", lang, gap=fmt_gap(p.gap))
    elif math.isfinite(p.objective):
        state = tr("progress.no_bound", lang, objective=objective)
    else:
        state = tr("progress.first_plan", lang)
    return tr("progress.solving", lang, stage=stage, state=state, secs=f"{p.seconds:.0f}", limit=f"{p.limit_s:.0f}")


def solve_watch(note: Callable[[str], None], lang: str) -> Watch:
    """A ``watch`` for ``optimizer.optimize`` that shows each report as the current stage's note."""
    return lambda p: note(solve_note(p, lang))
