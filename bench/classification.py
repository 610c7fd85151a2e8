"""The classification lists (finance/data) and the subject-name rule (checker/classification_rules.py), timed.

    PYTHONPATH=. .venv/bin/python bench/classification.py [--repeat 5]

Prints the size of each year's lists, the time to load them (first call, cold), and per document — the seed
and the constructed corpus in tests/finance/corpus — the whole check_text time and the name rule's share (mean
of --repeat runs).
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xinfang.finance import classification as C  # noqa: E402
from xinfang.finance.checker import check_text, guess_year  # noqa: E402
from xinfang.finance.checker.classification_rules import check_classification  # noqa: E402
from xinfang.finance.checker.document import parse  # noqa: E402


def mean_seconds(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    sizes = {
        y: (len(C.official_names(y)), len(C.economic_names(y))) for y in range(C.FIRST_YEAR, C.LAST_YEAR + 1)
    }
    C.class_codes(), C.tree(None, False)
    print(f"lists loaded in {time.perf_counter() - start:.3f} s; renames {len(C.renames())}")
    for year, (functional, economic) in sizes.items():
        print(f"  {year}: 功能分类 {functional} codes, 经济分类 {economic} codes")
    files = [
        ROOT / "tests/finance/fixtures/seed_2019.txt",
        *sorted((ROOT / "tests/finance/corpus").glob("*.txt")),
    ]
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        doc, year = parse(text), guess_year(text)
        whole = mean_seconds(lambda text=text: check_text(text), args.repeat)
        names = mean_seconds(lambda doc=doc, year=year: check_classification(doc, year=year), args.repeat)
        print(f"  {path.name:28s} check_text {whole:.3f} s, name rule {names * 1000:.1f} ms")


if __name__ == "__main__":
    main()
