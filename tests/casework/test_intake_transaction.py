"""One request, one transaction (issue 14): a registration whose audit row cannot be written is not saved."""

import pytest

from tests.casework.test_intake import intake
from xinfang.accounts.models import AuditEntry
from xinfang.petitions.models import Matter, Registration


def test_registration_is_not_saved_when_its_audit_row_fails(login, clerk, monkeypatch):
    def failing_audit(**kwargs):
        raise RuntimeError("audit table unavailable")

    client = login(clerk)
    monkeypatch.setattr("xinfang.casework.views.log_audit", failing_audit)
    with pytest.raises(RuntimeError):
        client.post("/casework/register/letter/", intake())
    assert not Matter.objects.exists() and not Registration.objects.exists()
    monkeypatch.undo()
    assert client.post("/casework/register/letter/", intake()).status_code == 302  # the retry saves it once
    assert Registration.objects.count() == 1
    assert AuditEntry.objects.filter(action="registration:create").count() == 1
