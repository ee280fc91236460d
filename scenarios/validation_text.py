"""What a scenario file's problems say, in Chinese and English: pydantic's error types and the loader's texts.

pydantic reports each problem as a type (``greater_than_equal``) with context values (``{"ge": 0}``); the
templates here turn it into a sentence in each language. A type not listed falls back to pydantic's own
English text in both languages, so nothing is ever lost.
"""

from __future__ import annotations

from typing import Any

from healthplan.geodata.text import Text

# pydantic error type → (Chinese, English) templates over the error's ctx values.
PYDANTIC: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填的键", "Field required"),
    "greater_than": ("应大于 {gt}", "Input should be greater than {gt}"),
    "greater_than_equal": ("应不小于 {ge}", "Input should be greater than or equal to {ge}"),
    "less_than": ("应小于 {lt}", "Input should be less than {lt}"),
    "less_than_equal": ("应不大于 {le}", "Input should be less than or equal to {le}"),
    "multiple_of": ("应为 {multiple_of} 的倍数", "Input should be a multiple of {multiple_of}"),
    "int_parsing": ("应为整数", "Input should be a valid integer, unable to parse string as an integer"),
    "int_type": ("应为整数", "Input should be a valid integer"),
    "int_from_float": ("应为整数，不能带小数", "Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": ("应为数字", "Input should be a valid number, unable to parse string as a number"),
    "float_type": ("应为数字", "Input should be a valid number"),
    "finite_number": ("应为有限的数（不能是 inf 或 nan）", "Input should be a finite number"),
    "bool_parsing": ("应为是/否值（true 或 false）", "Input should be a valid boolean, unable to interpret input"),
    "bool_type": ("应为是/否值（true 或 false）", "Input should be a valid boolean"),
    "literal_error": ("应为以下之一：{expected}", "Input should be {expected}"),
    "enum": ("应为以下之一：{expected}", "Input should be {expected}"),
    "string_type": ("应为文本", "Input should be a valid string"),
    "string_too_short": ("至少应有 {min_length} 个字符", "String should have at least {min_length} characters"),
    "string_too_long": ("至多 {max_length} 个字符", "String should have at most {max_length} characters"),
    "string_pattern_mismatch": ("应符合格式 {pattern}", "String should match pattern '{pattern}'"),
    "too_short": ("至少应有 {min_length} 项（实际 {actual_length} 项）",
                  "List should have at least {min_length} items after validation, not {actual_length}"),
    "too_long": ("至多 {max_length} 项（实际 {actual_length} 项）",
                 "List should have at most {max_length} items after validation, not {actual_length}"),
    "list_type": ("应为列表", "Input should be a valid list"),
    "tuple_type": ("应为列表", "Input should be a valid tuple"),
    "set_type": ("应为列表", "Input should be a valid set"),
    "dict_type": ("应为映射（键: 值）", "Input should be a valid dictionary"),
    "model_type": ("应为映射（键: 值）", "Input should be a valid dictionary or instance"),
    "model_attributes_type": ("应为映射（键: 值）", "Input should be a valid dictionary or object"),
    "value_error": ("取值有误：{error}", "Value error, {error}"),
    "assertion_error": ("取值有误：{error}", "Assertion failed, {error}"),
    "none_required": ("应为空（null）", "Input should be None"),
    "date_parsing": ("应为日期（YYYY-MM-DD）", "Input should be a valid date"),
    "date_type": ("应为日期（YYYY-MM-DD）", "Input should be a valid date"),
}

# The loader's own texts.
SCENARIO: dict[str, tuple[str, str]] = {
    "head": ("{path}：情景文件中有 {n} 个问题：", "{path}: {n} problem{s} in the scenario:"),
    "top_level": ("（顶层）", "(top level)"),
    "got": ("（实际为 {value!r}）", " (got {value!r})"),
    "unknown_key.guess": ("未知的键 '{key}'——是否想写 '{guess}'？", "unknown key '{key}' — did you mean '{guess}'?"),
    "unknown_key.allowed": ("未知的键 '{key}'——此处允许的键：{allowed}", "unknown key '{key}' — allowed here: {allowed}"),
    "problem": ("{key}：{text}{got}", "{key}: {text}{got}"),
    "not_found": ("找不到情景文件 {path}——修改：检查路径（相对路径从当前文件夹算起）",
                  "scenario file {path} not found — fix: check the path (relative paths start from the current "
                  "folder)"),
    "folder": ("{path} 是文件夹，不是情景文件——修改：给出 .yaml 文件的路径",
               "{path} is a folder, not a scenario file — fix: give the path of the .yaml file"),
    "unreadable": ("{path}：无法读取情景文件：{detail}", "{path}: cannot read the scenario file: {detail}"),
    "not_text": ("{path}：情景文件不是文本（既不是 UTF-8 也不是 GBK）——修改：另存为 UTF-8",
                 "{path}: the scenario file is not text (not UTF-8 or GBK) — fix: save it as UTF-8"),
    "nul": ("{path}：情景文件不是文本（含有 NUL 字节）——修改：给出 .yaml 文件",
            "{path}: the scenario file is not text (it holds NUL bytes) — fix: give the .yaml file"),
    "yaml": ("{path}：不是有效的 YAML{where}：{problem}——修改：检查缩进和冒号",
             "{path}: not valid YAML{where}: {problem} — fix: check indentation and colons"),
    "yaml.where": ("（第 {line} 行，第 {column} 列）", " at line {line}, column {column}"),
    "deep": ("{path}：YAML 嵌套太深，无法读取——修改：简化文件", "{path}: the YAML is nested too deeply to read — fix: simplify the file"),
    "dups.one": ("{path}：同一映射中有一个键写了两次：{keys}——YAML 会静默地只保留最后一个；修改：删除或合并重复的行",
                 "{path}: a key is written twice in the same mapping: {keys} — YAML would silently keep only the "
                 "last; fix: delete or merge the repeated lines"),
    "dups.many": ("{path}：同一映射中有 {n} 个键写了两次：{keys}——YAML 会静默地只保留最后一个；修改：删除或合并重复的行",
                  "{path}: {n} keys are written twice in the same mapping: {keys} — YAML would silently keep only "
                  "the last; fix: delete or merge the repeated lines"),
    "dup": ("{key!r}（第 {first} 行和第 {line} 行）", "{key!r} (lines {first} and {line})"),
    "empty": ("{path}：情景文件是空的（只有空行或注释）——修改：至少写出其输入，例如 inputs: {{demand: demand.csv, sites: "
              "sites.csv, travel_times: od.csv}}（见 scenarios/examples/csv/minimal.yaml）",
              "{path}: the scenario file is empty (nothing but blank lines or comments) — fix: write at least its "
              "inputs, e.g. inputs: {{demand: demand.csv, sites: sites.csv, travel_times: od.csv}} (see "
              "scenarios/examples/csv/minimal.yaml)"),
    "not_mapping": ("{path}：情景文件必须是键的映射（实际为 {type}）", "{path}: a scenario must be a mapping of keys (got {type})"),
    "cycle": ("{path}：'extends' 形成循环（{chain}）——修改：删除其中一个 extends",
              "{path}: 'extends' forms a cycle ({chain}) — fix: remove one of the extends"),
    "extends_type": ("{path}：'extends' 必须是文件路径，实际为 {value!r}", "{path}: 'extends' must be a file path, got {value!r}"),
    "extends_missing": ("{path}：'extends: {parent}' 指向的文件不存在（{full}）——修改：extends 中的路径相对于情景文件",
                        "{path}: 'extends: {parent}' names a file that does not exist ({full}) — fix: paths in "
                        "extends are relative to the scenario file"),
}


def scenario_text(code: str, **params: Any) -> Text:
    """The loader's message ``code`` in both languages."""
    zh, en = SCENARIO[code]
    return Text(zh, en).format(**params)


def pydantic_text(err: dict[str, Any]) -> Text:
    """One pydantic error (an item of ``ValidationError.errors()``) as a sentence in each language; pydantic's
    English text in both when its type has no template here (or its context does not fit the template)."""
    own = str(err.get("msg", ""))
    template = PYDANTIC.get(str(err.get("type")))
    if template is None:
        return Text(own, own)
    ctx = {k: (_zh_expected(v) if k == "expected" else _zh_error(v) if k == "error" else _plain(v))
           for k, v in (err.get("ctx") or {}).items()}
    try:
        zh = template[0].format(**ctx)
    except (KeyError, IndexError, ValueError):
        return Text(own, own)
    return Text(zh, own)  # pydantic's own English keeps every detail it gives


def _zh_error(value: object) -> object:
    """A validator's own error in Chinese when it carries both languages (``TextValueError.text``)."""
    text = getattr(value, "text", None)
    return text.zh if isinstance(text, Text) else value


def _plain(value: object) -> object:
    """A bound as pydantic's English writes it: ``0``, not ``0.0``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _zh_expected(value: object) -> str:
    """pydantic's ``'a', 'b' or 'c'`` as ``'a'、'b' 或 'c'``."""
    text = str(value)
    head, sep, last = text.rpartition(" or ")
    return f"{head.replace(', ', '、')} 或 {last}" if sep else text
