"""Every registered resource kind is a whole unit: texts in both languages, graded sources, costs, stock columns,
a strict config; and the registry's derived tables agree with the kinds (issue 9)."""

from __future__ import annotations

import re

import pytest

from healthplan.optimizer.kinds import ITEM_KEYS, KINDS, SERVICE_KEYS, SITE_STOCK, ResourcesConfig, item_type, service
from healthplan.optimizer.text import GRADE_NAMES

HAN = re.compile(r"[\u4e00-\u9fff]")


def _both(text) -> None:
    assert HAN.search(text("zh")), f"no Chinese in {text('zh')!r}"
    assert text("en") and not HAN.search(text("en")), f"Chinese in the English text {text('en')!r}"


@pytest.mark.parametrize("k", KINDS, ids=lambda k: k.name)
def test_kind_declares_every_part(k):
    _both(k.label)
    _both(k.map_title)
    assert re.fullmatch(r"#[0-9a-f]{6}", k.colour)
    assert k.items, "a kind has at least one item type"
    for it in k.items:
        for t in (it.label, it.name, it.content, it.nature, it.unit):
            _both(t)
        assert it.service in SERVICE_KEYS and it.cost_key in {c.key for c in k.costs}
    for svc in k.services:
        _both(svc.label)
    for st in k.standards:
        _both(st.label)
        assert st.source.grade in GRADE_NAMES, st.name
        assert st.source.cite("zh") and st.source.cite("en")
    cfg = k.config()
    assert cfg.model_config.get("extra") == "forbid"
    for c in k.costs:
        value, _assumed = c.value(cfg)
        assert value >= 0


def test_registry_tables_follow_the_kinds():
    assert len(set(ITEM_KEYS)) == len(ITEM_KEYS) and len(set(SERVICE_KEYS)) == len(SERVICE_KEYS)
    for key in ITEM_KEYS:
        k, it = item_type(key)
        assert it in k.items
    for key in SERVICE_KEYS:
        k, s = service(key)
        assert s in k.services
    assert set(ResourcesConfig.model_fields) == {k.name for k in KINDS}
    names = [c.name for c in SITE_STOCK]
    assert len(names) == len(set(names)), "two kinds declare the same stock column"
    standards = [s.name for k in KINDS for s in k.standards]
    assert len(standards) == len(set(standards))
