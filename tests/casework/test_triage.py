"""Guided triage on the matter page (issue 12): questions that lead to the one form needed."""

import re

import pytest

from xinfang.accounts.models import AuditEntry
from xinfang.casework import triage
from xinfang.petitions import workflow

W = workflow


def guided(html: str) -> str:
    """The guide's own part of the section: what it asks or the one form it leads to (not the direct list)."""
    section = html[html.index('id="triage"') :]
    return section[: section.index('id="triage-direct"')]


def page(client, matter, path="", **headers):
    query = {"triage": path} if path else {}
    return client.get(f"/casework/matters/{matter.number}/", query, headers=headers).content.decode()


@pytest.mark.parametrize(
    "answers, action",
    [
        (["redirect_other"], "redirect_other"),  # not a 信访 matter at all
        (["lawful", "redirect_other"], "redirect_other"),  # 诉讼、仲裁、行政复议 → 告知
        (["lawful", "accusation", "redirect_discipline"], "redirect_discipline"),
        (["lawful", "accusation", "legal", "redirect_legal"], "redirect_legal"),
        (["lawful", "accusation", "legal", "elsewhere", "decline"], "decline"),
        (["lawful", "accusation", "legal", "elsewhere", "refuse_repeat"], "refuse_repeat"),
        (["lawful", "accusation", "legal", "elsewhere", "major", "report_major"], "report_major"),
        (["lawful", "accusation", "legal", "elsewhere", "major", "unit", "forward"], "forward"),
        (["lawful", "accusation", "legal", "elsewhere", "major", "unit", "assign"], "assign"),
    ],
)
def test_each_answer_path_leads_to_one_form(login, in_state, clerk, answers, action):
    matter = in_state(W.REGISTERED)
    client = login(clerk)
    path = ".".join([triage.START, *answers])
    part = guided(page(client, matter, path))
    assert re.findall(r'action="/casework/matters/[^/]+/act/([a-z_]+)/"', part) == [action]
    assert 'id="triage-question"' not in part
    # each answer on the way is a plain link the step before offered
    for i in range(len(answers)):
        before = ".".join([triage.START, *answers[:i]])
        assert f'?triage={before}.{answers[i]}#triage"' in guided(page(client, matter, before))


def test_the_page_asks_first_and_offers_every_form_directly(login, in_state, clerk):
    matter = in_state(W.REGISTERED)
    html = page(login(clerk), matter)
    assert "所反映的是否属于信访事项？" in guided(html) and "/act/" not in guided(html)
    direct = html[html.index('id="triage-direct"') :]
    for action in triage.ACTIONS:  # collapsed, for the experienced clerk; one form per action on the page
        assert direct.count(f"/act/{action}/") == 1 and html.count(f"/act/{action}/") == 1


def test_a_declined_path_preselects_its_reason_and_a_bad_path_starts_again(login, in_state, clerk):
    matter = in_state(W.REGISTERED)
    client = login(clerk)
    part = guided(page(client, matter, "start.lawful.accusation.legal.elsewhere.decline"))
    assert '<option value="pending_elsewhere" selected>' in part
    assert "所反映的是否属于信访事项？" in guided(page(client, matter, "start.forward.assign"))


def test_htmx_gets_the_section_only_and_other_roles_get_no_guide(login, in_state, clerk, unit_officer):
    matter = in_state(W.REGISTERED)
    part = page(login(clerk), matter, "start.lawful", HX_Request="true")
    assert part.lstrip().startswith('<div id="triage"') and "<html" not in part
    assert "是否已经或者依法应当通过诉讼、仲裁、行政复议" in part
    forwarded = in_state(W.FORWARDED)
    html = page(login(unit_officer), forwarded)
    assert 'id="triage"' not in html and "/act/acknowledge/" in html


def test_each_htmx_step_is_audited_as_a_view_of_the_matter(login, in_state, clerk, case_officer):
    """A step is part of the matter page: it writes the same `matter:view` audit row (personal data viewed)."""
    matter = in_state(W.REGISTERED)
    client = login(case_officer)
    rows = AuditEntry.objects.filter(action="matter:view", user=case_officer, object_id=str(matter.pk))
    page(client, matter, "start.lawful", HX_Request="true")
    page(client, matter, "start.lawful.accusation", HX_Request="true")
    assert rows.count() == 2
    assert all(r.result == "success" and r.detail == {"number": matter.number, "full": False} for r in rows)
