"""Pre-solve checks that explain infeasibility with numbers ("mandated fever rooms cost 1,150万元 > budget 800万元")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from healthplan.optimizer.prepare import ModelData


@dataclass(frozen=True)
class Finding:
    """One reason the hard standards cannot hold: which standard, what it needs, what is possible, in ``unit``.

    ``structural`` findings no budget can fix (capacity, eligibility); others are money (``unit`` 万元).
    """

    standard: str
    message: str
    required: float
    achievable: float
    unit: str
    structural: bool


def wan(x: float) -> str:
    """Format 万元 with thousands separators, e.g. ``1,150万元``."""
    return f"{x:,.0f}万元" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}万元"


def mandated_costs(data: ModelData) -> dict[str, float]:
    """Least capital (万元, a lower bound) each hard standard needs on its own; keys are standard names."""
    r = data.cfg.resources
    out: dict[str, float] = {}
    a = r.ambulance
    spare = np.where(data.amb_eligible, data.amb_capacity - data.amb_ord - data.amb_np, 0)
    f0, np0 = float(data.amb_ord.sum() + data.amb_np.sum()), float(data.amb_np.sum())
    c_ord = float(data.cost["ambulance_ord"][spare > 0].min()) if (spare > 0).any() else 0.0
    c_np = float(data.cost["ambulance_np"][spare > 0].min()) if (spare > 0).any() else 0.0
    if a.enabled:
        k = max(data.notes["fleet_required"] - f0, 0.0) if a.fleet.mode == "hard" else 0.0
        n_np = 0.0
        if a.np_share_rule.mode == "hard":
            final = f0 + k
            n_np = max(np.ceil(a.np_share * final - np0 - 1e-9), 0.0)
            if n_np > k:  # buying NP vehicles raises the fleet too: NP0 + n ≥ share (F0 + n)
                n_np = max(np.ceil((a.np_share * f0 - np0) / max(1 - a.np_share, 1e-9) - 1e-9), 0.0)
        if k or n_np:
            out["amb_fleet_ratio" if k else "amb_np_share"] = n_np * c_np + max(k - n_np, 0.0) * c_ord
        if a.one_per_thc.mode == "hard":
            need = data.thc & (data.amb_ord + data.amb_np == 0)
            cost = (np.minimum(data.cost["ambulance_ord"], data.cost["ambulance_np"]) + data.cost["new_station"])[need]
            if need.any():
                out["amb_one_per_thc"] = float(cost.sum())
    f = r.fever
    if f.enabled and f.clinic_mandate.mode == "hard" and data.clinic_eligible.any():
        out["fever_clinic_mandate"] = float(data.cost["fever_clinic"][data.clinic_eligible].sum())
    if f.enabled and f.room_mandate.mode == "hard":
        need = data.room_mandated & ~(data.room_has | data.clinic_has)
        if f.clinic_mandate.mode == "hard":
            need &= ~data.clinic_eligible  # a mandated clinic also serves as the room
        cheapest = np.where(data.room_eligible, data.cost["fever_room"], np.inf)
        cheapest = np.minimum(cheapest, np.where(data.clinic_eligible, data.cost["fever_clinic"], np.inf))
        if need.any() and np.isfinite(cheapest[need]).all():
            out["fever_room_mandate"] = float(cheapest[need].sum())
    b = r.blood
    need_b = int(b.min_points - data.blood_has.sum())
    if b.enabled and b.min_points_rule.mode == "hard" and need_b > 0:
        costs = np.sort(data.cost["blood"][data.blood_eligible])
        if len(costs) >= need_b:
            out["blood_min_points"] = float(costs[:need_b].sum())
    s = r.subcentre
    if s.enabled and s.target_count is not None and s.target_rule.mode == "hard":
        need_s = int(s.target_count - data.sub_has.sum())
        costs = np.sort(data.cost["subcentre"][data.sub_eligible])
        if need_s > 0 and len(costs) >= need_s:
            out["subcentre_target"] = float(costs[:need_s].sum())
    return out


def screen(data: ModelData, *, budget_limits: bool = True) -> list[Finding]:
    """Every cheap, certain reason the hard standards fail: structural limits first, then money.

    ``budget_limits=False`` (min-budget mode) skips the capital checks.
    """
    r = data.cfg.resources
    found: list[Finding] = []
    a = r.ambulance
    spare = np.where(data.amb_eligible, data.amb_capacity - data.amb_ord - data.amb_np, 0)
    f0 = float(data.amb_ord.sum() + data.amb_np.sum())
    if a.enabled and a.fleet.mode == "hard":
        most = f0 + float(spare.sum())
        need = data.notes["fleet_required"]
        if most < need:
            found.append(Finding("amb_fleet_ratio", f"the fleet standard needs {need:,.0f} vehicles but the eligible "
                                 f"stations hold at most {most:,.0f} (existing {f0:,.0f} + free capacity "
                                 f"{spare.sum():,.0f}); raise station_capacity or allow more station levels",
                                 need, most, "vehicles", True))
    if a.enabled and a.one_per_thc.mode == "hard":
        stuck = data.thc & (data.amb_ord + data.amb_np == 0) & (spare <= 0)
        if stuck.any():
            ids = list(data.instance.sites.index.astype(str)[stuck][:5])
            found.append(Finding("amb_one_per_thc", f"{int(stuck.sum())} township health centres cannot host an "
                                 f"ambulance (not a station level or no capacity), e.g. {ids}",
                                 float(data.thc.sum()), float(data.thc.sum() - stuck.sum()), "sites", True))
    b = r.blood
    if b.enabled and b.min_points_rule.mode == "hard":
        most = float(data.blood_has.sum() + data.blood_eligible.sum())
        if most < b.min_points:
            found.append(Finding("blood_min_points", f"at least {b.min_points} blood points are required but only "
                                 f"{most:,.0f} sites can have one (existing + candidates); widen blood.candidates",
                                 float(b.min_points), most, "sites", True))
    s = r.subcentre
    if s.enabled and s.target_count is not None and s.target_rule.mode == "hard":
        most = float(data.sub_has.sum() + data.sub_eligible.sum())
        if most < s.target_count:
            found.append(Finding("subcentre_target", f"the target of {s.target_count} sub-centres exceeds the "
                                 f"{most:,.0f} possible (existing + eligible); relax subcentre.eligibility",
                                 float(s.target_count), most, "sites", True))
    if found or not budget_limits:
        return found
    costs = mandated_costs(data)
    total = sum(costs.values())
    cfg = data.cfg
    if cfg.budget_wan is not None and total > cfg.budget_wan + 1e-6:
        parts = ", ".join(f"{k} {wan(v)}" for k, v in sorted(costs.items(), key=lambda kv: -kv[1]))
        top = max(costs, key=costs.get)
        head = f"mandated items cost {wan(total)} > budget {wan(cfg.budget_wan)}"
        if len(costs) == 1:
            head = f"{_label(top)} cost {wan(total)} > budget {wan(cfg.budget_wan)}"
        found.append(Finding(top, f"{head} ({parts}; hard standards)", total, cfg.budget_wan, "万元", False))
    by_kind = {"ambulance": ("amb_",), "fever": ("fever_",), "blood": ("blood_",), "subcentre": ("subcentre_",)}
    for kind, cap in sorted(cfg.earmarks_wan.items()):
        need = sum(v for k, v in costs.items() if k.startswith(by_kind[kind]))
        if need > cap + 1e-6:
            found.append(Finding(f"budget_earmark_{kind}", f"hard {kind} standards need {wan(need)} > earmark "
                                 f"{wan(cap)} for {kind}", need, cap, "万元", False))
    ph = cfg.phasing
    if ph.budgets_wan is not None and total > sum(ph.budgets_wan) + 1e-6:
        found.append(Finding("budget_year", f"mandated items cost {wan(total)} > the {wan(sum(ph.budgets_wan))} "
                             "of all yearly budgets together", total, sum(ph.budgets_wan), "万元", False))
    if cfg.opex_cap_wan is not None and a.enabled and a.fleet.mode == "hard":
        extra = max(data.notes["fleet_required"] - f0, 0.0) * a.opex_wan_per_vehicle_year
        if extra > cfg.opex_cap_wan + 1e-6:
            found.append(Finding("budget_opex", f"the fleet standard adds {wan(extra)} a year of running cost > "
                                 f"opex cap {wan(cfg.opex_cap_wan)}", extra, cfg.opex_cap_wan, "万元", True))
    return found


def _label(name: str) -> str:
    return {"fever_room_mandate": "mandated fever rooms", "fever_clinic_mandate": "mandated fever clinics",
            "amb_fleet_ratio": "the vehicles the fleet standard needs", "amb_np_share": "the negative-pressure vehicles",
            "amb_one_per_thc": "one ambulance per township health centre", "blood_min_points": "the required blood points",
            "subcentre_target": "the target sub-centres"}.get(name, name)
