"""What the run's notes say about where the inputs came from: datum conversions, OpenStreetMap extracts.

Also the travel settings an OpenStreetMap extract is read with (its own columns, already split at junctions).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from healthplan.geodata.config import TravelConfig
from healthplan.geodata.datum import DATUM_LABELS


def source_notes(raw: dict[str, pd.DataFrame | None]) -> tuple[list[str], list[str], dict[str, object]]:
    """Notes (Chinese, English) and ``Instance.meta`` entries about the layers as read.

    ``meta["datum_converted"]`` maps each converted layer to its datum (``gcj02``/``bd09``);
    ``meta["osm"]`` holds the OpenStreetMap extract's counts (ways read, junctions, segments).
    """
    notes: list[str] = []
    notes_en: list[str] = []
    meta: dict[str, object] = {}
    converted: dict[str, str] = {}
    for kind, frame in raw.items():
        if frame is None or not frame.attrs.get("datum"):
            continue
        datum = str(frame.attrs["datum"])
        name = Path(str(frame.attrs.get("file", kind))).name
        shift = float(frame.attrs.get("datum_shift_m", 0.0))
        converted[kind] = datum
        zh, en = DATUM_LABELS[datum]
        notes.append(f"图层 {kind}（{name}）的坐标由 {zh} 转换为 WGS-84（中位移动 {shift:,.0f} 米）")
        notes_en.append(f"Layer {kind} ({name}) converted from {en} to WGS-84 (median shift {shift:,.0f} m)")
    if converted:
        meta["datum_converted"] = converted
    roads = raw.get("roads")
    if roads is not None and roads.attrs.get("format") == "osm":
        c = dict(roads.attrs.get("osm_counts", {}))
        name = Path(str(roads.attrs.get("file", "roads"))).name
        notes.append(f"道路取自 OpenStreetMap 数据 {name}：{c.get('ways', 0):,} 条道路（另有 {c.get('skipped', 0):,} 条"
                     f"非机动车道路未用），在 {c.get('junctions', 0):,} 个共用节点处相交，切分为 {c.get('segments', 0):,} 段")
        notes_en.append(f"Roads from the OpenStreetMap extract {name}: {c.get('ways', 0):,} ways read as roads "
                        f"({c.get('skipped', 0):,} other highway ways left out), meeting at "
                        f"{c.get('junctions', 0):,} shared nodes, cut into {c.get('segments', 0):,} segments")
        meta["osm"] = c
    return notes, notes_en, meta


def osm_travel(travel: TravelConfig) -> TravelConfig:
    """The travel settings for roads read from OpenStreetMap: the reader's own columns, split at shared nodes."""
    return travel.model_copy(update={"class_column": "class", "speed_column": "speed_kph",
                                     "oneway_column": "oneway", "noding": "ends"})
