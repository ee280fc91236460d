"""Pre-solve checks that explain infeasibility with numbers ("mandated fever rooms cost 1,150万元 > budget 800万元"),
from the standards themselves: each hard standard's structural limit and the least capital it needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthplan.optimizer.kinds import enabled_kinds, kind_standard
from healthplan.optimizer.standard import Finding

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
        parts = ", ".join(f"{k} {wan(v)}" for k, v in sorted(costs.items(), key=lambda kv: -kv[1]))
        top = max(costs, key=costs.get)
        head = f"mandated items cost {wan(total)} > budget {wan(cfg.budget_wan)}"
        if len(costs) == 1:
            head = f"{_what(top)} cost {wan(total)} > budget {wan(cfg.budget_wan)}"
        found.append(Finding(top, f"{head} ({parts}; hard standards)", total, cfg.budget_wan, "万元", False))
    for name, cap in sorted(cfg.earmarks_wan.items()):
        need = sum(v for s, v in costs.items() if (std := kind_standard(s)) is not None and std.kind == name)
        if need > cap + 1e-6:
            found.append(Finding(f"budget_earmark_{name}", f"hard {name} standards need {wan(need)} > earmark "
                                 f"{wan(cap)} for {name}", need, cap, "万元", False))
    ph = cfg.phasing
    if ph.budgets_wan is not None and total > sum(ph.budgets_wan) + 1e-6:
        found.append(Finding("budget_year", f"mandated items cost {wan(total)} > the {wan(sum(ph.budgets_wan))} "
                             "of all yearly budgets together", total, sum(ph.budgets_wan), "万元", False))
    if cfg.opex_cap_wan is not None:
        for k in enabled_kinds(cfg):
            extra, why = k.opex_floor(data)
            if extra > cfg.opex_cap_wan + 1e-6:
                found.append(Finding("budget_opex", f"{why} adds {wan(extra)} a year of running cost > opex cap "
                                     f"{wan(cfg.opex_cap_wan)}", extra, cfg.opex_cap_wan, "万元", True))
    return found


def _what(name: str) -> str:
    """What a standard's mandated items are, for a one-standard message ("mandated fever rooms")."""
    s = kind_standard(name)
    if s is None:
        return name
    return s.what("en") if s.what is not None else f"the items of {s.label('en').lower()}"
