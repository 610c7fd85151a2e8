"""The checker on disclosures of other units, years and templates (tests/finance/corpus/, constructed for
the tests — not written from the seed): each consistent version gives 0 errors, and every injected error
kind is found in each of them.

The documents: a Chongqing-template district 信访办 2019 (万元, 收入总计 with 结转和结余), a county education
bureau 2017 on the Sichuan template (万元 with thousands separators), a county hospital 2020 (元), a
township 2022 (万元 with 4 decimals, 占比/同比 wording) and a provincial department 2024 (亿元, Shanghai
wording, 三公 in 万元)."""

import sys
from pathlib import Path

import pytest

from xinfang.finance.checker import check_path, check_text

sys.path.insert(0, str(Path(__file__).parent))

CORPUS = Path(__file__).parent / "corpus"

INJECTIONS = {
    "chongqing_xinfang_2019.txt": [
        ("SUM", "年初结转和结余54.11万元。", "年初结转和结余45.11万元。"),
        ("SUM", "公务用车运行维护费4.80万元，主要", "公务用车运行维护费4.20万元，主要"),
        ("PROC", "授予中小企业合同金额25.60万元", "授予中小企业合同金额28.60万元"),
        ("FUND-SPEND", "政府性基金预算财政拨款支出0.00万元", "政府性基金预算财政拨款支出12.00万元"),
        ("COMPL", "决算为6.40万元，完成预算的80.00%", "决算为6.40万元，完成预算的120.00%"),
        ("COMPL", "公务接待费支出1.60万元，完成预算的80.00%", "公务接待费支出1.60万元，完成预算的95.00%"),
        ("DUP", "推动信访工作的规范化", "推动信访工作的的规范化"),
        ("YEAR", "截至2019年12月31日，本部门", "截至2018年12月31日，本部门"),
        ("SHARE", "占82.31%", "占83.31%"),
        ("YOY", "下降19.07%", "下降17.07%"),
        ("YOY-DIR", "减少0.40万元，下降20.00%", "减少0.40万元，增长20.00%"),
        ("TYPO", "度一般公共预算财政拨款基本支出", "度一般公共予算财政拨款基本支出"),
        ("COMPL", "完成年初预算的106.35%", "完成年初预算的107.35%"),
        ("COMPL", "决算数大于预算数的主要原因", "决算数小于预算数的主要原因"),
        ("COMPL", "决算数小于预算数的主要原因是严格执行", "决算数等于预算数的主要原因是严格执行"),
        ("PCT-SIGN", "下降19.07%，", "下降19.07，"),
    ],
    "county_education_2017.txt": [
        ("SUM", "2017年本年收入合计8,652.40万元", "2017年本年收入合计8,752.40万元"),
        ("SUM", "3.公务用车运行维护费支出16.60万元", "3.公务用车运行维护费支出15.60万元"),
        (
            "PROC",
            "授予中小企业合同金额1,008.00万元，占政府采购支出总额的80.00%",
            "授予中小企业合同金额1,360.00万元，占政府采购支出总额的107.94%",
        ),
        ("FUND-SPEND", "政府性基金预算拨款支出150.00万元", "政府性基金预算拨款支出250.00万元"),
        ("COMPL", "决算为24.60万元，完成预算82.00%", "决算为24.60万元，完成预算120.00%"),
        ("COMPL", "公务接待费支出8.00万元，完成预算80.00%", "公务接待费支出8.00万元，完成预算95.00%"),
        ("DUP", "确保了项目的顺利完成", "确保了项目的的顺利完成"),
        ("YEAR", "比2016年减少3.40万元", "比2015年减少3.40万元"),
        ("SHARE", "占86.91%", "占88.91%"),
        ("YOY", "增长7.62%", "增长8.62%"),
        ("SUM", "政府采购货物支出860.00万元", "政府采购货物支出880.00万元"),
        ("TYPO", "机关运行经费支出560.00万元", "机关运形经费支出560.00万元"),
    ],
    "county_hospital_2020.txt": [
        ("SUM", "年初结转和结余12,805,114.74元", "年初结转和结余12,850,114.74元"),
        ("SUM", "公务用车运行维护费126,000.00元，主要", "公务用车运行维护费116,000.00元，主要"),
        (
            "PROC",
            "授予中小企业合同金额29,160,000.00元，占政府采购支出总额的60.00%",
            "授予中小企业合同金额52,000,000.00元，占政府采购支出总额的107.00%",
        ),
        ("FUND-SPEND", "政府性基金预算财政拨款支出0.00元", "政府性基金预算财政拨款支出350,000.00元"),
        ("COMPL", "决算为186,000.00元，完成预算的93.00%", "决算为186,000.00元，完成预算的120.00%"),
        (
            "COMPL",
            "公务接待费支出60,000.00元，完成预算的100.00%",
            "公务接待费支出60,000.00元，完成预算的95.00%",
        ),
        ("DUP", "提升了医院的救治能力", "提升了医院的的救治能力"),
        ("YEAR", "截至2020年12月31日，本单位", "截至2029年12月31日，本单位"),
        ("SHARE", "占比90.60%", "占比92.60%"),
        ("YOY", "增长8.60%", "增长6.80%"),
        ("SUM", "政府采购货物支出40,100,000.00元", "政府采购货物支出41,100,000.00元"),
        ("TYPO", "政府采购支出总额48,600,000.00元", "政府采够支出总额48,600,000.00元"),
    ],
    "township_2022.txt": [
        ("SUM", "年末结转和结余31.5660万元", "年末结转和结余35.5660万元"),
        ("SUM", "公务用车运行维护费2.4000万元", "公务用车运行维护费2.0400万元"),
        ("PROC", "授予小微企业合同金额60.0000万元", "授予小微企业合同金额90.0000万元"),
        ("FUND-SPEND", "政府性基金预算财政拨款支出120.0000万元", "政府性基金预算财政拨款支出160.0000万元"),
        ("COMPL", "决算为3.6000万元，完成预算的90.00%", "决算为3.6000万元，完成预算的120.00%"),
        (
            "COMPL",
            "公务接待费支出1.2000万元，完成预算的120.00%",
            "公务接待费支出1.2000万元，完成预算的95.00%",
        ),
        ("DUP", "做好乡村振兴", "做好乡村振兴兴"),
        ("YEAR", "截至2022年12月31日，本镇", "截至2202年12月31日，本镇"),
        ("SHARE", "所占比重34.35%", "所占比重36.35%"),
        ("YOY", "同比增长11.45%", "同比增长14.15%"),
        ("YOY-DIR", "同比减少2.3900万元，下降6.19%", "同比减少2.3900万元，增长6.19%"),
        ("TYPO", "本年支出合计1,250.1230万元", "本年攴出合计1,250.1230万元"),
    ],
    "province_transport_2024.txt": [
        ("SUM", "使用非财政拨款结余0.30亿元", "使用非财政拨款结余0.50亿元"),
        ("SUM", "公务用车运行维护费60.00万元", "公务用车运行维护费66.00万元"),
        ("PROC", "授予中小企业合同金额2.40亿元", "授予中小企业合同金额3.40亿元"),
        ("FUND-SPEND", "政府性基金预算财政拨款支出5.50亿元", "政府性基金预算财政拨款支出5.80亿元"),
        ("COMPL", "决算为215.60万元，完成预算的98.00%", "决算为215.60万元，完成预算的120.00%"),
        (
            "COMPL",
            "因公出国（境）费支出60.00万元，完成预算的100.00%",
            "因公出国（境）费支出60.00万元，完成预算的95.00%",
        ),
        ("DUP", "提升了路网的通行能力", "提升了路网的的通行能力"),
        ("YEAR", "与上年相比减少39.50万元", "与2021年相比减少39.50万元"),
        ("SHARE", "所占比重为86.77%", "所占比重为84.77%"),
        ("YOY", "增长8.00%", "增长9.00%"),
        ("SUM", "政府采购工程支出1.50亿元", "政府采购工程支出1.60亿元"),
        ("TYPO", "没有国有资本经营预算财政拨款收入", "没有国有资本经菅预算财政拨款收入"),
    ],
}


def read(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_consistent_disclosure_has_no_errors_nor_warnings(name):
    assert [(f.rule, f.message) for f in check_text(read(name)) if f.severity != "info"] == []


@pytest.mark.parametrize(
    ("name", "rule", "old", "new"),
    [(name, *case) for name, cases in sorted(INJECTIONS.items()) for case in cases],
)
def test_injected_error_is_found(name, rule, old, new):
    text = read(name)
    assert text.count(old) == 1, old
    found = check_text(text.replace(old, new))
    assert any(f.rule == rule and f.severity != "info" for f in found), [(f.rule, f.message) for f in found]


def test_every_document_has_every_kind():
    kinds = {"SUM", "PROC", "FUND-SPEND", "COMPL", "DUP", "YEAR", "SHARE", "YOY", "TYPO"}
    assert len(INJECTIONS) >= 5
    for name, cases in INJECTIONS.items():
        assert kinds <= {rule for rule, _, _ in cases}, name


def page_wrapped(text: str, columns: int) -> str:
    """The text as a PDF gives it: every line broken at the page width (a Chinese character two columns)."""
    out = []
    for line in text.split("\n"):
        current = ""
        for ch in line:
            if sum(2 if ord(c) > 0x2E7F else 1 for c in current + ch) > columns:
                out.append(current)
                current = ""
            current += ch
        out.append(current)
    return "\n".join(out)


@pytest.mark.parametrize("columns", [58, 74])
@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_page_wrapped_disclosure_has_no_errors_nor_warnings(name, columns):
    text = page_wrapped(read(name), columns)
    assert [(f.rule, f.message) for f in check_text(text) if f.severity != "info"] == []


@pytest.mark.parametrize(
    ("name", "rule", "old", "new"),
    [(name, *case) for name, cases in sorted(INJECTIONS.items()) for case in cases],
)
def test_injected_error_is_found_in_the_page_wrapped_text(name, rule, old, new):
    found = check_text(page_wrapped(read(name).replace(old, new), 66))
    assert any(f.rule == rule and f.severity != "info" for f in found), [(f.rule, f.message) for f in found]


# --- the same documents as published: Word and the PDF LibreOffice prints from it (make_corpus_files.py) --


def summary(findings):
    return sorted((f.rule, f.severity, f.message) for f in findings if f.severity != "info")


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_published_pdf_and_docx_give_the_findings_of_the_text(name):
    """The committed .docx and .pdf of each corpus text: 0 errors and warnings, as the text, and the same
    findings from the PDF as from the Word file (info included: e.g. rounding notes)."""
    stem = CORPUS / Path(name).stem
    docx = check_path(stem.with_suffix(".docx"))
    pdf = check_path(stem.with_suffix(".pdf"))
    assert summary(docx) == summary(check_text(read(name))) == []
    assert sorted((f.rule, f.severity, f.message) for f in pdf) == sorted(
        (f.rule, f.severity, f.message) for f in docx
    )


def test_injected_errors_found_in_a_pdf_made_by_libreoffice(tmp_path):
    """Each injected error of one document, printed to PDF by LibreOffice, is found as in the text."""
    import shutil
    import subprocess

    from make_corpus_files import write_docx  # noqa: PLC0415

    if not shutil.which("libreoffice"):
        pytest.skip("libreoffice is not installed")
    name = "county_hospital_2020.txt"
    for i, (_rule, old, new) in enumerate(INJECTIONS[name]):
        txt = tmp_path / f"inj{i}.txt"
        txt.write_text(read(name).replace(old, new), encoding="utf-8")
    for txt in sorted(tmp_path.glob("*.txt")):
        write_docx(txt)
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
        + [str(p) for p in sorted(tmp_path.glob("*.docx"))],
        check=True,
        capture_output=True,
    )
    for i, (rule, *_) in enumerate(INJECTIONS[name]):
        findings = check_path(tmp_path / f"inj{i}.pdf")
        assert any(f.rule == rule for f in findings), (rule, summary(findings))
