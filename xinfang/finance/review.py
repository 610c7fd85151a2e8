"""Check the facts of one unit-year in the database: fact rules plus the text rules on the report
the system would publish from them."""

from xinfang.finance.checker import check_text
from xinfang.finance.checker.fact_rules import check_facts
from xinfang.finance.checker.findings import Finding, sort_findings
from xinfang.finance.models import FinalAccounts
from xinfang.finance.narrative import build_blocks, plain_text
from xinfang.finance.queries import disclosure_data


def check_accounts(accounts: FinalAccounts) -> list[Finding]:
    d = disclosure_data(accounts)
    return sort_findings(check_facts(d) + check_text(plain_text(build_blocks(d)), year=d.year))
