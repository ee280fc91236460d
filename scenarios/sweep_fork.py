"""Fork safety of sweep workers: what the parent imports before Dask forks its workers, and the solver state a
forked worker resets before its first solve.

This module must be imported by the parent process (it is, through :mod:`healthplan.scenarios.sweep`) before
any worker is forked: :data:`_IMPORT_PID` then holds the parent's pid, and a forked worker recognises itself
by a different one.
"""

from __future__ import annotations

import os

_IMPORT_PID = os.getpid()  # a forked Dask worker inherits this module with its parent's pid
_reset_pid: int | None = None


def reset_solver_after_fork() -> None:
    """In a forked worker, reset HiGHS's process-wide thread scheduler once: the threads it may have started
    in the parent do not exist in the child."""
    global _reset_pid  # noqa: PLW0603 (one flag per process)
    pid = os.getpid()
    if pid == _IMPORT_PID or _reset_pid == pid:
        return
    try:
        import highspy

        highspy.Highs.resetGlobalScheduler(True)
    except (ImportError, AttributeError):  # another solver, or a highspy without the call: nothing to reset
        pass
    _reset_pid = pid


def import_worker_modules() -> None:
    """Import what a point needs (optimizer, summary, report writer), so forked workers inherit it."""
    from healthplan import optimizer  # noqa: F401
    import healthplan.optimizer.api  # noqa: F401
    import healthplan.reports.summary  # noqa: F401
    import healthplan.reports.writer  # noqa: F401
    import healthplan.scenarios.runner  # noqa: F401
