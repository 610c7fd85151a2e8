"""Subject names (科目名称) of a disclosure against the year's official classification (finance/classification.py).

An error is only what the lists prove: a code printed with the name of another subject (neither a rename, an
alias nor a near variant of its own name); a doubled-character slip of an official name; a 项 or 类 name printed
as a 款 (a 款 as a 项) under the same 类. A name the lists cannot confirm is a warning that says so, a name of
another year a warning naming the year, a local alias an info.
"""

import re

from xinfang.finance import classification as C
from xinfang.finance.checker import text_rules as T
from xinfang.finance.checker.document import Document
from xinfang.finance.checker.findings import ERROR, INFO, WARNING, Finding

RULE = "NAME-OFFICIAL"
LEVEL = {3: "类", 5: "款", 7: "项"}
SEVERITY = {C.ALIAS: INFO, C.RENAMED: WARNING, C.CODE_UNKNOWN: WARNING, C.PLAUSIBLE: WARNING}
# a code (类 201, 款 20103 or 201 03, 项 2010301 or 201 03 01; 经济分类 301/30101) at the start of a line or
# table cell, then its name in the same cell, the next cell or the next line
CODE_NAME = re.compile(
    r"(?m)(?:^|\t)[ \t]*(?P<code>[23]\d{2}(?:[ \t]?\d{2}){0,2})(?:[ \t]+|[ \t]*\n[ \t]*)"
    r"(?P<name>[\u4e00-\u9fff（）()“”、]{2,40})(?=\s|\d|$)"
)


def undoubled(name: str) -> set[str]:
    """The name with one of its doubled characters removed (其他共产党党事务支出 → 其他共产党事务支出)."""
    return {name[:i] + name[i + 1 :] for i in range(len(name) - 1) if name[i] == name[i + 1]}


def check_code_name(code: str, name: str, year: int, *, in_table: bool = True) -> tuple[str, str] | None:
    """(severity, message) for a code printed with a name, e.g. a table row; None when it is official.
    Out of a table (`in_table=False`: a number and a word in running text) a word no list knows is ignored."""
    code = re.sub(r"\s", "", code)
    c = C.confirm(code, name, year)
    level = LEVEL.get(len(code), "")
    if c.status == C.OFFICIAL:
        return None
    if c.status != C.NAME_DIFFERS:
        if (
            c.status == C.CODE_UNKNOWN
            and C.confirm(None, name, year).status == C.PLAUSIBLE
            and code[:-2] not in C.names_for(code, year)
        ):
            return None  # a number before a word that is no subject name at all
        # (under a known 类/款 it is a subject the lists lack: a warning that says so, never an error)
        return SEVERITY[c.status], f"{level}级科目{c.note}"
    key = C.normalize(name)
    descendants = (n for k, n in C.names_for(code, year).items() if k.startswith(code))
    if any(key in C.normalize(n) for n in descendants):
        return None  # a name cut by a wrapped table cell, or a 类/款 code split from its 项 digits
    siblings = {
        C.normalize(n): k
        for k, n in C.names_for(code, year).items()
        if len(k) == len(code) and k[:-2] == code[:-2] and k != code
    }
    if sibling := siblings.get(key):
        return ERROR, f"编码与名称不符：{c.note}；“{name}”的编码为{sibling}"
    if C.normalize(c.official) in undoubled(key):
        return ERROR, f"科目名称有重复字：{c.note}"
    if c.near:
        return WARNING, f"{level}级科目名称与官方名称略有不同：{c.note}"
    if c.close:
        return (WARNING, f"{level}级科目名称无法确认：{c.note}") if in_table else None
    return ERROR, f"{level}级科目名称与编码不符：{c.note}"


def check_code_names(doc: Document, year: int) -> list[Finding]:
    out = []
    for m in CODE_NAME.finditer(doc.text):
        result = check_code_name(m.group("code"), m.group("name"), year, in_table="\t" in m.group(0))
        if result:
            out.append(T.finding(doc, RULE, result[0], result[1], m.start("code"), m.end()))
    return out


# ---------------------------------------------------------------- 类/款/项 printed by name only


def resolve_class(printed: str, year: int) -> tuple[str | None, str | None, str]:
    """(类 code, problem severity, message) for a 类 name printed in the text."""
    codes = C.class_codes().get(C.class_key(printed), {})
    current = [code for code, years in codes.items() if C.clamp(year) in years]
    if current:
        return current[0], None, ""
    if codes:
        code, years = next(iter(codes.items()))
        official = C.official_names(year).get(code)
        now = f"，{year}年度为“{official}”" if official else ""
        return code, WARNING, f"类级科目“{printed}”为{C.years_text(years)}的名称{now}"
    for key in undoubled(C.class_key(printed)):
        if typo := C.class_codes().get(key):
            code = next(iter(typo))
            return code, ERROR, f"类级科目“{printed}”有重复字，官方名称为“{C.official_names(year).get(code)}”"
    return None, WARNING, f"类级科目“{printed}”无法在{year}年度功能分类科目中确认"


def current_first(codes: set[str], year: int) -> str:
    """One of `codes` for messages: one in the year's list when there is one."""
    return min(codes, key=lambda c: (c not in C.names_for(c, year), c))


def resolve_child(
    printed: str, parents: set[str], year: int, class_code: str
) -> tuple[set[str], str | None, str]:
    """(codes, problem severity, message) for a 款 (parents = the 类) or 项 (parents = the 款) printed by name."""
    level = "款" if len(next(iter(parents))) == 3 else "项"
    key = C.normalize(T.strip_unbalanced(printed))
    now = {c for p in parents for c in C.children(p, year).get(key, ())}
    if now:
        return now, None, ""
    for p in parents:
        for code, local in C.aliases().items():
            if code[:-2] == p and printed in local:
                official = C.official_names(year).get(code)
                return {code}, INFO, f"{level}级科目“{printed}”为地方常用名称，官方名称为“{official}”"
    other = {c for p in parents for c in C.children(p, year, any_year=True).get(key, ())}
    if other:
        code = current_first(other, year)
        return other, WARNING, f"{level}级科目{C.confirm(code, printed, year).note}"
    for variant in undoubled(key):
        typo = {c for p in parents for c in C.children(p, year, any_year=True).get(variant, ())}
        if typo:
            return typo, ERROR, f"{level}级科目“{printed}”有重复字，官方名称为“{variant}”"
    kuan = C.children(class_code, year, any_year=True)
    xiang = {c for k in set().union(*kuan.values()) for c in C.children(k, year, any_year=True).get(key, ())}
    if level == "款" and xiang and key not in kuan:
        return set(), ERROR, f"“{printed}”是项级科目（{current_first(xiang, year)}），不是款级科目"
    if level == "款" and C.class_key(key) in C.class_codes():
        return set(), ERROR, f"“{printed}”是类级科目名称，不是款级科目"
    if level == "项" and key in kuan and not xiang:
        return set(), ERROR, f"“{printed}”是款级科目（{current_first(kuan[key], year)}），不是项级科目"
    return set(), WARNING, f"{level}级科目“{printed}”无法在{year}年度科目表中确认"


def check_path(doc: Document, p: dict, year: int) -> list[Finding]:
    out = []

    def report(severity, message):
        out.append(T.finding(doc, RULE, severity, message, p["start"], p["end"]))

    class_code, severity, message = resolve_class(p["l"], year)
    if severity:
        report(severity, message)
    if class_code is None:
        return out
    kuan, severity, message = resolve_child(p["k"], {class_code}, year, class_code)
    if severity:
        report(severity, message)
    if not kuan:
        return out
    _xiang, x_severity, message = resolve_child(p["x"], kuan, year, class_code)
    if x_severity and not (severity == x_severity == WARNING):  # a 款 of another year has 项 of that year
        report(x_severity, message)
    return out


def check_names_agree(paths: list[dict], doc: Document) -> list[Finding]:
    """The same 科目 named differently in the 说明 and in the 名词解释."""
    out = []
    norm, strip = T.norm_class, T.strip_unbalanced
    body = [p for p in paths if not p["glossary"]]
    glossary = [p for p in paths if p["glossary"]]
    unmatched = []
    for g in glossary:
        key = (norm(g["l"]), strip(g["x"]))
        same = [p for p in body if (norm(p["l"]), strip(p["x"])) == key]
        if not same:
            unmatched.append(g)
            continue
        if all(strip(p["k"]) != strip(g["k"]) for p in same):
            out.append(
                T.finding(
                    doc,
                    "NAME",
                    ERROR,
                    f"同一科目两处名称不同：名词解释为“{g['k']}（款）”，决算说明为“{same[0]['k']}（款）”",
                    g["start"],
                    g["end"],
                )
            )
    used = {(norm(g["l"]), strip(g["x"])) for g in glossary}
    spare = [p for p in body if (norm(p["l"]), strip(p["x"])) not in used]
    for g in unmatched:
        cands = [p for p in spare if norm(p["l"]) == norm(g["l"])]
        if cands:
            p = cands[0]
            spare.remove(p)
            out.append(
                T.finding(
                    doc,
                    "NAME",
                    ERROR,
                    f"同一科目两处名称不同：名词解释为“{g['l']}（类）{g['k']}（款）{g['x']}（项）”，"
                    f"决算说明为“{p['l']}（类）{p['k']}（款）{p['x']}（项）”",
                    g["start"],
                    g["end"],
                )
            )
    return out


def check_classification(doc: Document, *, year: int) -> list[Finding]:
    paths = T.class_paths(doc)
    out = [f for p in paths for f in check_path(doc, p, year)]
    out.extend(check_names_agree(paths, doc))
    for m in T.CLASS_AMOUNT.finditer(doc.text):
        _code, severity, message = resolve_class(m.group("l"), year)
        if severity:
            out.append(T.finding(doc, RULE, severity, message, m.start(), m.end()))
    out.extend(check_code_names(doc, year))
    return out
