import pytest


@pytest.fixture
def people(clerk, case_officer, unit_officer, unit_head):
    return {
        "clerk": clerk,
        "case_officer": case_officer,
        "unit_officer": unit_officer,
        "unit_head": unit_head,
    }
