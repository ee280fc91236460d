"""Budget: capital ceiling, earmarks per kind and the annual operating-cost cap."""

from __future__ import annotations

from healthplan.optimizer.model import Model, expr


def add_budget(m: Model) -> None:
    """Row ``budget_total``: Σ_items cost ≤ budget_wan (万元, hard); skipped in min-budget mode or without a budget.

    Unit costs per item with per-site overrides (cfg.site_costs_wan); new-station fixed cost included.
    """
    b = m.data.cfg.budget_wan
    if b is None or m.mode == "min_budget" or not m.cost:
        return
    m.add(expr(m.cost) <= float(b), "budget_total")


def add_earmarks(m: Model) -> None:
    """Rows ``budget_earmark_<kind>``: Σ_t spend_kind,t ≤ earmark_kind (万元, hard; ignored in min-budget mode)."""
    if m.mode == "min_budget":
        return
    for kind, cap in sorted(m.data.cfg.earmarks_wan.items()):
        terms = [tc for (k, _), ts in m.spend.items() if k == kind for tc in ts]
        if terms:
            m.add(expr(terms) <= float(cap), f"budget_earmark_{kind}")


def add_opex_cap(m: Model) -> None:
    """Row ``budget_opex``: opex × Σ new vehicles ≤ opex_cap_wan (万元 a year, hard).

    The cap bounds the additional annual running cost the plan commits to (crews of the new vehicles; C: Beijing
    Tongzhou 35万元 per vehicle-year); existing vehicles are already funded. Kept in min-budget mode (not capital).
    """
    cap = m.data.cfg.opex_cap_wan
    if cap is None:
        return
    opex = m.data.cfg.resources.ambulance.opex_wan_per_vehicle_year
    terms = [(v, opex) for fam in ("amb_ord", "amb_np") for v in m.x.get(fam, {}).values()]
    if terms:
        m.add(expr(terms) <= float(cap), "budget_opex")
