"""Pre-solve checks that explain infeasibility with numbers ("mandated fever rooms cost 1,150万元 > budget 800万元"),
from the standards themselves: each hard standard's structural limit and the least capital it needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthplan.optimizer.kinds import enabled_kinds, kind_standard
from healthplan.optimizer.messages import kind_name, say, standard_name
from healthplan.optimizer.standard import Finding
from healthplan.optimizer.text import Text

if TYPE_CHECKING:
    from healthplan.optimizer.prepare import ModelData

__all__ = ["Finding", "mandated_costs", "screen", "wan"]


def wan(x: float) -> str:
    """Format 万元 with thousands separators, e.g. ``1,150万元``."""
    return f"{x:,.0f}万元" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}万元"


def mandated_costs(data: ModelData) -> dict[str, float]:
    """Least capital (万元, a lower bound) each hard standard needs on its own; keys are standard names."""
    out: dict[str, float] = {}
    for k in enabled_kinds(data.cfg):
        out.update(k.min_costs(data))
    return out


def screen(data: ModelData, *, budget_limits: bool = True) -> list[Finding]:
    """Every cheap, certain reason the hard standards fail: structural limits first, then money.

    ``budget_limits=False`` (min-budget mode) skips the capital checks.
    """
    cfg = data.cfg
    found: list[Finding] = []
    for k in enabled_kinds(cfg):
        for s in k.active_standards(cfg):
            if s.rule(cfg).mode == "hard":
                f = s.structural(data)
                if f is not None:
                    found.append(f)
    if found or not budget_limits:
        return found
    costs = mandated_costs(data)
    total = sum(costs.values())
    if cfg.budget_wan is not None and total > cfg.budget_wan + 1e-6:
        ranked = sorted(costs.items(), key=lambda kv: -kv[1])
        parts = Text.join(Text("、", ", "), [standard_name(k) + f" {wan(v)}" for k, v in ranked])
        top = max(costs, key=costs.get)
        money = {"total": wan(total), "budget": wan(cfg.budget_wan), "gap": wan(total - cfg.budget_wan),
                 "parts": parts}
        if len(costs) == 1:
            msg = say("money.one", what=_what(top), label=standard_name(top), **money)
        else:
            msg = say("money.mandated", **money)
        found.append(Finding(top, msg, total, cfg.budget_wan, "万元", False))
    for name, cap in sorted(cfg.earmarks_wan.items()):
        need = sum(v for s, v in costs.items() if (std := kind_standard(s)) is not None and std.kind == name)
        if need > cap + 1e-6:
            msg = say("money.earmark", kind=kind_name(name), name=name, need=wan(need), cap=wan(cap),
                      gap=wan(need - cap))
            found.append(Finding(f"budget_earmark_{name}", msg, need, cap, "万元", False))
    ph = cfg.phasing
    if ph.budgets_wan is not None and total > sum(ph.budgets_wan) + 1e-6:
        yearly = sum(ph.budgets_wan)
        found.append(Finding("budget_year", say("money.yearly", total=wan(total), budgets=wan(yearly),
                                                gap=wan(total - yearly)), total, yearly, "万元", False))
    if cfg.opex_cap_wan is not None:
        for k in enabled_kinds(cfg):
            extra, why = k.opex_floor(data)
            if extra > cfg.opex_cap_wan + 1e-6:
                msg = say("money.opex", why=Text.of(why), extra=wan(extra), cap=wan(cfg.opex_cap_wan),
                          gap=wan(extra - cfg.opex_cap_wan))
                found.append(Finding("budget_opex", msg, extra, cfg.opex_cap_wan, "万元", True))
    return found


def _what(name: str) -> Text:
    """What a standard's mandated items are, for a one-standard message (「规定设置的发热诊室」, "mandated fever
    rooms")."""
    s = kind_standard(name)
    if s is None:
        return Text(name, name)
    if s.what is not None:
        return s.what
    return say("money.items_of", label=Text(s.label("zh"), s.label("en").lower()))
