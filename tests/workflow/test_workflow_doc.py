"""docs/workflow.md must list exactly the states, transitions, documents and clocks of the code.

The doc is parsed by section heading (``## States`` …) and the first markdown table under it; each
cell is compared with workflow.py / deadlines.py in both directions (missing rows, extra rows and
differing cells are all reported).
"""

import re
from pathlib import Path

import pytest

from xinfang.petitions import deadlines, workflow

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"
NONE = "—"


def _section_table(text: str, heading: str) -> list[dict[str, str]]:
    """Rows (dicts keyed by header) of the first table after the `## heading` line."""
    lines = text.splitlines()
    try:
        start = lines.index(f"## {heading}")
    except ValueError:
        pytest.fail(f"docs/workflow.md has no '## {heading}' section")
    table: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    assert len(table) >= 2, f"no table under '## {heading}'"
    header = _cells(table[0])
    assert set(table[1].replace("|", "").strip()) <= set("-: "), f"bad separator row under '## {heading}'"
    rows = []
    for line in table[2:]:
        cells = _cells(line)
        assert len(cells) == len(header), f"wrong number of cells in: {line}"
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _code(cell: str) -> str:
    """`code` → code; — → ''."""
    if cell == NONE:
        return ""
    m = re.fullmatch(r"`([^`]+)`", cell)
    assert m, f"expected a `code` cell, got {cell!r}"
    return m.group(1)


def _codes(cell: str) -> tuple[str, ...]:
    if cell == NONE:
        return ()
    return tuple(_code(c.strip()) for c in cell.split(","))


def _bool(cell: str) -> bool:
    assert cell in ("yes", "no"), f"expected yes/no, got {cell!r}"
    return cell == "yes"


def _keyed(rows, key):
    keys = [_code(r[key]) for r in rows]
    dupes = {k for k in keys if keys.count(k) > 1}
    assert not dupes, f"rows listed twice in docs/workflow.md: {sorted(dupes)}"
    return dict(zip(keys, rows, strict=True))


def _compare(what: str, documented: dict, actual: dict) -> list[str]:
    problems = [
        f"{what} `{k}` is in the code but not in docs/workflow.md" for k in actual if k not in documented
    ]
    problems += [
        f"{what} `{k}` is in docs/workflow.md but not in the code" for k in documented if k not in actual
    ]
    for k in documented.keys() & actual.keys():
        for field, (doc_value, code_value) in _diff(documented[k], actual[k]).items():
            problems.append(f"{what} `{k}`: {field} is {doc_value!r} in the doc, {code_value!r} in the code")
    return problems


def _diff(doc: dict, code: dict) -> dict:
    return {f: (doc[f], code[f]) for f in code if doc[f] != code[f]}


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_states_match_workflow(text):
    rows = _keyed(_section_table(text, "States"), "Code")
    documented = {
        k: {"label": r["中文"], "final": _bool(r["Final"]), "meaning": bool(r["Meaning"])}
        for k, r in rows.items()
    }
    actual = {
        s: {"label": label, "final": s in workflow.FINAL_STATES, "meaning": True}
        for s, label in workflow.STATES.items()
    }
    assert _compare("state", documented, actual) == []
    # the same order as workflow.STATES, so the doc reads like the code
    assert list(rows) == list(workflow.STATES)


def test_transitions_match_workflow(text):
    rows = _keyed(_section_table(text, "Transitions"), "Action")
    documented = {
        k: {
            "label": r["中文"],
            "sources": set(_codes(r["From"])),
            "target": _code(r["To"]),
            "roles": set(_codes(r["Roles"])),
            "actor": r["Actor"],
            "document": _code(r["Document"]),
            "clock": _code(r["Clock"]),
            "public": _bool(r["Public"]),
            "triage": _bool(r["Triage"]),
            "requested_by": set(_codes(r["Requested by"])),
            "service": _code(r["Service"]),
            "route": _code(r["Route"]),
            "basis": r["Basis"],
        }
        for k, r in rows.items()
    }
    actual = {
        t.action: {
            "label": t.label,
            "sources": set(t.sources),
            "target": t.target,
            "roles": set(t.roles),
            "actor": t.actor_scope,
            "document": t.document or "",
            "clock": t.clock,
            "public": t.public,
            "triage": t.triage,
            "requested_by": set(t.requested_by),
            "service": t.service,
            "route": t.route,
            "basis": t.basis,
        }
        for t in workflow.TRANSITIONS
    }
    assert _compare("action", documented, actual) == []
    assert list(rows) == [t.action for t in workflow.TRANSITIONS]


def test_documents_match_workflow(text):
    rows = _keyed(_section_table(text, "Documents"), "Kind")
    documented = {
        k: {"title": r["中文"], "char": r["文号"], "public": _bool(r["To petitioner"])}
        for k, r in rows.items()
    }
    actual = {
        k: {"title": title, "char": char, "public": public}
        for k, (title, char, public) in workflow.DOCUMENTS.items()
    }
    assert _compare("document", documented, actual) == []


def test_clocks_match_deadlines(text):
    rows = _keyed(_section_table(text, "Clocks"), "Clock")
    documented = {
        k: {
            "label": r["中文"],
            "days": None if r["Days"] == NONE else int(r["Days"]),
            "unit": r["Unit"],
            "basis": r["Basis"],
            "start": bool(r["Start event"]),
        }
        for k, r in rows.items()
    }
    actual = {
        c.code: {"label": c.label, "days": c.days, "unit": c.unit, "basis": c.basis, "start": True}
        for c in deadlines.CLOCKS.values()
    }
    assert _compare("clock", documented, actual) == []


def test_every_code_in_the_doc_tables_is_known(text):
    """Documents and clocks named in the transition table exist (a typo in the doc fails here)."""
    rows = _section_table(text, "Transitions")
    for r in rows:
        for state in (*_codes(r["From"]), _code(r["To"])):
            assert state in workflow.STATES, state
        assert _code(r["Document"]) in ("", *workflow.DOCUMENTS)
        assert _code(r["Clock"]) in ("", *deadlines.CLOCKS)


# --- the parser itself must be able to fail -------------------------------------------------------


def _mutate(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "check"),
    [
        (
            "| `accept` | 受理并书面告知 | `received_by_unit` |",
            "| `accept` | 受理并书面告知 | `objected` |",
            "transitions",
        ),
        ("`acceptance_notice` | `HANDLE` |", "`acceptance_notice` | `REVIEW` |", "transitions"),
        ("| `closed` | 已办结 |", "| `closed_x` | 已办结 |", "states"),
        (
            "| `deliver` | 送达 | `replied` | `delivered` | `unit_officer` |",
            "| `deliver` | 送达 | `replied` | `delivered` | `unit_officer`, `leader` |",
            "transitions",
        ),
        ("| yes | yes | — | `forward_matter` |", "| yes | no | — | `forward_matter` |", "transitions"),
        ("| `unit_head` | unit |", "| `unit_head`, `leader` | unit |", "transitions"),
        ("`decide_extension` |", "`extend_matter` |", "transitions"),
    ],
)
def test_doc_check_detects_a_difference(text, old, new, check):
    broken = _mutate(text, old, new)
    test = {"transitions": test_transitions_match_workflow, "states": test_states_match_workflow}[check]
    with pytest.raises(AssertionError):
        test(broken)


def test_doc_check_detects_a_missing_row(text):
    line = next(line for line in text.splitlines() if line.startswith("| `archive` |"))
    with pytest.raises(AssertionError, match="archive"):
        test_transitions_match_workflow(text.replace(line + "\n", ""))
