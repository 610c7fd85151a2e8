"""No input crashes the disclosure checker (issue 15): random edits of the seed and random text give a
list of findings, never an exception."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.finance.checker import Finding, check_text
from xinfang.finance.checker.findings import SEVERITY_ORDER

SEED = (Path(__file__).parent / "fixtures" / "seed_2019_corrected.txt").read_text(encoding="utf-8")
# the characters the rules' patterns turn on, so that random text often half-matches them
TEMPLATE_CHARS = "0123456789.,%％（）()《》“”【】：:；;，,。、\n\t 万元亿其中占比增加减少长下降年度类款项合计总计支出收入预算完成的了"
amounts = st.tuples(
    st.integers(0, 10**40), st.integers(0, 10**12), st.sampled_from(["万元", "元", "亿元", "%", "年", "辆"])
).map(lambda t: f"{t[0]}.{t[1]}{t[2]}")
fragments = st.text(alphabet=st.sampled_from(TEMPLATE_CHARS), max_size=30) | st.text(max_size=10) | amounts
edits = st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 40), fragments),  # where, how many characters to drop, insert
    max_size=8,
)


def apply(text: str, changes) -> str:
    for where, drop, insert in changes:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + drop :]
    return text


def assert_findings(findings) -> None:
    assert isinstance(findings, list)
    assert all(isinstance(f, Finding) and f.severity in SEVERITY_ORDER and f.message for f in findings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_random_edits_of_the_seed_never_crash(changes):
    assert_findings(check_text(apply(SEED, changes)))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(TEMPLATE_CHARS), max_size=400) | st.text(max_size=400))
def test_random_text_never_crashes(text):
    assert_findings(check_text(text))


@settings(max_examples=60, deadline=None)
@given(st.lists(fragments, max_size=20), st.integers(1990, 2030))
def test_sentence_soup_with_any_year_never_crashes(parts, year):
    """Template sentences cut and re-joined around random fragments, with any report year."""
    sentences = [s for s in SEED.split("。") if s][:60]
    soup = "。".join(s + p for s, p in zip(sentences, parts, strict=False))
    assert_findings(check_text(soup, year=year))
