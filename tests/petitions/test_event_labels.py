"""Every event kind the domain writes reads in Chinese: one mapping (petitions.events), used by the matter page and
the API."""

import ast
import re
from pathlib import Path

from tests import factories
from xinfang.accounts.audit_labels import ACTION_LABELS
from xinfang.petitions import citizens, events, workflow

PETITIONS = Path(events.__file__).parent
KIND = re.compile(r"^[a-z]+:[a-z_]+$")


def written_kinds() -> set[str]:
    """The literal kinds in the domain's source (Event(kind=…), _record(…, "…"), _event(…), _timeline(…), the
    register disposition table) and `matter:<action>` for every transition; the audit log's actions
    (log_audit(action=…), labelled in accounts.audit_labels) are not event kinds."""
    kinds = {f"matter:{t.action}" for t in workflow.TRANSITIONS}
    for path in PETITIONS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KIND.match(node.value):
                kinds.add(node.value)
    return kinds - set(ACTION_LABELS)


def test_every_kind_the_services_write_has_a_chinese_label():
    kinds = written_kinds()
    # the scan finds what it should (so that an empty scan cannot pass)
    assert {"matter:information_added", "matter:accused_set", "matter:hearing_recorded", "registration:repeat",
            "extension:request", "supervision:issued", "matter:forward"} <= kinds  # fmt: skip
    missing = sorted(k for k in kinds if str(events.kind_label(k)) == "其他记录")
    assert missing == []
    for kind in kinds:
        assert re.search(r"[\u4e00-\u9fff]", str(events.kind_label(kind))), kind


def test_unknown_kind_never_shows_its_code():
    assert events.kind_label("matter:something_new") == "其他记录"


def test_matter_page_shows_information_added_in_chinese(login, clerk):
    matter = factories.register(clerk)
    citizens.add_information(matter, text="补充一份合同复印件")
    html = login(clerk).get(f"/casework/matters/{matter.number}/").content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert '<span class="what">信访人补充材料</span>' in timeline
    assert "matter:information_added" not in html
