"""The registered resource kinds, in the order every table, map and model block lists them.

Adding a kind: write its module in this folder (a :class:`~healthplan.optimizer.kind.ResourceKind` subclass with
its config, items, services, standards, data, rows and texts) and add it to ``KINDS`` below; the scenario schema,
the model, evaluation, screening, reports, sweeps and compare pick it up from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import create_model

from healthplan.optimizer.kind import ItemType, ResourceKind, Service, StrictConfig
from healthplan.optimizer.kinds.ambulance import AMBULANCES
from healthplan.optimizer.kinds.blood import BLOOD
from healthplan.optimizer.kinds.critical_care import CRITICAL_CARE
from healthplan.optimizer.kinds.fever import FEVER
from healthplan.optimizer.kinds.subcentre import SUBCENTRES

if TYPE_CHECKING:
    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.standard import Standard

KINDS: tuple[ResourceKind, ...] = (AMBULANCES, FEVER, BLOOD, SUBCENTRES, CRITICAL_CARE)  # the registration line

KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
ITEM_KEYS: tuple[str, ...] = tuple(it.key for k in KINDS for it in k.items)
SERVICE_KEYS: tuple[str, ...] = tuple(s.key for k in KINDS for s in k.services)

# The site layers' stock columns, as the kinds declare them (geodata reads and checks them for the runner).
SITE_STOCK = tuple(c for k in KINDS for c in k.site_columns)

_BY_NAME = {k.name: k for k in KINDS}
_BY_ITEM = {it.key: (k, it) for k in KINDS for it in k.items}
_BY_SERVICE = {s.key: (k, s) for k in KINDS for s in k.services}
_BY_STANDARD = {s.name: s for k in KINDS for s in k.standards}

class _Resources(StrictConfig):
    def enabled(self) -> list[str]:
        """Names of the kinds switched on, in registration order."""
        return [name for name in type(self).model_fields if getattr(self, name).enabled]


# The scenario's ``resources:`` section: one field per registered kind, its pydantic class and defaults.
ResourcesConfig = create_model(  # type: ignore[call-overload]
    "ResourcesConfig",
    __base__=_Resources,
    __doc__="The resource kinds; each can be switched off (``enabled: false``).",
    **{k.name: (k.config, k.config()) for k in KINDS},
)


def kind(name: str) -> ResourceKind:
    """The registered kind ``name`` (KeyError when there is none)."""
    return _BY_NAME[name]


def item_type(key: str) -> tuple[ResourceKind, ItemType]:
    """The kind and item type of a plan row's ``kind`` value (e.g. ``fever_room``)."""
    return _BY_ITEM[key]


def service(key: str) -> tuple[ResourceKind, Service]:
    """The kind and service of a coverage key (e.g. ``secondary``)."""
    return _BY_SERVICE[key]


def kind_standard(name: str) -> Standard | None:
    """A kind's standard by its name, or ``None`` (cross-kind standards are built per service)."""
    return _BY_STANDARD.get(name)


def enabled_kinds(cfg: OptimizerConfig) -> list[ResourceKind]:
    """The kinds the scenario switches on, in registration order."""
    return [k for k in KINDS if k.enabled(cfg)]


def active_services(cfg: OptimizerConfig) -> list[tuple[ResourceKind, Service]]:
    """(kind, service) of every service of the enabled kinds, in registration order."""
    return [(k, s) for k in enabled_kinds(cfg) for s in k.active_services(k.settings(cfg))]


__all__ = [
    "ITEM_KEYS", "KINDS", "KIND_NAMES", "SERVICE_KEYS", "SITE_STOCK", "ResourcesConfig", "active_services", "enabled_kinds",
    "item_type", "kind", "kind_standard", "service",
]
