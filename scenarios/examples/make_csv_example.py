"""Generate the plain-CSV example instance (demand.csv, sites.csv, od.csv) in this script's ``csv/`` folder.

The "any instance" inputs of issue 3 §6: a planner with an OD matrix from a map service and no road layer.
The county is SYNTHETIC (seeded): 8 townships, 150 villages around a county seat in the hills of eastern
Sichuan, 20 sites (hospitals, health centres and greenfield candidates) and straight-line travel times × a
detour factor at a hill-road speed, with ±15 % noise, kept up to 60 minutes (a missing pair means
unreachable).

Run ``python scenarios/examples/make_csv_example.py`` to rewrite the files (same seed, same bytes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240605
OUT = Path(__file__).resolve().parent / "csv"
CENTRE_LON, CENTRE_LAT = 106.63, 30.47  # a hill county of eastern Sichuan (location only; the data are invented)
M_PER_DEG_LAT = 111_320.0  # metres per degree of latitude (spherical Earth)
DETOUR = 1.6  # road ÷ straight-line distance (B: 中国全科医学 2011, as in geodata's default)
SPEED_KPH = 30.0  # hill township roads (ASSUMPTION, STANDARDS.md township-road speed)
CUTOFF_MIN = 60.0  # longest travel time kept, minutes
HALF_WIDTH_KM, HALF_HEIGHT_KM = 32.0, 26.0

TOWNSHIPS = ["城关街道", "花桥镇", "石笋镇", "悦来镇", "恒升镇", "协兴镇", "龙台乡", "白马乡"]
SITES = [  # id, name, level, township index, beds, amb_ord, amb_np, fever_clinic, fever_room, blood_point, subcentre
    ("H01", "县人民医院", "county_hospital", 0, 600, 4, 2, 1, 0, 0, 0),
    ("H02", "县中医院", "tcm_hospital", 0, 300, 2, 0, 0, 0, 0, 0),
    ("C01", "城关社区卫生服务中心", "chc", 0, 20, 0, 0, 0, 1, 0, 0),
    ("C02", "城南社区卫生服务中心", "chc", 0, 20, 0, 0, 0, 0, 0, 0),
    ("T01", "花桥中心卫生院", "central_thc", 1, 80, 1, 0, 0, 1, 0, 0),
    ("T02", "石笋中心卫生院", "central_thc", 2, 60, 1, 0, 0, 0, 0, 0),
    ("T03", "悦来镇卫生院", "thc", 3, 30, 0, 0, 0, 0, 0, 0),
    ("T04", "恒升镇卫生院", "thc", 4, 30, 1, 0, 0, 0, 0, 0),
    ("T05", "协兴镇卫生院", "thc", 5, 25, 0, 0, 0, 0, 0, 0),
    ("T06", "龙台乡卫生院", "thc", 6, 15, 0, 0, 0, 0, 0, 0),
    ("T07", "白马乡卫生院", "thc", 7, 15, 0, 0, 0, 0, 0, 0),
]
N_CANDIDATES = 9
N_VILLAGES = 150


def _lonlat(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = CENTRE_LAT + y_km * 1000 / M_PER_DEG_LAT
    lon = CENTRE_LON + x_km * 1000 / (M_PER_DEG_LAT * np.cos(np.radians(CENTRE_LAT)))
    return lon.round(6), lat.round(6)


def make(out: Path = OUT, seed: int = SEED) -> list[Path]:
    """Write demand.csv, sites.csv and od.csv into ``out``; returns their paths."""
    rng = np.random.default_rng(seed)
    # township seats: the county seat at the centre, the others on a ring
    angles = np.linspace(0, 2 * np.pi, len(TOWNSHIPS) - 1, endpoint=False) + rng.uniform(0, 0.4)
    seat_x = np.r_[0.0, 0.75 * HALF_WIDTH_KM * np.cos(angles)]
    seat_y = np.r_[0.0, 0.75 * HALF_HEIGHT_KM * np.sin(angles)]
    # villages: clustered round the seats (dense near the county seat), clipped to the county's box
    tw = rng.choice(len(TOWNSHIPS), size=N_VILLAGES, p=np.r_[0.22, np.full(len(TOWNSHIPS) - 1, 0.78 / 7)])
    spread = np.where(tw == 0, 2.5, 7.0)
    vx = np.clip(seat_x[tw] + rng.normal(0, spread), -HALF_WIDTH_KM, HALF_WIDTH_KM)
    vy = np.clip(seat_y[tw] + rng.normal(0, spread), -HALF_HEIGHT_KM, HALF_HEIGHT_KM)
    urban = (tw == 0) & (np.hypot(vx, vy) < 4.0)
    pop = np.where(urban, rng.lognormal(8.6, 0.4, N_VILLAGES), rng.lognormal(7.3, 0.5, N_VILLAGES)).round(-1)
    lon, lat = _lonlat(vx, vy)
    demand = pd.DataFrame({
        "id": [f"V{i + 1:03d}" for i in range(N_VILLAGES)],
        "population": pop.astype(int),
        "urban": urban.astype(int),
        "township": [f"TS{t + 1:02d}" for t in tw],
        "lon": lon, "lat": lat,
    })
    rows = []
    for sid, name, level, t, beds, ao, an, fc, fr, bp, sc in SITES:
        jitter = rng.normal(0, 0.6, 2) if t else rng.normal(0, 0.8, 2)
        rows.append({"id": sid, "name": name, "level": level, "township": f"TS{t + 1:02d}",
                     "x": seat_x[t] + jitter[0], "y": seat_y[t] + jitter[1], "beds": beds, "amb_ord": ao,
                     "amb_np": an, "fever_clinic": fc, "fever_room": fr, "blood_point": bp, "subcentre": sc,
                     "station_capacity": 6 if level.endswith("hospital") else 3, "candidate": 0})
    cx = rng.uniform(-0.8, 0.8, N_CANDIDATES) * HALF_WIDTH_KM
    cy = rng.uniform(-0.8, 0.8, N_CANDIDATES) * HALF_HEIGHT_KM
    for k in range(N_CANDIDATES):
        t = int(np.argmin(np.hypot(seat_x - cx[k], seat_y - cy[k])))
        rows.append({"id": f"N{k + 1:02d}", "name": f"候选新址{k + 1}", "level": "candidate",
                     "township": f"TS{t + 1:02d}", "x": cx[k], "y": cy[k], "beds": 0, "amb_ord": 0, "amb_np": 0,
                     "fever_clinic": 0, "fever_room": 0, "blood_point": 0, "subcentre": 0, "station_capacity": 2,
                     "candidate": 1})
    sites = pd.DataFrame(rows)
    slon, slat = _lonlat(sites["x"].to_numpy(), sites["y"].to_numpy())
    # OD minutes: straight line × detour at hill-road speed, ±15 % noise per pair (one-off map-service
    # figures)
    dist_km = np.hypot(sites["x"].to_numpy()[:, None] - vx[None, :], sites["y"].to_numpy()[:, None] - vy[None, :])
    minutes = dist_km * DETOUR / SPEED_KPH * 60 * rng.uniform(0.85, 1.15, dist_km.shape) + 1.0
    si, di = np.nonzero(minutes <= CUTOFF_MIN)
    od = pd.DataFrame({"site_id": sites["id"].to_numpy()[si], "demand_id": demand["id"].to_numpy()[di],
                       "minutes": minutes[si, di].round(1)})
    sites = sites.drop(columns=["x", "y"]).assign(lon=slon, lat=slat)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "demand.csv", out / "sites.csv", out / "od.csv"]
    for df, p in zip((demand, sites, od), paths, strict=True):
        df.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
    return paths


if __name__ == "__main__":
    for p in make():
        print(p)
