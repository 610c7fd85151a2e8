"""Staff pages: permissions, data entry, import errors, build with progress and download."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Group

from xinfang.accounts.models import User
from xinfang.accounts.roles import CLERK, FINANCE, LEADER
from xinfang.finance import jobs
from xinfang.finance.build import BuiltDisclosure
from xinfang.finance.demo import load_finance_demo


def login(client, role):
    user = User.objects.create_user(username=f"u_{role}", password="Xinfang#2019x")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    client.force_login(user)
    return user


@pytest.fixture
def accounts(db):
    return load_finance_demo()


@pytest.mark.parametrize(
    ("role", "read", "write"), [(FINANCE, 200, 200), (LEADER, 200, 403), (CLERK, 403, 403)]
)
def test_permissions(client, accounts, role, read, write, monkeypatch):
    monkeypatch.setattr(jobs, "write_disclosure", lambda d, out_dir, progress: BuiltDisclosure(out_dir, ()))
    login(client, role)
    response = client.get(f"/finance/{accounts.pk}/")
    assert response.status_code == read
    if read == 403:
        assert "财务人员" in response.content.decode()
    assert client.get(f"/finance/{accounts.pk}/edit/").status_code == write
    before = accounts.expenditures.count()
    assert client.post(f"/finance/{accounts.pk}/build/").status_code == write
    assert accounts.expenditures.count() == before


def test_anonymous_redirected_to_login(client, accounts):
    assert client.get("/finance/").status_code == 302


def test_detail_shows_figures_and_no_errors(client, accounts):
    login(client, FINANCE)
    page = client.get(f"/finance/{accounts.pk}/").content.decode()
    assert "382.31" in page and "htmx.min.js" in page
    assert "badge overdue" not in page  # no error finding on the demo facts


def test_build_progress_and_download(client, accounts, monkeypatch):
    login(client, FINANCE)
    page = client.post(f"/finance/{accounts.pk}/build/").content.decode()
    assert "report.docx" in page
    job = page.split("/finance/builds/")[1].split("/")[0]
    status = client.get(f"/finance/builds/{job}/").content.decode()
    assert "tables.xlsx" in status and "charts/structure.png" in status
    response = client.get(f"/finance/builds/{job}/files/report.docx")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get(f"/finance/builds/{job}/files/../../etc/passwd").status_code == 404


def test_running_status_polls(client, accounts):
    login(client, FINANCE)
    jobs.write_status(
        "1-abc", state="running", step=2, total=5, label="生成 report.docx", accounts=accounts.pk
    )
    page = client.get("/finance/builds/1-abc/").content.decode()
    assert "hx-trigger" in page and "<progress" in page


def test_import_errors_page_saves_nothing(client, accounts):
    login(client, FINANCE)
    before = list(accounts.expenditures.values_list("code", "basic"))
    response = client.post(f"/finance/{accounts.pk}/import/", {"file": BytesIO(b"junk")})
    assert response.status_code == 400 and "未保存任何数据" in response.content.decode()
    assert list(accounts.expenditures.values_list("code", "basic")) == before


def test_edit_details_formset(client, accounts):
    login(client, FINANCE)
    url = f"/finance/{accounts.pk}/details/vehicles/"
    page = client.get(url)
    assert page.status_code == 200
    formset = page.context["formset"]
    data = {f"vehicles-{k}": v for k, v in formset.management_form.initial.items()}
    for i, form in enumerate(formset.forms):
        for name in form.fields:
            value = form[name].value()
            data[f"vehicles-{i}-{name}"] = "" if value is None else value
    data["vehicles-0-count"] = 2
    response = client.post(url, data)
    assert response.status_code == 302
    assert accounts.vehicles.get(kind="other").count == 2
