"""Input problems: collected first, reported once (file, feature, column, fix), then raised as one error."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

# "note": a finding that is neither wrong nor doubtful (the road network's connected pieces …); the loader moves
# notes into Instance.notes, so they never count as warnings.
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One problem found in the inputs.

    ``file`` is the path as the user wrote it, ``feature`` the row or feature id (or ``None`` for a whole layer),
    ``column`` the column concerned, ``message`` what is wrong and ``fix`` what to do about it.
    """

    severity: Severity
    file: str
    message: str
    fix: str = ""
    feature: str | None = None
    column: str | None = None

    def format(self) -> str:
        """One readable line: ``error: demand.csv, row 'V012', column 人口: … → fix``."""
        where = self.file
        if self.feature is not None:
            where += f", feature {self.feature!r}"
        if self.column is not None:
            where += f", column {self.column!r}"
        text = f"{self.severity}: {where}: {self.message}"
        if self.fix:
            text += f" — fix: {self.fix}"
        return text


@dataclass
class ProblemReport:
    """Every problem of one check, errors and warnings, in the order found."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # severity "note": findings, neither wrong nor doubtful

    def error(self, file: str, message: str, fix: str = "", *, feature: object = None, column: str | None = None):
        """Record an error (stops the run before anything is written)."""
        self.problems.append(Problem("error", str(file), message, fix, _fid(feature), column))

    def warning(self, file: str, message: str, fix: str = "", *, feature: object = None, column: str | None = None):
        """Record a warning (reported, the run goes on)."""
        self.problems.append(Problem("warning", str(file), message, fix, _fid(feature), column))

    def note(self, file: str, message: str) -> None:
        """Record a note (kept apart from the problems; the loader moves it into the Instance's notes)."""
        self.notes.append(Problem("note", str(file), message))

    def extend(self, other: ProblemReport | Iterable[Problem]) -> None:
        """Append another report's problems (and notes)."""
        if isinstance(other, ProblemReport):
            self.problems.extend(other.problems)
            self.notes.extend(other.notes)
        else:
            self.problems.extend(other)

    def naming(self, placeholder: str, path: object) -> ProblemReport:
        """The report with ``placeholder`` at the start of a problem's file replaced by ``path`` (the optimizer
        says ``scenario (decisions)``; the runner knows which file that is: ``plans/2025.yaml (decisions)``)."""
        out = ProblemReport()
        for p in self.problems:
            ours = p.file == placeholder or p.file.startswith(placeholder + " (")
            file = f"{path}{p.file[len(placeholder):]}" if ours else p.file
            out.problems.append(Problem(p.severity, file, p.message, p.fix, p.feature, p.column))
        return out

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a run."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that are only reported."""
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        """Raise :class:`InputError` carrying the whole report when any error was recorded."""
        if self.errors:
            raise InputError(self)


def _fid(feature: object) -> str | None:
    return None if feature is None else str(feature)


class HealthplanError(Exception):
    """Base of every error healthplan reports to a user without a traceback (exit code 2)."""

    exit_code = 2


class InputError(HealthplanError, ValueError):
    """The inputs are invalid; carries every problem found, not just the first."""

    def __init__(self, report: ProblemReport | str, *, file: str = "", fix: str = ""):
        if isinstance(report, str):
            rep = ProblemReport()
            rep.error(file or "<input>", report, fix)
            report = rep
        self.report = report
        lines = [p.format() for p in report.errors]
        n = len(lines)
        head = f"{n} input error{'s' if n != 1 else ''}:" if n > 1 else ""
        super().__init__("\n".join([head, *lines]) if head else lines[0] if lines else "invalid input")
