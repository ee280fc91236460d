"""Fictional Chinese place and facility names, with pinyin English aliases, for the synthetic demo county."""

from __future__ import annotations

import math

import numpy as np

# Two-syllable place names are built as FIRST + SECOND, the way most Chinese township and village names are
# formed (a descriptive or family character + a landform). Pinyin without tones, as in English road signs.
FIRST: tuple[tuple[str, str], ...] = (
    ("花", "hua"), ("石", "shi"), ("龙", "long"), ("凤", "feng"), ("金", "jin"), ("银", "yin"), ("黄", "huang"),
    ("白", "bai"), ("青", "qing"), ("红", "hong"), ("新", "xin"), ("大", "da"), ("小", "xiao"), ("高", "gao"),
    ("长", "chang"), ("平", "ping"), ("安", "an"), ("太", "tai"), ("永", "yong"), ("富", "fu"), ("上", "shang"),
    ("下", "xia"), ("古", "gu"), ("梅", "mei"), ("桃", "tao"), ("杨", "yang"), ("柳", "liu"), ("竹", "zhu"),
    ("松", "song"), ("樟", "zhang"), ("枫", "feng"), ("茶", "cha"), ("云", "yun"), ("清", "qing"), ("双", "shuang"),
    ("三", "san"), ("五", "wu"), ("九", "jiu"), ("马", "ma"), ("牛", "niu"), ("鹤", "he"), ("莲", "lian"),
    ("桂", "gui"), ("兴", "xing"), ("和", "he"), ("宁", "ning"), ("文", "wen"), ("丰", "feng"), ("田", "tian"),
    ("岩", "yan"), ("沙", "sha"), ("罗", "luo"), ("彭", "peng"), ("谢", "xie"),
)
SECOND: tuple[tuple[str, str], ...] = (
    ("桥", "qiao"), ("岭", "ling"), ("坪", "ping"), ("塘", "tang"), ("口", "kou"), ("溪", "xi"), ("田", "tian"),
    ("山", "shan"), ("湖", "hu"), ("江", "jiang"), ("洲", "zhou"), ("坑", "keng"), ("源", "yuan"), ("坝", "ba"),
    ("冈", "gang"), ("陂", "bei"), ("埠", "bu"), ("圩", "xu"), ("头", "tou"), ("林", "lin"), ("坡", "po"),
    ("垄", "long"), ("峰", "feng"), ("水", "shui"), ("泉", "quan"), ("铺", "pu"), ("寨", "zhai"), ("堡", "bao"),
    ("屯", "tun"), ("滩", "tan"), ("湾", "wan"), ("庄", "zhuang"), ("河", "he"), ("门", "men"), ("关", "guan"),
    ("洞", "dong"), ("背", "bei"), ("垅", "long"), ("畲", "she"), ("岗", "gang"),
)
N_NAMES = len(FIRST) * len(SECOND)

# Names of urban sub-districts (街道) around a county seat; the first is the seat itself.
URBAN: tuple[tuple[str, str], ...] = (
    ("城关", "Chengguan"), ("东城", "Dongcheng"), ("西城", "Xicheng"), ("南城", "Nancheng"), ("北城", "Beicheng"),
    ("滨江", "Binjiang"), ("文峰", "Wenfeng"), ("凤凰", "Fenghuang"), ("金山", "Jinshan"), ("龙泉", "Longquan"),
)

KIND_EN = {"街道": "Subdistrict", "镇": "Town", "乡": "Township"}

# Pinyin of the characters a user is likely to put in a demo county's name (the default 示范县 and a few more).
_EXTRA_PINYIN = {
    "示": "shi", "范": "fan", "县": "", "省": "", "市": "", "区": "", "演": "yan", "练": "lian", "测": "ce",
    "试": "shi", "样": "yang", "例": "li", "城": "cheng", "关": "guan",
}
PINYIN: dict[str, str] = {**dict(FIRST), **dict(SECOND), **_EXTRA_PINYIN}


def place_name(index: np.ndarray | int) -> np.ndarray:
    """Chinese two-character place names for name indices in ``[0, N_NAMES)``."""
    idx = np.asarray(index) % N_NAMES
    first = np.array([c for c, _ in FIRST])
    second = np.array([c for c, _ in SECOND])
    return np.char.add(first[idx // len(SECOND)], second[idx % len(SECOND)])


def place_pinyin(index: np.ndarray | int) -> np.ndarray:
    """Capitalised pinyin (e.g. ``"Huaqiao"``) of the names returned by :func:`place_name`."""
    idx = np.asarray(index) % N_NAMES
    first = np.array([p for _, p in FIRST])
    second = np.array([p for _, p in SECOND])
    return np.char.capitalize(np.char.add(first[idx // len(SECOND)], second[idx % len(SECOND)]))


def to_pinyin(text: str, fallback: str = "Demo") -> str:
    """Capitalised pinyin of ``text`` when every character is known, else ``fallback``."""
    if not text or any(ch not in PINYIN for ch in text):
        return fallback
    return "".join(PINYIN[ch] for ch in text).capitalize() or fallback


def county_english(name: str) -> str:
    """English name of a county (``示范县`` → ``"Shifan County"``)."""
    suffix = {"县": " County", "区": " District", "市": " City", "省": " Province"}.get(name[-1:], "")
    return to_pinyin(name[:-1] if suffix else name) + suffix


def unique_name_indices(
    rng: np.random.Generator, group: np.ndarray, n_groups: int, skip: np.ndarray | None = None
) -> np.ndarray:
    """One place-name index per item, unique within each group (e.g. villages within a township).

    Each group walks the name table from a random start with a random stride coprime to the table size, so the
    first ``N_NAMES - 1`` items of a group never repeat a name; ``skip[g]`` (optional) is a name index group
    ``g`` must not use (e.g. the township's own name). Vectorised: no loop over items.
    """
    modulus = N_NAMES - 1
    group = np.asarray(group, dtype=np.int64)
    order = np.argsort(group, kind="stable")
    g_sorted = group[order]
    starts = np.searchsorted(g_sorted, np.arange(n_groups))
    rank = np.empty_like(group)
    rank[order] = np.arange(group.size) - starts[g_sorted]
    strides = np.array([p for p in (7, 11, 13, 19, 23, 29, 31, 37, 41, 43, 47) if math.gcd(p, modulus) == 1])
    offset = rng.integers(0, modulus, size=n_groups)
    stride = rng.choice(strides, size=n_groups)
    idx = (offset[group] + rank * stride[group]) % modulus
    if skip is None:
        skip = np.full(n_groups, modulus)
    return idx + (idx >= np.asarray(skip)[group])
