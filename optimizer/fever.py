"""Fever clinics at eligible hospitals (and large township health centres) and fever rooms at primary centres."""

from __future__ import annotations

import numpy as np
import pulp

from healthplan.optimizer.covering import add_covering
from healthplan.optimizer.model import Model, expr

KIND = "fever"


def add_fever_variables(m: Model) -> None:
    """Binaries f^clinic_jt at clinic-eligible sites, f^room_jt at room-level sites without a clinic or room.

    Row ``fever_once_<j>``: Σ_t (f^clinic_jt + f^room_jt) ≤ 1 (a site gets one fever unit; a clinic also serves
    as the site's fever room). Costs: clinic 1,600万元 (C: Henan county TCM hospital), room as configured.
    Source: seed 000 item 12 (clinics at the district hospitals, standard rooms at every township/community centre).
    """
    d, cfg = m.data, m.data.cfg.resources.fever
    if not cfg.enabled:
        return
    clinic, room = m.family("fever_clinic"), m.family("fever_room")
    for j in np.flatnonzero(d.clinic_eligible | d.room_eligible):
        for t in range(m.n_years):
            if d.clinic_eligible[j]:
                clinic[(j, t)] = m.var(f"fever_clinic_{j}_{t}", 0, 1, cat=pulp.LpBinary)
                m.add_cost(KIND, t, clinic[(j, t)], float(d.cost["fever_clinic"][j]))
            if d.room_eligible[j]:
                room[(j, t)] = m.var(f"fever_room_{j}_{t}", 0, 1, cat=pulp.LpBinary)
                m.add_cost(KIND, t, room[(j, t)], float(d.cost["fever_room"][j]))
        units = m.cumulative("fever_clinic", j, m.n_years - 1) + m.cumulative("fever_room", j, m.n_years - 1)
        if len(units) > 1:
            m.add(expr(units) <= 1, f"fever_once_{j}")


def add_fever_coverage(m: Model) -> None:
    """Maximal covering within the fever access standard (urban 15 / rural 30 min; B: Hainan plans, IJEH 2021)."""
    d, cfg = m.data, m.data.cfg.resources.fever
    if not cfg.enabled:
        return
    add_covering(m, "fever", ("fever_clinic", "fever_room"), d.clinic_has | d.room_has, weight=cfg.weight,
                 in_objective=True)
