"""A generated historical register (.xlsx) in the layout `legacy.py` reads — for the tests, the bench
(bench/legacy_import.py) and a trial of the import page — with, on request, one problem of each kind planted
on known rows. Units and codes are those of the installation; ID numbers carry a correct check digit."""

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook

from xinfang.core.validators import id_check_digit
from xinfang.petitions.models import Code, Unit

HEADERS = ["登记编号", "来信来访日期", "信访形式", "人数", "姓名", "身份证号", "联系电话", "问题属地", "内容分类",
           "反映内容", "责任单位", "办理结果"]  # fmt: skip
FORMS = ["来信", "来电", "来访", "网上信访"]
OUTCOMES = ["予以支持", "作出解释说明", "不予支持"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
# The planted problems, one per kind, in the order they are put on rows: (column, bad value)
PLANTED = [
    ("身份证号", "checksum"),
    ("问题属地", "不存在镇"),
    ("信访形式", "传真来件"),
    ("来信来访日期", "1980-05-01"),
    ("登记编号", "duplicate"),
    ("办理结果", ""),
    ("联系电话", "12345"),
    ("内容分类", "外星事务"),
]


@dataclass(frozen=True)
class Sample:
    content: bytes
    rows: int
    problems: list[tuple[int, str]]  # (row number, column) of every planted problem
    by_year: dict[int, tuple[int, int]]  # year → (件次, 人次) of the good rows


def person_id(rng: random.Random, born: date) -> str:
    first17 = f"513223{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def register(rows: int, *, errors_every: int = 0, years=(2017, 2019), seed: int = 17) -> Sample:
    """`rows` data rows dated in `years` (inclusive); with `errors_every`, every n-th row carries the next
    planted problem (`PLANTED`, in turn)."""
    rng = random.Random(seed)
    townships = list(
        Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, is_active=True).values_list("name", flat=True)
    )
    units = list(
        Unit.objects.filter(kind__in=(Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP), is_active=True).values_list(
            "name", flat=True
        )
    )
    classes = list(
        Code.objects.filter(table=Code.Table.CONTENT, is_active=True, parent=None).values_list(
            "name", flat=True
        )
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("历史登记")
    ws.append(HEADERS)
    first, last = date(years[0], 1, 1), date(years[1], 12, 31)
    span = (last - first).days
    problems: list[tuple[int, str]] = []
    by_year: dict[int, list[int]] = {}
    planted = 0
    for i in range(rows):
        row_no = i + 2
        on = first + timedelta(days=rng.randrange(span + 1))
        form = rng.choice(FORMS)
        persons = rng.choice((1, 1, 1, 2, 3, 6)) if form == "来访" else 1
        values = [f"LS{i + 1:07d}", on.isoformat(), form, persons,
                  rng.choice(SURNAMES) + rng.choice("某甲乙丙丁"), person_id(rng, date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28))),
                  f"13{rng.randrange(10)}{rng.randrange(10**8):08d}", rng.choice(townships) if townships else "",
                  rng.choice(classes) if classes else "", f"反映{rng.choice(('工资', '征地', '低保', '道路', '就学'))}问题（历史登记第{i + 1}件）",
                  rng.choice(units) if units else "", rng.choice(OUTCOMES)]  # fmt: skip
        if errors_every and (i + 1) % errors_every == 0:
            column, bad = PLANTED[planted % len(PLANTED)]
            planted += 1
            index = HEADERS.index(column)
            if bad == "checksum":
                good = values[index]
                bad = good[:17] + ("0" if good[17] != "0" else "1")
            elif bad == "duplicate":
                bad = "LS0000001"  # the first row's
            values[index] = bad
            problems.append((row_no, column))
        else:
            counts = by_year.setdefault(on.year, [0, 0])
            counts[0] += 1
            counts[1] += persons
        ws.append(values)
    buf = io.BytesIO()
    wb.save(buf)
    return Sample(buf.getvalue(), rows, problems, {y: (n, p) for y, (n, p) in by_year.items()})
