"""The one search box (issue 12): numbers, ID numbers and mobiles (exact, by keyed hash), names (partial) and
words of the content — within what the user may see. Service level, worklist HTTP and API."""

import re

import pytest
from django.db import connection

from tests import factories
from xinfang.petitions import pii, queries, search, services, workflow
from xinfang.petitions.models import Document, Matter, MatterSearch, Petitioner

ID = "11010519491231002X"  # factories.petitioner_input: 张三, mobile 13912345678
OTHER_ID = "440524188001010014"


def found(user, q, **filters) -> set[str]:
    f = queries.WorklistFilter(queue=False, q=q, **filters)
    return set(queries.worklist(user, f).values_list("number", flat=True))


@pytest.fixture
def wage(clerk):
    """A matter of 张三丰 about unpaid wages, with a second, unrelated matter beside it."""
    matter = factories.register(
        clerk, title="拖欠工资问题", content="某建筑公司拖欠农民工工资三个月，联系电话13800001111。",
        petitioners=[factories.petitioner_input(name="张三丰")],
    )  # fmt: skip
    factories.register(
        clerk, title="噪声扰民", content="夜间施工噪声扰民。", request="", facts="",
        petitioners=[factories.petitioner_input(name="李四", id_number=OTHER_ID, mobile="13700000000")],
    )  # fmt: skip
    return matter


def test_each_kind_of_query_finds_the_matter(clerk, wage):
    registration = wage.registrations.get()
    for q in (
        wage.number,  # 事项编号
        wage.number.lower(),
        registration.number,  # 登记编号 on the citizen's receipt
        registration.number[2:],  # its year and sequence without DJ
        "张三丰",  # name
        ID,  # ID number
        "13912345678",  # mobile
        "工资",  # a word of the title and the content
        "农民工",  # a word of the content only
        "建筑公司 拖欠",  # two words, both needed
    ):
        assert found(clerk, q) == {wage.number}, q
    assert found(clerk, "建筑公司 噪声") == set()  # the words of two different matters


def test_document_and_external_numbers(clerk, in_state, units):
    forwarded = in_state(workflow.FORWARDED, title="道路维修问题")
    slip = Document.objects.get(matter=forwarded)  # the 转送单 with its 文号
    assert found(clerk, slip.number) == {forwarded.number}
    assert found(clerk, slip.number.replace("〔", "[").replace("〕", "]")) == {forwarded.number}
    assigned = factories.register(
        clerk, channel="assigned", source_unit=units["prefecture"].code, external_number="阿信交〔2026〕88号",
        external_due=services.today(),
    )  # fmt: skip
    assert found(clerk, "阿信交〔2026〕88号") == {assigned.number}


def test_partial_name(clerk, wage):
    assert found(clerk, "张三") == {wage.number}
    assert found(clerk, "三丰") == {wage.number}
    assert found(clerk, "三丰 拖欠") == {wage.number}  # a name piece and a word
    assert found(clerk, "王五") == set()


def test_typed_forms_of_id_and_mobile(clerk, wage):
    assert found(clerk, "１１０１０５１９４９１２３１００２ｘ") == {wage.number}  # full-width digits, lower x
    assert found(clerk, "110105 19491231 002X") == {wage.number}  # spaces
    assert found(clerk, "110105491231002") == {wage.number}  # the 15-digit legacy form
    assert found(clerk, "+86 139-1234-5678") == {wage.number}
    assert found(clerk, "0086１３９１２３４５６７８") == {wage.number}
    assert found(clerk, "13912345679") == set()
    # the mobile typed into the content is not in the index: only the petitioner's own mobile is searched
    assert found(clerk, "13800001111") == set()
    assert "13800001111" not in MatterSearch.objects.get(pk=wage.pk).words


def test_hidden_matters_are_never_found(
    clerk, case_officer, unit_officer, other_unit_officer, in_state, units
):
    # 检举控告 naming the case officer: hidden from him (条例第三十条第三款) whatever he types
    accusation = factories.register(
        clerk, purpose="02", title="检举某干部违规收受礼金", content="检举办案员收受礼金。", accused_user="officer1",
        petitioners=[factories.petitioner_input(name="王秘密", id_number=OTHER_ID, mobile="13700000000")],
    )  # fmt: skip
    assert accusation.is_confidential
    for q in (accusation.number, "王秘密", OTHER_ID, "13700000000", "礼金"):
        assert found(clerk, q) == {accusation.number}, q
        assert found(case_officer, q) == set(), q
    # another unit's matter
    forwarded = in_state(workflow.FORWARDED, title="道路维修问题")
    for q in (forwarded.number, "张三", ID, "道路"):
        assert forwarded.number in found(unit_officer, q), q
        assert found(other_unit_officer, q) == set(), q


def test_hidden_id_answers_like_an_unknown_id(login, clerk, case_officer):
    factories.register(
        clerk, purpose="02", title="检举某干部", accused_user="officer1",
        petitioners=[factories.petitioner_input(name="王秘密", id_number=OTHER_ID)],
    )  # fmt: skip
    client = login(case_officer)
    unknown_id = "120223198902021249"

    def table(q):
        response = client.get("/casework/", {"filtered": "1", "q": q}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response.content.decode().replace(q, "Q")

    assert table(OTHER_ID) == table(unknown_id)


def test_corrected_summary_is_searched_by_its_new_words(clerk, wage):
    services.correct_registration(wage, by=clerk, title="征地补偿问题", reason="摘要写错")
    assert found(clerk, "征地") == {wage.number}
    assert "征地" in MatterSearch.objects.get(pk=wage.pk).words
    assert found(clerk, "农民工") == {wage.number}  # the content is still there


def test_a_repeat_registration_adds_its_words_and_people(clerk, wage):
    services.register_petition(
        factories.petition_input(repeat_of=wage.number, content="再次反映，包工头赵六仍未支付。",
                                 petitioners=[factories.petitioner_input(name="赵六", id_number="", mobile="")]),
        by=clerk,
    )  # fmt: skip
    assert found(clerk, "包工头") == {wage.number}
    assert found(clerk, "赵六") == {wage.number}
    assert found(clerk, "张三丰") == {wage.number}


def test_hashes_are_keyed_and_filled(clerk, wage, settings):
    person = Petitioner.objects.get(name="张三丰")
    assert person.id_number_hash == pii.id_number_hash(ID) and len(person.id_number_hash) == 64
    assert person.mobile_hash == pii.mobile_hash("13912345678")
    assert ID not in person.id_number_hash
    settings.XINFANG_PII_HASH_KEY = "another-key"
    assert pii.id_number_hash(ID) != person.id_number_hash  # the key matters
    assert pii.refill_hashes(Petitioner) == 2
    assert found(clerk, ID) == {wage.number}  # after the key changed and the hashes were refilled


def test_rebuild_equals_the_rows_kept_by_the_services(clerk, wage):
    kept = {r.pk: (r.names, r.words) for r in MatterSearch.objects.all()}
    assert len(kept) == 2
    assert search.rebuild() == 2
    assert {r.pk: (r.names, r.words) for r in MatterSearch.objects.all()} == kept
    assert found(clerk, "张三丰") == {wage.number}  # the database's index followed the rebuild


def test_database_index_follows_the_row(clerk, wage):
    """SQLite: the FTS5 table is kept by triggers; PostgreSQL: the tsvector columns are generated."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM petitions_matter_fts WHERE petitions_matter_fts MATCH 'words : 噪声'"
            )
        else:
            cursor.execute("SELECT matter_id FROM petitions_mattersearch WHERE words_tsv @@ '噪声'::tsquery")
        assert len(cursor.fetchall()) == 1
    MatterSearch.objects.filter(pk=wage.pk).update(words="噪声")
    assert len(found(clerk, "噪声")) == 2


def test_similar_matters_by_the_hash(clerk, wage):
    assert list(queries.similar_matters(clerk, id_numbers=[ID])) == [wage]
    assert list(queries.similar_matters(clerk, id_numbers=["110105491231002"])) == [wage]


def test_query_words_and_name_pieces():
    assert search.query_words("拖欠工资") == ["拖欠", "工资"]
    assert search.query_name_tokens("欧阳·娜娜") == ["欧阳", "阳娜", "娜娜"]
    assert search.name_tokens("张三丰") == {"张三丰", "张三", "三丰"}
    tokens = search.content_tokens("联系电话13800001111，身份证11010519491231002X")
    assert {"联系", "电话", "身份证"} <= set(tokens) and not any(c.isdigit() for t in tokens for c in t)


def test_worklist_page(login, clerk, wage):
    html = login(clerk).get("/casework/", {"filtered": "1", "q": "三丰"}).content.decode()
    assert wage.number in html and "噪声扰民" not in html


def test_masked_on_screen_still_found_by_the_exact_id(login, unit_officer, in_state):
    matter = in_state(workflow.FORWARDED)
    client = login(unit_officer)
    page = client.get(f"/casework/matters/{matter.number}/").content.decode()
    assert ID not in page and "1101**********002X" in page  # the unit officer sees the ID masked
    html = client.get("/casework/", {"filtered": "1", "q": ID}).content.decode()
    assert matter.number in html


def test_data_migration_fills_existing_rows(clerk, wage):
    """The migration's data step on rows written before it: hashes blank, no index rows."""
    import importlib
    import pkgutil

    from django.apps import apps

    from xinfang.petitions import migrations

    name = next(
        m.name
        for m in pkgutil.iter_modules(migrations.__path__)
        if m.name.endswith("_search_index_and_pii_hashes")
    )
    migration = importlib.import_module(f"xinfang.petitions.migrations.{name}")
    Petitioner.objects.update(id_number_hash="", mobile_hash="")
    MatterSearch.objects.all().delete()
    assert found(clerk, "张三丰") == set() and found(clerk, ID) == set()
    migration.fill(apps, None)
    assert found(clerk, "张三丰") == {wage.number} and found(clerk, ID) == {wage.number}


def test_a_search_link_without_the_filter_form_searches(login, clerk, wage, in_state):
    """/casework/?q=… (a link, a search box elsewhere) searches all the matters the user may see, not the queue."""
    replied = in_state(workflow.REPLIED, title="工资拖欠再反映")  # not in the clerk's queue
    client = login(clerk)
    html = client.get("/casework/", {"q": "工资"}).content.decode()
    assert wage.number in html and replied.number in html and "噪声扰民" not in html
    assert "信访事项查询" in html  # the search page, not the queue
    table = client.get("/casework/", {"q": "噪声"}, HTTP_HX_REQUEST="true").content.decode()
    assert "噪声扰民" in table and wage.number not in table and replied.number not in table
    queue = client.get("/casework/").content.decode()  # no search: the clerk's own queue, as before
    assert replied.number not in queue


def test_a_surname_alone_finds_the_names_that_start_with_it(clerk, case_officer, wage, unit_officer,
                                                           other_unit_officer, in_state):  # fmt: skip
    """One character is matched as the start of a name piece (FTS5 "张"*, tsquery '张':*): 张 finds 张三丰."""
    noise = queries.worklist(clerk, queries.WorklistFilter(queue=False, q="噪声")).get()
    assert found(clerk, "张") == {wage.number}
    assert found(clerk, "李") == {noise.number}  # 李四
    assert found(clerk, "丰") == set()  # the last character of 张三丰 starts no piece
    assert found(clerk, "赵") == set()
    assert found(clerk, "张 噪声") == set()  # each word must hold
    # within what the user may see
    accusation = factories.register(
        clerk, purpose="02", title="检举某干部", accused_user="officer1",
        petitioners=[factories.petitioner_input(name="王秘密", id_number="", mobile="")],
    )  # fmt: skip
    assert found(clerk, "王") == {accusation.number}
    assert found(case_officer, "王") == set()
    forwarded = in_state(workflow.FORWARDED)  # 张三, sent to the unit officer's unit
    assert found(unit_officer, "张") == {forwarded.number}
    assert found(other_unit_officer, "张") == set()


def test_a_broad_search_lists_the_newest_first_without_counting(login, clerk, wage, monkeypatch):
    """A common word is paged without counting all its matches: newest first (read off the index (registered_at, id)),
    one row more than the page to know that another page follows; sorting by a column still works."""
    newer = [factories.register(clerk, title=f"工资问题{i}") for i in range(3)]
    monkeypatch.setattr("xinfang.casework.views.PAGE_SIZE", 3)
    client = login(clerk)

    def listed(html):
        return re.findall(r'<td><a href="/casework/matters/(XF\d+)/">', html)

    html = client.get("/casework/", {"q": "工资"}).content.decode()
    count = html.split('id="worklist-count">', 1)[1].split("·", 1)[0]
    assert "第 1 页，后面还有" in count and "按登记时间，最近登记的在前" in count and "共" not in count
    assert listed(html) == [m.number for m in reversed(newer)]
    assert "第 1 页</span>" in html and "page=2" in html
    html = client.get("/casework/", {"q": "工资", "page": "2"}).content.decode()
    assert listed(html) == [wage.number] and 'id="worklist-count">共 4 件' in html and "上一页" in html
    assert listed(client.get("/casework/", {"q": "工资", "page": "9"}).content.decode()) == listed(
        client.get("/casework/", {"q": "工资"}).content.decode()
    )  # past the end: the first page
    html = client.get("/casework/", {"q": "工资", "sort": "number"}).content.decode()
    assert listed(html) == [wage.number, *[m.number for m in newer[:2]]]
    assert "第 1 页，后面还有" in html and "最近登记的在前" not in html
    assert "第 1 / 2 页" in client.get("/casework/", {"filtered": "1"}).content.decode()  # no search: counted


def test_a_broad_query_finds_the_same_through_the_subquery(clerk, wage, unit_officer, in_state, monkeypatch):
    """Beyond ID_LIST_MAX found ids (PostgreSQL: expected by the planner) the worklist filters by the subquery
    instead of an id list: the same matters, the same access rules."""
    forwarded = in_state(workflow.FORWARDED, title="拖欠工资再反映")
    queries_ = ["工资", "张", "三丰", wage.number, ID, "建筑公司 拖欠"]
    by_list = {q: found(clerk, q) for q in queries_} | {("unit", q): found(unit_officer, q) for q in queries_}
    monkeypatch.setattr(search, "ID_LIST_MAX", 0)
    assert {q: found(clerk, q) for q in queries_} | {
        ("unit", q): found(unit_officer, q) for q in queries_
    } == by_list
    assert by_list["工资"] == {wage.number, forwarded.number} and by_list["unit", "工资"] == {
        forwarded.number
    }


def test_a_unit_searches_what_it_handles_after_each_change_of_unit(
    clerk, case_officer, unit_officer, other_unit_officer, in_state, units
):
    """A unit officer's words are looked up with the unit's token in the index (migration 0017): the row follows
    the handling unit through 转送, an upheld 异议 (back to the bureau), 交办 to another unit, and an UPDATE that
    bypasses the services (the database's trigger)."""
    from datetime import timedelta

    from django.utils import timezone

    from xinfang.petitions.models import Matter

    def unit_of_row(matter):
        return MatterSearch.objects.get(pk=matter.pk).unit

    def index_finds(unit, word="道路"):  # the index alone, with the unit's token (no access filter)
        sql, params = search.text_sql([word], unit=unit.pk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0] for row in cursor.fetchall()}

    matter = in_state(workflow.OBJECTED, title="道路维修问题")  # forwarded to the officer's unit, objected
    dept, township = units["dept"], units["township"]
    assert (
        unit_of_row(matter) == dept.pk and index_finds(dept) == {matter.pk} and index_finds(township) == set()
    )
    for q in ("道路", "张", "张三"):
        assert found(unit_officer, q) == {matter.number}, q
        assert found(other_unit_officer, q) == set(), q

    matter = services.decide_objection(matter, by=case_officer, uphold=True)  # back to the bureau's triage
    assert unit_of_row(matter) is None and index_finds(dept) == set()
    assert found(unit_officer, "道路") == set() and found(clerk, "道路") == {matter.number}

    due = timezone.localdate() + timedelta(days=30)
    matter = services.assign_matter(matter, by=case_officer, unit=township, due=due)
    assert unit_of_row(matter) == township.pk and index_finds(township) == {matter.pk}
    assert found(other_unit_officer, "道路") == {matter.number} and found(unit_officer, "道路") == set()
    assert found(other_unit_officer, "张") == {matter.number} and found(unit_officer, "张") == set()

    Matter.objects.filter(pk=matter.pk).update(handling_unit=dept)  # not through the services
    assert (
        unit_of_row(matter) == dept.pk and index_finds(dept) == {matter.pk} and index_finds(township) == set()
    )
    assert found(unit_officer, "道路 维修") == {matter.number} and found(other_unit_officer, "道路") == set()


def test_a_unit_registering_directly_finds_its_matter(units):
    """A unit's own registration (条例第二十三条) has its unit in the search row from the start."""
    officer = factories.make_user("fengyi1", "unit_officer", unit=units["township"], full_name="乡镇登记员")
    matter = factories.register(officer, title="灌溉水渠堵塞")
    assert MatterSearch.objects.get(pk=matter.pk).unit == units["township"].pk
    assert found(officer, "水渠") == {matter.number}
    assert search.rebuild() >= 1 and MatterSearch.objects.get(pk=matter.pk).unit == units["township"].pk


def test_search_lists_by_registration_time_not_by_import_order(login, clerk, case_officer):
    """Issue 12: the default search order is the registration time (then the id), not the row id: an old register
    imported later (a higher id) comes after a matter registered today, and the page says what the order is."""
    newer = factories.register(clerk, title="拖欠工资问题")
    old = factories.legacy_matter(case_officer, content="反映拖欠工资问题（历史登记）")
    assert old.pk > newer.pk and old.registered_at < newer.registered_at
    f = queries.WorklistFilter(queue=False, q="工资", sort=queries.SEARCH_SORT)
    assert list(queries.worklist(clerk, f).values_list("number", flat=True)) == [newer.number, old.number]
    html = login(clerk).get("/casework/", {"q": "工资"}).content.decode()
    assert re.findall(r'<td><a href="/casework/matters/(\w+)/">', html) == [newer.number, old.number]
    count = html.split('id="worklist-count">', 1)[1].split("·", 1)[0]
    assert "按登记时间，最近登记的在前" in count and "录入" not in count
    assert re.search(r'<th scope="col" aria-sort="descending"><a [^>]*>登记时间 ↓</a></th>', html)
    # the same registration time: the later registered (higher id) first, as the index (registered_at, id) reads
    same = factories.register(clerk, title="拖欠工资再反映")
    Matter.objects.filter(pk=same.pk).update(registered_at=newer.registered_at)
    assert list(queries.worklist(clerk, f).values_list("number", flat=True)) == [
        same.number, newer.number, old.number
    ]  # fmt: skip


def test_walking_the_order_index_finds_the_same_page(
    clerk, case_officer, unit_officer, in_state, monkeypatch
):
    """A broad search read in the search order walks the index (registered_at, id) and tests the found ids
    (`search._walk`, SQLite's plan for a common word): the same matters in the same order as looking them up."""
    forwarded = in_state(workflow.FORWARDED, title="拖欠工资再反映")
    made = [factories.register(clerk, title=f"拖欠工资问题{i}") for i in range(3)]
    old = factories.legacy_matter(case_officer, content="反映拖欠工资问题（历史登记）")

    def page(user, q):
        f = queries.WorklistFilter(queue=False, q=q, sort=queries.SEARCH_SORT)
        return list(queries.worklist(user, f).values_list("number", flat=True)[:51])

    cases = [(clerk, "工资"), (clerk, "拖欠 工资"), (clerk, "张"), (unit_officer, "工资"), (clerk, "噪声")]
    looked_up = [page(user, q) for user, q in cases]
    assert looked_up[0] == [m.number for m in reversed(made)] + [forwarded.number, old.number]
    assert looked_up[3] == [forwarded.number]
    monkeypatch.setattr(search, "_walk", lambda found: True)
    assert [page(user, q) for user, q in cases] == looked_up
    monkeypatch.setattr(search, "ID_LIST_MAX", 0)  # the subquery, walked
    assert [page(user, q) for user, q in cases] == looked_up
