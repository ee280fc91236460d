"""A guard: every message a planner can meet is built in both languages, never as a bare English string.

The AST of the input modules (``geodata/*.py``) and of the optimizer modules that explain a plan that
cannot be made (``optimizer/{api,screening,decisions,prepare,config}.py`` and the kinds) is walked; a call
that raises or records a message (``InputError(…)``, ``InfeasibleError(…)``, ``report.error(file, …)``,
``report_rows(…)``, ``Finding(name, …)``, a pydantic validator's ``ValueError(…)``) whose message or fix is a
string literal, an f-string or a concatenation of them fails the test: such a text has no Chinese. A message
comes from a catalogue (``say(code, …)``) or is a :class:`~healthplan.geodata.text.Text`. The allow-list
below names the few places where a literal is right, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FILES = sorted([*(ROOT / "geodata").glob("*.py"), *(ROOT / "optimizer" / "kinds").glob("*.py"),
                *(ROOT / "optimizer" / n for n in ("api.py", "screening.py", "decisions.py", "prepare.py",
                                                   "config.py", "messages.py"))])

# (file, line text fragment) → why a literal message is right there.
ALLOWED: dict[tuple[str, str], str] = {
}

# Calls that carry a message: callee name → positions of the message/fix arguments (and their keywords).
ERRORS = {"InputError": (0,), "InfeasibleError": (0,), "HealthplanError": (0,), "Finding": (1,)}
REPORT_METHODS = {"error": (1, 2), "warning": (1, 2), "note": (1,)}
REPORTS = {"report", "rep", "tt_report"}
MESSAGE_KEYWORDS = {"message", "fix", "messages"}
# Modules whose pydantic validators raise ValueError for a scenario key (the loader prints both languages).
VALIDATOR_FILES = {"config.py", "decisions.py"}


def _bare(node: ast.AST | None) -> bool:
    """A string literal, an f-string, or ``+``/``%`` of them: a text with no Chinese (``""`` is fine)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value != ""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _bare(node.left) or _bare(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _bare(node.func.value)
    if isinstance(node, ast.List | ast.ListComp):
        elts = node.elts if isinstance(node, ast.List) else [node.elt]
        return any(_bare(e) for e in elts)
    return False


def _name(func: ast.AST) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _message_args(call: ast.Call, file: Path) -> list[ast.AST]:
    """The arguments of ``call`` that hold a planner's message or fix, if it is a call that carries one."""
    name = _name(call.func)
    positions: tuple[int, ...] = ()
    if name in ERRORS:
        positions = ERRORS[name]
    elif name == "report_rows":
        positions = (3, 4)
    elif (name in REPORT_METHODS and isinstance(call.func, ast.Attribute)
          and isinstance(call.func.value, ast.Name) and call.func.value.id in REPORTS):
        positions = REPORT_METHODS[name]
    elif name == "ValueError" and file.name in VALIDATOR_FILES:
        positions = (0,)
    else:
        return []
    args = [call.args[i] for i in positions if i < len(call.args)]
    return args + [k.value for k in call.keywords if k.arg in MESSAGE_KEYWORDS]


def _violations() -> list[str]:
    out = []
    for file in FILES:
        src = file.read_text(encoding="utf-8")
        lines = src.splitlines()
        rel = file.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(src, filename=str(file))):
            if not isinstance(node, ast.Call):
                continue
            for arg in _message_args(node, file):
                if not _bare(arg):
                    continue
                text = " ".join(lines[node.lineno - 1:node.end_lineno])
                if any(f == rel and frag in text for f, frag in ALLOWED):
                    continue
                out.append(f"{rel}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return out


def test_every_message_is_bilingual():
    bad = _violations()
    assert not bad, ("messages built from a bare English string (use a catalogue entry, say(code, …), or a "
                     "Text; or add the place to ALLOWED with its reason):\n" + "\n".join(bad))


def test_the_allow_list_is_short_and_every_entry_still_exists():
    assert len(ALLOWED) <= 8
    for (rel, frag), why in ALLOWED.items():
        assert why, rel
        assert frag in (ROOT / rel).read_text(encoding="utf-8"), f"stale allow-list entry {rel}: {frag!r}"


@pytest.mark.parametrize("src,bad", [
    ('report.error(f, "no Chinese", "fix")', True),
    ('report.error(f, say("x"), "fix")', True),
    ('report.error(f, say("x"), say("x.fix"))', False),
    ('raise InputError(f"{x} is wrong", file="s")', True),
    ('raise InputError(say("x"), file="s", fix="do this")', True),
    ('raise InfeasibleError("infeasible: " + msg)', True),
    ('raise InfeasibleError(say("infeasible", detail=d), standard="x")', False),
    ('report_rows(report, f, ids, [f"row {i}" for i in r], say("fix"))', True),
    ('report.warning(f, Text("中文", "English"))', False),
    ('report.error(f, message)', False),
    ('logger.error("not a planner message")', False),
])
def test_the_guard_sees_bare_strings(src, bad):
    call = next(n for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Call) and _name(n.func) != "say")
    assert any(_bare(a) for a in _message_args(call, Path("x.py"))) is bad
