"""Time to build and to check the 2019 disclosure (goal: build < 3 s, check < 1 s); the checker's recall,
false errors and time per document on the seed and the constructed corpus (tests/finance/corpus).

Runs against a throw-away SQLite database loaded with the demo facts:
    .venv/bin/python bench/disclosure.py
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from xinfang.finance.build import write_disclosure  # noqa: E402
from xinfang.finance.checker import check_path  # noqa: E402
from xinfang.finance.demo import load_finance_demo  # noqa: E402
from xinfang.finance.queries import disclosure_data  # noqa: E402
from xinfang.finance.review import check_accounts  # noqa: E402


def timed(label, fn, repeat=3):
    best = min(_once(fn) for _ in range(repeat))
    print(f"{label:<42} {best:6.3f} s")
    return best


def _once(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    call_command("migrate", verbosity=0, skip_checks=True)
    accounts = load_finance_demo()
    out = tmp / "out"
    seed = Path(__file__).resolve().parent.parent / "tests" / "finance" / "fixtures" / "seed_2019.txt"
    timed(
        "build 2019 disclosure (docx/html/xlsx/charts)",
        lambda: write_disclosure(disclosure_data(accounts), out_dir=out),
    )
    timed("check built report.docx", lambda: check_path(out / "report.docx"))
    timed("check published seed (text)", lambda: check_path(seed))
    timed("check --year 2019 (facts in the database)", lambda: check_accounts(accounts))
    corpus_figures()
    table_figures()


def corpus_figures():
    """Recall (injected errors found by their rule), false errors (errors on the consistent version) and
    the time to check each document of the corpus, and the seed's 16 + 3 known inconsistencies."""
    from xinfang.finance.checker import check_text

    tests = Path(__file__).resolve().parent.parent / "tests" / "finance"
    sys.path.insert(0, str(tests))
    from test_checker_corpus import CORPUS, INJECTIONS  # noqa: PLC0415
    from test_checker_seed import SEED_INCONSISTENCIES, _has  # noqa: PLC0415

    print(f"{'document':<32} {'recall':>9} {'false errors':>13} {'check (s)':>10}")
    found_all = total_all = 0
    for name, cases in sorted(INJECTIONS.items()):
        text = (CORPUS / name).read_text(encoding="utf-8")
        seconds = min(_once(lambda t=text: check_text(t)) for _ in range(3))
        false = [f for f in check_text(text) if f.severity == "error"]
        found = sum(
            any(f.rule == rule and f.severity != "info" for f in check_text(text.replace(old, new)))
            for rule, old, new in cases
        )
        found_all, total_all = found_all + found, total_all + len(cases)
        print(f"{name:<32} {found:>4}/{len(cases):<4} {len(false):>13} {seconds:>10.3f}")
    seed = (tests / "fixtures" / "seed_2019.txt").read_text(encoding="utf-8")
    seconds = min(_once(lambda: check_text(seed)) for _ in range(3))
    findings = check_text(seed)
    found = sum(_has(findings, rule, a, b) for rule, a, b in SEED_INCONSISTENCIES)
    corrected = (tests / "fixtures" / "seed_2019_corrected.txt").read_text(encoding="utf-8")
    false = [f for f in check_text(corrected) if f.severity == "error"]
    print(
        f"{'seed_2019 (corrected: false)':<32} {found:>4}/{len(SEED_INCONSISTENCIES):<4} {len(false):>13} {seconds:>10.3f}"
    )
    print(f"{'corpus total':<32} {found_all:>4}/{total_all:<4}")


def table_figures():
    """Disclosures with the nine tables (tests/finance/table_corpus.py) as PDF, .docx and .xlsx: the time to
    read and check one (best of 3), errors on the consistent version, and the injected table identity,
    cross-table and table↔text errors found by their rule."""
    from xinfang.finance.checker import check_paths

    tests = Path(__file__).resolve().parent.parent / "tests" / "finance"
    sys.path.insert(0, str(tests))
    import table_corpus as corpus  # noqa: PLC0415
    from test_checker_tables import TABLE_INJECTIONS, TEXT_INJECTIONS, edit, has  # noqa: PLC0415

    work = tmp / "tables"
    work.mkdir()
    print(f"\n{'document with tables':<32} {'recall':>9} {'false errors':>13} {'check (s)':>10}")
    for name, make in sorted(corpus.CORPUS.items()):
        spec = make()
        for suffix in (".pdf", ".docx", ".xlsx"):
            path = corpus.publish(spec, work / f"{name}{suffix}")
            seconds = min(_once(lambda p=path: check_paths([p])) for _ in range(3))
            false = [f for f in check_paths([path]) if f.severity == "error"]
            cases = found = 0
            if name == "education_2021":
                for _id, mk, number, label, col, value, rule, needle in TABLE_INJECTIONS:
                    broken = corpus.publish(
                        mk(),
                        work / f"t{suffix}",
                        table_list=edit(corpus.tables(mk()), number, label, col, value),
                    )
                    cases, found = cases + 1, found + has(check_paths([broken]), rule, needle)
                if suffix != ".xlsx":  # a workbook has no 说明 text
                    for _id, old, new, rule, needle in TEXT_INJECTIONS:
                        body = corpus.text(spec).replace(old, new, 1)
                        broken = corpus.publish(spec, work / f"x{suffix}", body=body)
                        cases, found = cases + 1, found + has(check_paths([broken]), rule, needle)
            recall = f"{found}/{cases}" if cases else "—"
            print(f"{name + suffix:<32} {recall:>9} {len(false):>13} {seconds:>10.3f}")


if __name__ == "__main__":
    main()
