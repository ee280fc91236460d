"""Input problems: collected first, reported once (file, feature, column, fix), then raised as one error."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from healthplan.geodata.messages import format_problem, say
from healthplan.geodata.text import Text, is_en

# "note": a finding that is neither wrong nor doubtful (the road network's connected pieces …); the loader moves
# notes into Instance.notes, so they never count as warnings.
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One problem found in the inputs.

    ``file`` is the path as the user wrote it, ``feature`` the row or feature id (or ``None`` for a whole layer),
    ``column`` the column concerned, ``message`` what is wrong and ``fix`` what to do about it, in English;
    ``message_zh`` and ``fix_zh`` the same in Chinese (empty for a message that has no Chinese yet: the English
    is shown). :meth:`format` renders the problem in the planner's language.
    """

    severity: Severity
    file: str
    message: str
    fix: str = ""
    feature: str | None = None
    column: str | None = None
    message_zh: str = ""
    fix_zh: str = ""

    def text(self, lang: str | None = "en") -> str:
        """What is wrong, in ``lang``."""
        return self.message if is_en(lang) else (self.message_zh or self.message)

    def fix_text(self, lang: str | None = "en") -> str:
        """What to do about it, in ``lang``."""
        return self.fix if is_en(lang) else (self.fix_zh or self.fix)

    def format(self, lang: str | None = "en") -> str:
        """One readable line in ``lang``: ``error: demand.csv, feature 'V012', column '人口': … — fix: …`` or
        ``错误：demand.csv，编号 'V012'，列 '人口'：……——修改：……``."""
        return format_problem(self.severity, self.file, self.text(lang), self.fix_text(lang), self.feature,
                              self.column, lang)


@dataclass
class ProblemReport:
    """Every problem of one check, errors and warnings, in the order found."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # severity "note": findings, neither wrong nor doubtful

    def error(self, file: str, message: Text | str, fix: Text | str = "", *, feature: object = None,
              column: str | None = None):
        """Record an error (stops the run before anything is written)."""
        self.problems.append(_problem("error", file, message, fix, feature, column))

    def warning(self, file: str, message: Text | str, fix: Text | str = "", *, feature: object = None,
                column: str | None = None):
        """Record a warning (reported, the run goes on)."""
        self.problems.append(_problem("warning", file, message, fix, feature, column))

    def note(self, file: str, message: Text | str) -> None:
        """Record a note (kept apart from the problems; the loader moves it into the Instance's notes)."""
        self.notes.append(_problem("note", file, message, "", None, None))

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
            out.problems.append(replace(p, file=file))
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


def _problem(severity: Severity, file: object, message: Text | str, fix: Text | str, feature: object,
             column: str | None) -> Problem:
    msg, fx = Text.of(message), Text.of(fix)
    zh_msg = msg.zh if msg.zh != msg.en else ""
    zh_fix = fx.zh if fx.zh != fx.en else ""
    return Problem(severity, str(file), msg.en, fx.en, _fid(feature), column, zh_msg, zh_fix)


def _fid(feature: object) -> str | None:
    return None if feature is None else str(feature)


class HealthplanError(Exception):
    """Base of every error healthplan reports to a user without a traceback (exit code 2).

    The message may be a :class:`~geodata.text.Text`: ``str(error)`` is its English (logs, tests of the Python
    API), :meth:`render` gives the planner's language (the CLI prints that).
    """

    exit_code = 2

    def __init__(self, message: Text | str = "", *args: object):
        self.text = Text.of(message)
        super().__init__(self.text.en, *args)

    def render(self, lang: str | None = "zh") -> str:
        """The message in ``lang`` (English where a subclass gave no Chinese)."""
        text = getattr(self, "text", None)
        return text(lang) if isinstance(text, Text) and str(self) == text.en else str(self)

    def __reduce__(self):  # both languages survive a trip to a worker process and back
        return (_rebuild, (type(self), self.text if isinstance(getattr(self, "text", None), Text) else str(self),
                           self.__dict__))


def _rebuild(cls: type, text: Text | str, state: dict) -> HealthplanError:
    err = cls.__new__(cls)
    HealthplanError.__init__(err, text)
    err.__dict__.update(state)
    return err


class InputError(HealthplanError, ValueError):
    """The inputs are invalid; carries every problem found, not just the first."""

    def __init__(self, report: ProblemReport | Text | str, *, file: str = "", fix: Text | str = ""):
        if not isinstance(report, ProblemReport):
            rep = ProblemReport()
            rep.error(file or "<input>", report, fix)
            report = rep
        self.report = report
        super().__init__(Text(self._lines("zh"), self._lines("en")))

    def _lines(self, lang: str) -> str:
        lines = [p.format(lang) for p in self.report.errors]
        n = len(lines)
        if n > 1:
            return "\n".join([say("input.n_errors", n=n, s="s")(lang), *lines])
        return lines[0] if lines else say("input.invalid")(lang)

    def render(self, lang: str | None = "zh") -> str:
        """Every error of the report, one per line, in ``lang``."""
        return self._lines("en" if is_en(lang) else "zh")
