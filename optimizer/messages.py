"""The texts of the optimizer's messages a planner meets, in Chinese and English: one catalogue, by code.

Why a plan cannot be made (a hard standard no budget reaches, mandated items dearer than the budget, the
least budget that would do), and what is wrong with the scenario's named decisions, site costs and kind
settings. The messages are built with both languages (``say("infeasible", detail=…)``) and the CLI prints the
planner's language (``--lang``, Chinese by default). In Chinese a standard or kind is named by its registered
Chinese label (「固定采血点数量」), never by its internal key; the English keeps the key a scenario writes
(``blood_min_points``).
Money is 万元 with thousands separators in both (``1,150万元``).
"""

from __future__ import annotations

from typing import Any

from healthplan.geodata.text import Text

# code → (Chinese, English); str.format fields, the same in both.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- infeasibility (api.py, screening.py) ---
    "infeasible": ("方案不可行：{detail}", "infeasible: {detail}"),
    "infeasible.least_budget": ("；满足全部硬性标准的最低预算为 {least}",
                                "; the least budget meeting every hard standard is {least}"),
    "infeasible.limits": ("方案不可行：在{limits}之内，硬性标准（{hard}）无法同时满足{note}",
                          "infeasible: the hard standards ({hard}) cannot hold within {limits}{note}"),
    "infeasible.no_hard": ("无", "none"),
    "infeasible.the_limits": ("各项限制", "the limits"),
    "limit.budget": ("预算 {budget}", "budget {budget}"),
    "limit.yearly": ("年度预算 {budgets}（{carry}）", "yearly budgets {budgets} {carry}"),
    "limit.carry": ("可结转", "with carry-over"),
    "limit.no_carry": ("不可结转", "without carry-over"),
    "limit.earmarks": ("专项额度 {earmarks}", "earmarks {earmarks}"),
    "min_budget.failed": ("最低预算求解失败：{detail}", "min-budget solve failed: {detail}"),
    "min_budget.unreachable": ("硬性标准「{standard}」在任何预算下都无法满足：还差 {amount}{unit}（要求 "
                               "{required}{unit}）{others}——修改：改为软性标准（mode: soft）、降低要求，或允许更多站点/容量",
                               "hard standard {standard} cannot be met at any budget: short by {amount} "
                               "{unit} (required {required}){others} — make it soft, lower it, or allow "
                               "more sites/capacity"),
    "min_budget.others": ("；另外{parts}", "; {parts}"),
    "min_budget.other": ("「{standard}」还差 {amount}", "{standard} short by {amount}"),
    "money.mandated": ("硬性标准规定的项目共需投资 {total}，超过预算 {budget}，差 {gap}（{parts}）",
                       "mandated items cost {total} > budget {budget} ({parts}; hard standards)"),
    "money.one": ("{what}（硬性标准「{label}」）需投资 {total}，超过预算 {budget}，差 {gap}",
                  "{what} cost {total} > budget {budget} ({parts}; hard standards)"),
    "money.items_of": ("「{label}」规定的项目", "the items of {label}"),
    "money.earmark": ("{kind}的硬性标准需投资 {need}，超过{kind}专项额度 {cap}（差 {gap}）",
                      "hard {name} standards need {need} > earmark {cap} for {name}"),
    "money.yearly": ("硬性标准规定的项目需投资 {total}，超过各年度预算合计 {budgets}（差 {gap}）",
                     "mandated items cost {total} > the {budgets} of all yearly budgets together"),
    "money.opex": ("{why}每年增加运行费用 {extra}，超过运行费用上限 {cap}（差 {gap}）",
                   "{why} adds {extra} a year of running cost > opex cap {cap}"),
    # --- structural limits of the kinds' standards (kinds/*.py) ---
    "amb.fleet_capacity": ("「{standard}」标准需要 {need} 辆救护车，但符合条件的急救站点最多只能容纳 {most} 辆（现有 {existing} 辆 + 剩余容量 "
                           "{spare} 辆）——修改：提高 station_capacity，或允许更多站点级别设急救站",
                           "the fleet standard needs {need} vehicles but the eligible stations hold at "
                           "most {most} (existing {existing} + free capacity {spare}); raise "
                           "station_capacity or allow more station levels"),
    "amb.thc_stuck": ("{n} 个乡镇卫生院无法配置救护车（不是可设急救站的级别，或没有容量），例如 {ids}",
                      "{n} township health centres cannot host an ambulance (not a station level or no "
                      "capacity), e.g. {ids}"),
    "amb.opex_why": ("「{standard}」标准", "the fleet standard"),
    "subcentre.target": ("目标 {target} 个医疗卫生次中心超过最多可能的 {most} 个（现有 + 符合条件的）——修改：放宽 subcentre.eligibility，或降低 "
                         "target_count",
                         "the target of {target} sub-centres exceeds the {most} possible (existing + "
                         "eligible); relax subcentre.eligibility"),
    "blood.min_points": ("要求至少 {need} 个固定采血点，但只有 {most} 个站点可以设置（现有 + 候选）——修改：扩大 blood.candidates",
                         "at least {need} blood points are required but only {most} sites can have one "
                         "(existing + candidates); widen blood.candidates"),
    "blood.unknown_candidates": ("blood.candidates 中有 {n} 个未知的站点编号：{ids}",
                                 "blood.candidates names {n} unknown site id{s}: {ids}"),
    "blood.unknown_candidates.fix": ("使用站点图层中的编号，或写 all / candidates / hospitals",
                                     "use ids from the sites layer, or all / candidates / hospitals"),
    # --- named decisions (decisions.py) ---
    "decision.unknown_item": ("未知的项目类型 {kind!r}", "unknown item type {kind!r}"),
    "decision.unknown_item.fix": ("使用以下之一：{keys}", "use one of {keys}"),
    "decision.unknown_site": ("站点 {site!r} 不在 {n} 个站点之中", "site {site!r} is not among the {n} sites"),
    "decision.unknown_site.fix": ("使用现有机构或候选点图层中的编号", "use an id of the facilities or candidates layer"),
    "decision.kind_off": ("资源类型「{label}」已关闭", "the kind {name!r} is switched off"),
    "decision.kind_off.fix": ("设 resources.{name}.enabled: true，或删除该决定",
                              "set resources.{name}.enabled: true or remove the decision"),
    "decision.year_late": ("年份 {year} 晚于规划末年 {last}", "year {year} is after the plan's last year {last}"),
    "decision.year_late.fix": ("给出规划期内的年份", "give a year within the plan"),
    "decision.must_early": ("必须建设（must）的年份 {year} 早于规划首年 {first}",
                            "a must by {year} is before the plan's first year {first}"),
    "decision.must_early.fix": ("此前已决定的项目请写作 'committed'，或删除年份",
                                "put a project decided earlier as 'committed', or drop the year"),
    "decision.quantity": ("quantity 只适用于救护车", "quantity is for ambulances only"),
    "decision.quantity.fix": ("删除 quantity", "remove quantity"),
    "decision.twice": ("第 {prev} 条决定（{action}）已对 {site} 的 {kind} 作出决定",
                       "decision {prev} ({action}) already names {kind} at {site}"),
    "decision.twice.fix": ("每个站点和项目类型只保留一条决定", "keep one decision per site and item type"),
    "decision.no_room": ("方案不可行：决定“{site} 必须建设{item}（must {kind}）”无法落实：该站点没有容纳它的空间（例如急救站已满）——修改：提高其容量，或删除该决定",
                         "infeasible: the decision must {kind} at {site} cannot be carried: the site has "
                         "no room for it (e.g. a full ambulance station) — raise its capacity or drop the "
                         "decision"),
    "decision.never_fields": ("'never' 决定不能带 year 或 cost_wan",
                              "a 'never' decision takes no year or cost_wan"),
    "decision.np_over": ("quantity_np 不能大于 quantity", "quantity_np cannot exceed quantity"),
    # --- site costs and milestones (prepare.py) ---
    "costs.unknown_site": ("site_costs_wan 中的站点 {site!r} 不在 {n} 个站点之中",
                           "site_costs_wan names site {site!r}, which is not among the {n} sites"),
    "costs.unknown_site.fix": ("使用站点图层中的编号，或删除该项",
                               "use a site id from the sites layer or remove the override"),
    "costs.unknown_item": ("site_costs_wan[{site!r}] 中有未知的项目 {key!r}",
                           "site_costs_wan[{site!r}] has unknown item {key!r}"),
    "costs.unknown_item.fix": ("使用以下之一：{keys}", "use one of {keys}"),
    "costs.bad_value": ("site_costs_wan[{site!r}][{key!r}] = {value} 不是 ≥ 0 的万元数",
                        "site_costs_wan[{site!r}][{key!r}] = {value} is not a cost ≥ 0 万元"),
    "costs.bad_value.fix": ("填写非负的万元数", "give a non-negative number of 万元"),
    "milestones.unknown": ("为 {name!r} 给出了分年目标，但它不是本情景的标准",
                           "milestones are given for {name!r}, which is not a standard of this scenario"),
    "milestones.unknown.fix": ("使用以下之一：{names}", "use one of {names}"),
    "milestones.none": ("（无：所有标准均已关闭）", "(none: every standard is off)"),
    # --- phasing (config.py, pydantic validators) ---
    "phasing.length": ("phasing.{name} 有 {n} 个值，但 phasing.years 有 {years} 个",
                       "phasing.{name} has {n} values but phasing.years has {years}"),
    "phasing.length_by_standard": ("phasing.milestones_by_standard.{name} 有 {n} 个值，但规划有 {years} 个年度",
                                   "phasing.milestones_by_standard.{name} has {n} values but the plan has "
                                   "{years} year(s)"),
    "phasing.shares": ("phasing.{name} 必须是 0 到 1 之间、不递减的比例，实际为 {values}",
                       "phasing.{name} must be shares between 0 and 1 that never decrease, got {values}"),
    "phasing.ends_with_one": ("phasing.{name} 最后一个值必须为 1（全部任务在规划末年完成），实际为 {values}",
                              "phasing.{name} must end with 1 (the whole task is due in the final year), "
                              "got {values}"),
}

# A standard's unit as the messages write it after a number.
UNITS: dict[str, tuple[str, str]] = {
    "vehicles": (" 辆", "vehicles"),
    "sites": (" 个", "sites"),
    "persons": (" 人", "persons"),
    "share": ("", "share"),
    "万元": ("万元", "万元"),
}


def say(code: str, **params: Any) -> Text:
    """The catalogue's message ``code`` in both languages, formatted with ``params`` (a Text parameter gives
    each language its own words)."""
    return Text.entry(CATALOGUE, code, **params)


def unit(name: str) -> Text:
    """A standard's unit after a number (``" 辆"`` / ``"vehicles"``); an unknown unit as it is."""
    zh, en = UNITS.get(name, (name, name))
    return Text(zh, en)


def standard_name(name: str) -> Text:
    """A standard (or limit) in messages: its registered Chinese label, the key in English.

    A township floor's model row (``equity_blood_B``) names its township; a name the registry does not know (a
    limit such as ``budget_year``) stays as it is in both languages.
    """
    from healthplan.optimizer.standards import EquityFloor, standard_named

    s = standard_named(name)
    if s is None:
        return Text(name, name)
    zh = s.label("zh")
    if isinstance(s, EquityFloor) and name != s.name:
        zh += f"：乡镇 {name.removeprefix(s.name + '_')}"
    return Text(zh, name)


def kind_name(name: str) -> Text:
    """A resource kind in messages: its registered Chinese label, the key in English."""
    from healthplan.optimizer.kinds import KIND_NAMES, kind

    return Text(kind(name).label("zh"), name) if name in KIND_NAMES else Text(name, name)


class TextValueError(ValueError):
    """A ValueError of a pydantic validator that carries its message in both languages (``text``); the
    scenario loader prints the planner's language, ``str()`` is the English."""

    def __init__(self, text: Text):
        self.text = text
        super().__init__(text.en)
