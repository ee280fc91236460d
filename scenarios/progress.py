"""Progress display for long steps: a rich spinner per stage with elapsed seconds, silent when not a terminal."""

from __future__ import annotations

import math
import re
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

    stage = _stage_name(p.stage, lang)
    objective = f"{p.objective:,.0f}" if math.isfinite(p.objective) else "—"
    if p.phase == "relaxation" and not math.isfinite(p.bound):
        state = tr("progress.relaxation", lang)
    elif p.phase == "relaxation":
        # the relaxation is solved: its value bounds the stage, the MILP on its support looks for a plan
        state = tr("progress.support", lang) + (
            tr("progress.support_gap", lang, gap=fmt_gap(p.gap)) if math.isfinite(p.gap) else "")
    elif p.phase == "windows":
        state = tr("progress.windows", lang, objective=objective)
    elif math.isfinite(p.gap):
        state = tr("progress.gap", lang, gap=fmt_gap(p.gap))
    elif math.isfinite(p.objective):
        state = tr("progress.no_bound", lang, objective=objective)
    elif not math.isfinite(p.bound):
        # nothing reported yet: HiGHS is in its presolve or root relaxation (a start it was given is not seen)
        state = tr("progress.root", lang)
    else:
        state = tr("progress.first_plan", lang)
    return tr("progress.solving", lang, stage=stage, state=state, secs=f"{p.seconds:.0f}", limit=f"{p.limit_s:.0f}")


# the optimizer's own progress messages (optimizer.api, optimizer.objective) → catalog entries; others (the
# p-median's figures) are shown as they come
_OPTIMIZER_NOTES = ((re.compile(r"building the model"), "progress.building"),
                    (re.compile(r"solving stage (?P<stage>\w+)"), "progress.stage"),
                    (re.compile(r"holding stage (?P<stage>\w+) by groups"), "progress.holding"))


def optimizer_note(message: str, lang: str) -> str:
    """One of the optimizer's progress messages in ``lang`` ("solving stage coverage" → "求解「覆盖人口最多」")."""
    from healthplan.reports.i18n import tr

    for pattern, key in _OPTIMIZER_NOTES:
        hit = pattern.fullmatch(message)
        if hit is not None:
            stage = hit.groupdict().get("stage")
            return tr(key, lang) if stage is None else tr(key, lang, stage=_stage_name(stage, lang))
    return message


def _stage_name(stage: str, lang: str) -> str:
    """A lexicographic stage's name in ``lang`` (「覆盖人口最多」), or its key when the catalog has none."""
    from healthplan.reports.i18n import has_message, tr

    return tr(f"stage.{stage}", lang) if has_message(f"stage.{stage}") else stage


def optimizer_notes(note: Callable[[str], None] | None, lang: str) -> Callable[[str], None] | None:
    """``note`` that shows the optimizer's progress messages in ``lang``."""
    return None if note is None else (lambda message: note(optimizer_note(message, lang)))


def solve_watch(note: Callable[[str], None], lang: str) -> Watch:
    """A ``watch`` for ``optimizer.optimize`` that shows each report as the current stage's note."""
    return lambda p: note(solve_note(p, lang))
