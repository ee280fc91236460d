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
    """Row ``budget_opex``: Σ annual running cost of the new items ≤ opex_cap_wan (万元 a year, hard).

    The cap bounds the additional annual running cost the plan commits to (each kind's ``opex_terms``, e.g. the
    crews of new vehicles; C: Beijing Tongzhou 35万元 per vehicle-year); existing stock is already funded. Kept in
    min-budget mode (not capital).
    """
    from healthplan.optimizer.kinds import enabled_kinds

    cap = m.data.cfg.opex_cap_wan
    if cap is None:
        return
    terms = [tc for k in enabled_kinds(m.data.cfg) for tc in k.opex_terms(m)]
    if terms:
        m.add(expr(terms) <= float(cap), "budget_opex")
