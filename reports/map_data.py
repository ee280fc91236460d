"""What the print maps and the HTML map draw, assembled once from the instance, the plan and the project list.

Both ``reports.maps`` and ``reports.htmlmap`` read a :class:`MapData`; neither names a resource kind. Kinds, their
item types, symbols, colours and names come from the registry (:mod:`healthplan.optimizer.kinds`); which sites
already give a kind's service comes from ``Plan.site_units`` (the model's own count), so the maps agree with the
model (a blood station is drawn as a blood point only when the model counts it; secondary care is what the
scenario's ``secondary_levels`` give).

The project list is read by its canonical columns (:data:`PROJECT_FIELDS`), never by a localised header: the
序号 ``no`` a new site carries on the maps is the row number of the per-site project list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from healthplan.geodata.instance import Instance
from healthplan.optimizer.kind import ItemType, ResourceKind
from healthplan.optimizer.kinds import ITEM_KEYS, KINDS, item_type
from healthplan.optimizer.kinds import kind as registered_kind
from healthplan.optimizer.plan import Plan
from healthplan.optimizer.text import is_en

log = logging.getLogger(__name__)

# Canonical columns of the project list (reports.projects.project_table), index item_id.
PROJECT_FIELDS: tuple[str, ...] = (
    "no", "item_ids", "site_id", "kind", "origin", "name", "nature", "location", "content", "cost_wan", "funding",
    "period", "responsible", "basis",
)
# A demand point counts as covered when at least half its population is (shares are 0/1; MEXCLP's are not).
COVERED_THRESHOLD = 0.5
# The county seat gets an inset (城区放大图) when its extent is at most this share of the county's extent (area).
INSET_MAX_AREA_SHARE = 0.06


class ProjectTableError(ValueError):
    """The project list handed to the maps lacks the canonical columns."""


def maps_unavailable_reason(instance: Instance, lang: str = "zh") -> str | None:
    """Why no map can be drawn for ``instance`` (plain CSV inputs without coordinates), or ``None``."""
    has_xy = {"x", "y"} <= set(instance.demand)
    xy = instance.demand[["x", "y"]].to_numpy(dtype=float) if has_xy else np.empty((0, 2))
    if instance.townships is None and not np.isfinite(xy).all(axis=1).any():
        return ("The inputs have no geometry (plain CSV), so no maps were drawn." if is_en(lang)
                else "输入数据无地理坐标（纯表格/CSV），未生成地图。")
    return None


def item_kind(key: str) -> ResourceKind | None:
    """The registered kind of a plan row's item type (``None`` for an unknown type)."""
    return item_type(key)[0] if key in ITEM_KEYS else None


def kind_item_services(k: ResourceKind) -> tuple[str, ...]:
    """The services the kind's item types add to, in declaration order (what its map shades)."""
    return tuple(dict.fromkeys(it.service for it in k.items))


@dataclass
class MapData:
    """What every map draws, assembled once: labelled layers in the instance CRS (metres), joined projects.

    ``kinds`` are the names of the registered kinds drawn (those with coverage in the plan or items), in
    registration order; ``held`` is, per item type, which sites hold it today as the model counts them;
    ``providers`` per kind which sites give its service without holding any of its items.
    """

    instance: Instance
    plan: Plan
    lang: str
    townships: gpd.GeoDataFrame | None  # index township id; columns label, urban
    demand: pd.DataFrame  # x, y, population, township + "{service}_before/_after" coverage shares
    sites: pd.DataFrame  # x, y, label, level, stock columns
    items: pd.DataFrame  # one row per plan item: see project_records
    kinds: list[str]
    bounds: tuple[float, float, float, float]
    held: dict[str, np.ndarray] = field(default_factory=dict)
    providers: dict[str, np.ndarray] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # drawing paths shared by the maps of one process
    _cells: np.ndarray | None = None
    _outline: object | None = None

    @classmethod
    def build(cls, instance: Instance, plan: Plan, projects: pd.DataFrame | None, lang: str) -> MapData:
        """Assemble the layers of ``instance`` and ``plan``; ``projects`` (the canonical project list) gives the
        序号, names, content and 依据 of each item (``None``: numbered and named from the plan)."""
        en = is_en(lang)
        sites = instance.sites.copy()
        sites["label"] = _pick_label(sites, en)
        demand = instance.demand.copy()
        cov = plan.demand_coverage.reindex(demand.index)
        for col in cov.columns:
            demand[col] = pd.to_numeric(cov[col], errors="coerce").fillna(0.0).to_numpy()
        townships = None
        if instance.townships is not None and len(instance.townships):
            townships = instance.townships.copy()
            if instance.crs is not None and townships.crs is not None and townships.crs != instance.crs:
                townships = townships.to_crs(instance.crs)
            townships["label"] = township_labels(townships, en)
            townships["urban"] = _township_urban(townships, demand)
        items = project_records(instance, plan, projects, lang)
        held, providers = existing_providers(sites, plan.site_units)
        kinds = [k.name for k in KINDS
                 if _services_present(k, demand) or items["map_kind"].eq(k.name).any()]
        pts = demand[["x", "y"]].to_numpy(dtype=float)
        pts = pts[np.isfinite(pts).all(axis=1)]
        if townships is not None:
            x0, y0, x1, y1 = (float(v) for v in townships.total_bounds)
        else:
            allpts = np.vstack([pts, sites[["x", "y"]].to_numpy(dtype=float)])
            allpts = allpts[np.isfinite(allpts).all(axis=1)]
            x0, y0 = allpts.min(axis=0)
            x1, y1 = allpts.max(axis=0)
        pad = 0.04 * max(x1 - x0, y1 - y0, 1000.0)
        bounds = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        return cls(instance, plan, lang, townships, demand, sites, items, kinds, bounds, held, providers)

    # ------------------------------------------------------------ kinds and coverage

    def kind(self, name: str) -> ResourceKind:
        """The registered kind ``name``."""
        return registered_kind(name)

    def services(self, name: str) -> list[str]:
        """Coverage keys a map of kind ``name`` shades: the services its items add to that the plan measured
        (else the first of its ``map_services`` the plan measured)."""
        return _services_present(self.kind(name), self.demand)

    def items_of(self, name: str) -> tuple[ItemType, ...]:
        """The item types of kind ``name`` the maps name and draw: adding to a service the plan measured, or
        held by some site (a centre type switched off and held nowhere is not in the legend)."""
        measured = {c.removesuffix("_after") for c in self.demand.columns if c.endswith("_after")}
        held = {key for key, sites in self.held.items() if np.asarray(sites).any()}
        return self.kind(name).shown_items(measured, held)

    def kind_title(self, name: str) -> str:
        """The title of kind ``name``'s map, naming only :meth:`items_of` where the kind's title lists them."""
        return self.kind(name).map_name(self.lang, self.items_of(name))

    def existing(self, name: str) -> np.ndarray:
        """Sites drawn as existing facilities of kind ``name`` (holding one of its items, or a provider)."""
        k = self.kind(name)
        out = self.providers.get(name, np.zeros(len(self.sites), dtype=bool)).copy()
        for it in k.items:
            out |= self.held.get(it.key, False)
        return out

    def point_share(self, kind: str | None, when: str) -> pd.Series:
        """Covered share (0–1) of each demand point: one kind (mean of its services), or (``kind=None``) the
        mean of the kinds drawn."""
        names = self.kinds if kind is None else [kind]
        parts = []
        for name in names:
            cols = [f"{s}_{when}" for s in self.services(name)]
            if cols:
                parts.append(self.demand[cols].mean(axis=1))
        if not parts:
            return pd.Series(np.nan, index=self.demand.index)
        return pd.concat(parts, axis=1).mean(axis=1)

    def township_share(self, kind: str | None, when: str) -> pd.Series:
        """Share of each township's population covered (index township id): from Plan.township_coverage (persons)
        where it has the service, else from the demand points; a kind's services and (``None``) the kinds are
        averaged."""
        names = self.kinds if kind is None else [kind]
        parts = []
        for name in names:
            per = [self._township_service_share(s, when) for s in self.services(name)]
            if per:
                parts.append(pd.concat(per, axis=1).mean(axis=1))
        if not parts:
            ids = self.demand["township"].astype(str).unique()
            return pd.Series(np.nan, index=pd.Index(ids))
        return pd.concat(parts, axis=1).mean(axis=1)

    def _township_service_share(self, svc: str, when: str) -> pd.Series:
        tc = self.plan.township_coverage
        col = f"{svc}_{when}"
        if col in tc and "population" in tc:
            pop = pd.to_numeric(tc["population"], errors="coerce")
            share = pd.to_numeric(tc[col], errors="coerce") / pop.where(pop > 0)
            share.index = share.index.astype(str)
            return share
        pop = self.demand["population"].astype(float)
        town = self.demand["township"].astype(str)
        covered = (self.demand[col] * pop).groupby(town).sum()
        total = pop.groupby(town).sum()
        return covered / total.where(total > 0)

    def summary(self, kind: str | None) -> list[tuple[str, float, float, float]]:
        """(name, population, covered before, covered after) in persons, per service of a kind (all kinds when
        ``None``); a one-service kind is named by the kind, a service of a multi-service kind by the service."""
        from healthplan.optimizer.kinds import service as registered_service

        pop = self.demand["population"].astype(float)
        out = []
        for name in self.kinds if kind is None else [kind]:
            svcs = self.services(name)
            for s in svcs:
                label = self.kind(name).label(self.lang) if len(svcs) == 1 else registered_service(s)[1].label(
                    self.lang)
                out.append((label, float(pop.sum()), float((self.demand[f"{s}_before"] * pop).sum()),
                            float((self.demand[f"{s}_after"] * pop).sum())))
        return out

    # ------------------------------------------------------------ geometry

    def outline(self) -> object | None:
        """The county outline (union of the townships), or ``None`` without townships."""
        if self._outline is None and self.townships is not None:
            self._outline = shapely.union_all(self.townships.geometry.to_numpy())
        return self._outline

    def village_cells(self, clip: object | None = None) -> np.ndarray | None:
        """Voronoi cell of each demand point (the land nearest to it) clipped to the county (or to ``clip``,
        e.g. the outline as drawn); aligned with ``demand``, missing where a point has no coordinates.
        ``None`` with fewer than two located points."""
        if self._cells is not None and clip is None:
            return self._cells
        xy = self.demand[["x", "y"]].to_numpy(dtype=float)
        ok = np.isfinite(xy).all(axis=1)
        uniq, inverse = np.unique(xy[ok], axis=0, return_inverse=True)
        if len(uniq) < 2:
            return None
        own = clip is None
        if own:
            clip = self.outline() if self.townships is not None else shapely.box(*self.bounds)
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(uniq), extend_to=clip, ordered=True)
        )
        if len(cells) != len(uniq):  # degenerate input (collinear points): fall back to nothing drawn
            return None
        cells = shapely.intersection(cells, clip)
        out = np.full(len(xy), None, dtype=object)
        out[np.flatnonzero(ok)] = cells[inverse.ravel()]
        if own:
            self._cells = out
        return out

    def urban_extent(self) -> tuple[float, float, float, float] | None:
        """Box (metres) of the county seat's urban townships (街道) when it is small against the county (at most
        :data:`INSET_MAX_AREA_SHARE` of its extent) and holds several facilities: the extent of the inset
        (城区放大图). ``None`` when no inset is needed."""
        tw = self.townships
        if tw is None or not tw["urban"].any() or tw["urban"].all():
            return None
        x0, y0, x1, y1 = shapely.union_all(tw.geometry[tw["urban"]].to_numpy()).bounds
        w, h = x1 - x0, y1 - y0
        cx0, cy0, cx1, cy1 = (float(v) for v in tw.total_bounds)
        if w * h > INSET_MAX_AREA_SHARE * (cx1 - cx0) * (cy1 - cy0):
            return None
        xy = self.sites[["x", "y"]].to_numpy(dtype=float)
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        if inside.sum() < 3:
            return None
        pad = 0.08 * max(w, h)
        return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


# ---------------------------------------------------------------------------------------------- existing stock


def existing_providers(
    sites: pd.DataFrame, site_units: pd.DataFrame | None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Which sites hold each item type today, and which give each kind's service without holding its items.

    A site holds an item type when its stock column says so (any count column of a count kind) and, where
    ``site_units`` (Plan.site_units) has the item's service, the model counts a unit of it there. A provider
    gives a service of the kind (``{service}_before`` > 0 in ``site_units``) while holding none of the kind's
    items for that service (e.g. a secondary-level hospital for sub-centres).

    Returns
    -------
    (held, providers)
        ``held``: item key → bool per site; ``providers``: kind name → bool per site.
    """
    n = len(sites)
    units = site_units if site_units is not None else pd.DataFrame(index=sites.index)

    def flag(col: str) -> np.ndarray:
        if col not in sites:
            return np.zeros(n, dtype=bool)
        return pd.to_numeric(sites[col], errors="coerce").fillna(0).to_numpy(dtype=float) > 0

    def counted(svc: str) -> np.ndarray | None:
        col = f"{svc}_before"
        if col not in units:
            return None
        return pd.to_numeric(units[col], errors="coerce").reindex(sites.index).fillna(0).to_numpy(dtype=float) > 0

    held: dict[str, np.ndarray] = {}
    providers: dict[str, np.ndarray] = {}
    for k in KINDS:
        any_count = np.any([flag(c) for c in k.count_columns], axis=0) if k.count_columns else None
        for it in k.items:
            mask = any_count if it.column in k.count_columns else flag(it.column)
            model = counted(it.service)
            held[it.key] = mask & model if model is not None else mask
        prov = np.zeros(n, dtype=bool)
        for svc in kind_item_services(k):
            model = counted(svc)
            if model is None:
                continue
            holds = np.any([held[it.key] for it in k.items if it.service == svc], axis=0)
            prov |= model & ~holds
        providers[k.name] = prov
    return held, providers


def stock_text(k: ResourceKind, it: ItemType, site: pd.Series, provider: bool, lang: str) -> str:
    """How a popup words a site's existing stock of item type ``it``: the kind's stock words with the counts
    (「普通救护车4辆，负压救护车2辆」), the provider wording, or the item's label."""
    if provider:
        return k.providers.stock(lang) if k.providers is not None else it.label(lang)
    if it.column in k.count_columns:
        parts = []
        for col in k.count_columns:
            n = int(pd.to_numeric(site.get(col, 0), errors="coerce") or 0)
            if n > 0:
                words = k.stock_words.get(col)
                parts.append(words(lang, n=n) if words is not None else f"{it.label(lang)} {n}")
        if parts:
            return (", " if is_en(lang) else "，").join(parts)
    return it.label(lang)


def legend_name(k: ResourceKind, it: ItemType, lang: str) -> str:
    """Legend row of an item type's symbol pair: the kind's provider wording for the first item type of a
    service that existing providers give, else the item's label."""
    first = next(i for i in k.items if i.service == it.service)
    if k.providers is not None and it is first:
        return k.providers.legend(lang)
    return it.label(lang)


# ---------------------------------------------------------------------------------------------- projects


def project_records(
    instance: Instance, plan: Plan, projects: pd.DataFrame | None, lang: str = "zh"
) -> pd.DataFrame:
    """Plan.items, one row per item, joined with its site (x, y, lon, lat, site_label), its kind (map_kind) and
    its row of the project list: ``no`` (序号), ``name``, ``content``, ``basis``.

    ``projects`` is the canonical project list (:data:`PROJECT_FIELDS`, index item_id); each row lists its items
    in ``item_ids``. Without it, items of one site and item type are one row, numbered in the registry's order
    of item types, then by site name, and named by the kind's own rules.

    Raises
    ------
    ProjectTableError
        ``projects`` lacks a canonical column the maps read (``no``, ``item_ids``, ``name``, ``content``,
        ``basis``).
    """
    en = is_en(lang)
    items = plan.items.copy().reset_index(drop=True)
    if "origin" not in items:
        items["origin"] = "optimized"
    sites = instance.sites.set_axis(instance.sites.index.astype(str))
    labels = _pick_label(sites, en)
    sid = items["site_id"].astype(str) if len(items) else pd.Series([], dtype=str)
    for c in ("x", "y", "lon", "lat"):
        items[c] = sid.map(sites[c]).astype(float) if c in sites else np.nan
    items["site_label"] = sid.map(labels).fillna(sid)
    items["map_kind"] = [k.name if (k := item_kind(str(v))) is not None else "" for v in items["kind"]]
    if projects is not None and len(items):
        joined = _join_projects(items, projects)
    else:
        joined = _own_numbering(items, instance, lang)
    for c in ("no", "name", "content", "basis"):
        items[c] = joined[c].to_numpy()
    items["no"] = pd.to_numeric(items["no"], errors="coerce").astype("Int64")
    return items


# The localised layout of the project list before it was typed (序号, 项目名称, …, 依据 / No., Project, …): its
# columns by position, one row per site × kind × year indexed by the first item of the group. Read as the
# canonical columns so that a list written by an earlier version still numbers the maps.
_LOCALISED_FIELDS = ("no", "name", "nature", "location", "content", "cost_wan", "funding", "period", "responsible",
                     "basis")
_LOCALISED_HEADS = ({"序号", "项目名称", "依据"}, {"No.", "Project", "Justification"})


def _canonical(items: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """``projects`` with the canonical columns: as given, or read from the localised layout (item_ids: the
    items of the indexed item's site, kind and year)."""
    cols = list(projects.columns)
    if "no" in cols or len(cols) != len(_LOCALISED_FIELDS) or not any(h <= set(cols) for h in _LOCALISED_HEADS):
        return projects
    out = projects.set_axis(list(_LOCALISED_FIELDS), axis=1)
    key = items["site_id"].astype(str) + "|" + items["kind"].astype(str) + "|" + items["year"].astype(str)
    members = items.groupby(key.to_numpy())["item_id"].agg(lambda s: [str(v) for v in s])
    first = pd.Series(key.to_numpy(), index=items["item_id"].astype(str))
    ids = [members.get(first.get(str(i)), [str(i)]) for i in out.index]
    return out.assign(item_ids=ids)


def _join_projects(items: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    projects = _canonical(items, projects)
    need = {"no", "item_ids", "name", "content", "basis"}
    missing = sorted(need - set(projects.columns))
    if missing:
        raise ProjectTableError(
            f"project list handed to the maps lacks the canonical column(s) {missing} (has "
            f"{list(projects.columns)}) — fix: pass reports.projects.project_table's table (columns "
            f"{list(PROJECT_FIELDS)})")
    rows = projects.reset_index(drop=True)[["no", "item_ids", "name", "content", "basis"]]
    rows = rows.assign(item_id=rows["item_ids"].map(_as_list)).explode("item_id")
    rows = rows.dropna(subset=["item_id"]).drop_duplicates("item_id").set_index("item_id")
    joined = rows.reindex(items["item_id"].astype(str))
    if joined["no"].isna().any():
        lost = list(items["item_id"][joined["no"].isna().to_numpy()].astype(str))
        log.warning("project list has no row for items %s: the maps leave them unnumbered", lost[:5])
    return joined.reset_index(drop=True).fillna({"name": "", "content": "", "basis": ""})


def _as_list(v: object) -> list[str]:
    if isinstance(v, list | tuple | np.ndarray | pd.Series):
        return [str(x) for x in v]
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return []
    return [s for s in str(v).split(";") if s]


def _own_numbering(items: pd.DataFrame, instance: Instance, lang: str) -> pd.DataFrame:
    """序号, name, content and 依据 when no project list is given: one row per site and item type."""
    rank = {k: i for i, k in enumerate(ITEM_KEYS)}
    order = items.assign(_r=items["kind"].map(rank).fillna(len(rank)))
    order = order.sort_values(["_r", "site_label", "site_id"], kind="stable")
    groups = order.groupby(["site_id", "kind"], sort=False).ngroup()
    no = pd.Series(groups.to_numpy() + 1, index=order.index).reindex(items.index)
    sites = instance.sites.set_axis(instance.sites.index.astype(str))
    names, contents, bases = [], [], []
    for r in items.itertuples(index=False):
        k = item_kind(str(r.kind))
        site = sites.loc[str(r.site_id)] if str(r.site_id) in sites.index else pd.Series(dtype=object)
        if k is None:
            names.append(f"{r.site_label} {r.kind}")
            contents.append("")
        else:
            it = k.item(str(r.kind))
            names.append(k.item_name(it, r, str(r.site_label), lang))
            contents.append(k.item_content(it, r, site, lang))
        bases.append(_fallback_basis(r, lang))
    return pd.DataFrame({"no": no.to_numpy(), "name": names, "content": contents, "basis": bases})


def _fallback_basis(row: object, lang: str) -> str:
    new = float(getattr(row, "newly_covered", 0) or 0)
    only = float(getattr(row, "only_covered", 0) or 0)
    if is_en(lang):
        return f"newly covered {new:,.0f} persons, of whom {only:,.0f} only by this project"
    return f"新增覆盖人口{new:,.0f}人，其中{only:,.0f}人仅由本项目覆盖"


def site_numbers(items: pd.DataFrame) -> pd.Series:
    """The 序号 of each site's projects, joined (「3、12」 / "3, 12"): index site id. Items without a number are
    left out."""
    numbered = items.dropna(subset=["no"])
    if not len(numbered):
        return pd.Series(dtype=str)
    return numbered.groupby("site_id", sort=False)["no"].agg(
        lambda s: ",".join(str(int(v)) for v in sorted(set(s))))


# ---------------------------------------------------------------------------------------------- helpers


def _services_present(k: ResourceKind, demand: pd.DataFrame) -> list[str]:
    own = [s for s in kind_item_services(k) if f"{s}_after" in demand and f"{s}_before" in demand]
    if own:
        return own
    return [next(s for s in k.map_services if f"{s}_after" in demand)] if any(
        f"{s}_after" in demand for s in k.map_services) else []


def _township_urban(townships: pd.DataFrame, demand: pd.DataFrame) -> pd.Series:
    """Urban flag per township: its ``urban`` column, else most of its villages' population urban."""
    if "urban" in townships:
        return townships["urban"].fillna(False).astype(bool)
    if {"urban", "township", "population"} <= set(demand):
        pop = demand["population"].astype(float)
        town = demand["township"].astype(str)
        share = pop.where(demand["urban"].astype(bool), 0.0).groupby(town).sum() / pop.groupby(town).sum()
        return (share.reindex(townships.index.astype(str)).fillna(0) > 0.5).set_axis(townships.index)
    return pd.Series(False, index=townships.index)


def township_labels(townships: pd.DataFrame, en: bool) -> pd.Series:
    """The name a map gives each township (``name_en`` in English where given, else ``name``, else the id)."""
    base = townships["name"] if "name" in townships else pd.Series(townships.index, index=townships.index)
    return _pick_label(townships.assign(name=base), en)


def site_labels(sites: pd.DataFrame, en: bool) -> pd.Series:
    """The name a map gives each site (``name_en`` in English where given, else ``name``, else the id)."""
    return _pick_label(sites, en)


def _pick_label(df: pd.DataFrame, en: bool) -> pd.Series:
    zh = df["name"].astype(str) if "name" in df else pd.Series(df.index.astype(str), index=df.index)
    if en and "name_en" in df:
        given = df["name_en"].notna() & (df["name_en"].astype(str).str.strip() != "")
        return df["name_en"].astype(str).where(given, zh)
    return zh
