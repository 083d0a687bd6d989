"""流转单 at the moment of flow (services/flow_forms.py, `xinao-xl flow-forms`): the month's
file with every flagged callback of the hand month (LZ001, LZ002, LZ003), or only the forms
asked for in a file of their own; an unknown number refused naming the month's numbers; one
A4 page per form when LibreOffice prints the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.services import hand_month as H
from xinao_xl.cli import main
from xinao_xl.services.flow_forms import FlowFormError, make_flow_forms


@pytest.fixture
def month(tmp_path: Path) -> Path:
    H.build(tmp_path)
    return tmp_path


def test_all_the_month_s_forms(month: Path) -> None:
    result = make_flow_forms(H.MONTH, month, now=H.NOW)
    assert result.path == month / H.MONTH / "结账" / "2026-11_流转单.xlsx"
    assert result.numbers == ["LZ001", "LZ002", "LZ003"]  # the 台账's order
    assert load_workbook(result.path).sheetnames == ["LZ001", "LZ002", "LZ003"]
    assert "3 张" in result.summary()


def test_one_form_at_the_moment_of_flow_in_a_file_of_its_own(month: Path) -> None:
    whole = make_flow_forms(H.MONTH, month, now=H.NOW).path
    before = whole.read_bytes()
    one = make_flow_forms(H.MONTH, month, now=H.NOW, orders=["LZ002"])
    assert one.path == month / H.MONTH / "结账" / "2026-11_流转单_LZ002.xlsx"
    ws = load_workbook(one.path)["LZ002"]
    assert load_workbook(one.path).sheetnames == ["LZ002"]
    assert ws["B4"].value == "客户10" and ws["D4"].value == "13900000010"  # the department calls back: full phone
    assert "部门：管网部" in ws["A3"].value and "反馈时限：2026-11-30 23:59" in ws["A2"].value  # 11-28 15:00 + 2
    assert whole.read_bytes() == before  # the month's file is not replaced by a part of it


def test_several_forms_any_case_in_the_order_asked(month: Path) -> None:
    result = make_flow_forms(H.MONTH, month, now=H.NOW, orders=["lz003", "ＬＺ001"])
    assert result.numbers == ["LZ003", "LZ001"]
    assert result.path.name == "2026-11_流转单_LZ003等2张.xlsx"
    assert load_workbook(result.path).sheetnames == ["LZ003", "LZ001"]


def test_an_unknown_number_is_refused_naming_the_month_s(month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(FlowFormError, match="找不到流转单号 LZ404.*LZ001、LZ002、LZ003"):
        make_flow_forms(H.MONTH, month, now=H.NOW, orders=["LZ001", "LZ404"])
    assert not (month / H.MONTH / "结账").exists()  # nothing written
    assert main(["flow-forms", H.MONTH, "--order", "LZ404", "--dir", str(month)]) == 2
    assert "找不到流转单号 LZ404" in capsys.readouterr().err


def test_the_command(month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flow-forms", H.MONTH, "--dir", str(month), "--now", H.NOW.isoformat()]) == 0
    assert "已生成 2026-11 流转单 3 张" in capsys.readouterr().out
    assert main(["flow-forms", H.MONTH, "--order", "LZ001", "LZ002", "--dir", str(month), "--now", H.NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "2 张" in out and "2026-11_流转单_LZ001等2张.xlsx" in out


@pytest.mark.libreoffice
def test_one_a4_page_per_form(month: Path, tmp_path: Path, require_libreoffice: str) -> None:
    from pypdf import PdfReader

    from tests.support.libreoffice import render_pdf_many

    whole = make_flow_forms(H.MONTH, month, now=H.NOW).path
    one = make_flow_forms(H.MONTH, month, now=H.NOW, orders=["LZ002"]).path
    pdfs = render_pdf_many([whole, one], tmp_path / "pdf")
    for pdf, forms in zip(pdfs, (["LZ001", "LZ002", "LZ003"], ["LZ002"]), strict=True):
        pages = PdfReader(pdf).pages
        assert len(pages) == len(forms)  # one page per form, none cut in two
        for page, number in zip(pages, forms, strict=True):
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 upright, in points
            text = page.extract_text().replace(" ", "")
            assert "客户回访信息流转单" in text and f"流转单号：{number}" in text
