"""Every workbook printed through LibreOffice to PDF: A4, one page wide, the rows in use.

The blank books of a month and the demo month (its four live books, the 回访报告 and the
流转单 of its close) are printed as Excel prints them (`tests.support.print_layout`: the
ledgers' print-area formulas evaluated by LibreOffice, then the PDF). Each page is matched
to its sheet by the page header (month, workbook, sheet), so the counts are per sheet.

What only Excel can show: that Excel evaluates a print area given as a formula when it
prints, and that it leaves hidden sheets out of printing the whole workbook (LibreOffice's
PDF export prints hidden sheets too; their pages are counted apart here).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from tests.support.print_layout import Page, pages, print_as_excel, printed_rows, text_sizes
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.printing import BLANK_ROWS, PRINT_MIN_PT, load_book
from xinao_xl.books.read import BookReader
from xinao_xl.books.workbooks import file_name, write_books
from xinao_xl.cli.demo import DEMO_MONTH, DEMO_NOW
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.close import OUT_DIR, close_month
from xinao_xl.services.complaint_forms import make_complaint_form
from xinao_xl.services.sample_data import SampleSize, make_sample_month

pytestmark = pytest.mark.libreoffice

BLANK_MONTH = "2026-12"
STEMS = (assessment.STEM, callback_ledger.STEM, opinions.STEM, complaint_ledger.STEM)
HIDDEN = {"规则", "工作日历", "问卷"}  # reference sheets: out of a whole-workbook print


def _ledgers() -> dict[str, object]:
    rules = load_rules()
    return {
        callback_ledger.STEM: callback_ledger.ledger_sheet(),
        complaint_ledger.STEM: complaint_ledger.ledger_sheet(rules),
        opinions.STEM: opinions.opinions_sheet(),
        assessment.STEM: assessment.items_sheet(rules),
    }


@pytest.fixture(scope="module")
def printed(require_libreoffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Path]]:
    """name -> (workbook, resolved copy, PDF) for the blank books and the demo month."""
    root = tmp_path_factory.mktemp("print")
    blank = write_books(root / "blank", BLANK_MONTH)
    demo = make_sample_month(DEMO_MONTH, root / "demo", SampleSize(), seed=2026, now=DEMO_NOW)
    close_month(DEMO_MONTH, root / "demo", user="测试", now=DEMO_NOW)
    closed = demo.folder / OUT_DIR
    # the 投诉单 of the demo's rejected, re-investigated complaint (two rounds, evidence) and the
    # 附件5 of its 无责 one; the month is closed, so written beside it (--out)
    forms = root / "forms"
    make_complaint_form("TS2026110001", root / "demo", now=DEMO_NOW, out=forms / "投诉单.xlsx")
    make_complaint_form("TS2026110006", root / "demo", termination=True, now=DEMO_NOW, out=forms / "特殊终止申请表.xlsx")
    srcs = {f"空白 {p.name}": p for p in blank}
    srcs |= {f"示例 {p.name}": p for p in demo.paths.values()}
    srcs["回访报告"] = closed / f"{DEMO_MONTH}_客户回访报告.xlsx"
    srcs["流转单"] = closed / f"{DEMO_MONTH}_流转单.xlsx"
    srcs["投诉单"] = forms / "投诉单.xlsx"
    srcs["特殊终止申请表"] = forms / "特殊终止申请表.xlsx"
    srcs["考核表结账副本"] = closed / f"{DEMO_MONTH}_服务绩效考核表_结账.xlsx"
    work = root / "out"
    done = print_as_excel(list(srcs.values()), work)
    return {name: (src, res, pdf) for (name, src), (res, pdf) in zip(srcs.items(), done, strict=True)}


def _sheets(path: Path) -> tuple[list[str], set[str]]:
    wb = load_book(path)
    return wb.sheetnames, {ws.title for ws in wb.worksheets if ws.sheet_state != "visible"}


def _by_sheet(path: Path, pdf: Path) -> dict[str | None, list[Page]]:
    names, _ = _sheets(path)
    out: dict[str | None, list[Page]] = {}
    for page in pages(pdf, names):
        out.setdefault(page.sheet, []).append(page)
    return out


def _halves(ws: object) -> int:
    """Pages a band of rows prints on: 2 for a sheet split by hand (`printing.two_pages_wide`)."""
    return 1 + len(ws.col_breaks.brk)  # type: ignore[attr-defined]


def _book(printed: dict[str, tuple[Path, Path, Path]], kind: str, stem: str) -> tuple[Path, Path, Path]:
    month = BLANK_MONTH if kind == "空白" else DEMO_MONTH
    return printed[f"{kind} {file_name(stem, month)}"]


@pytest.mark.parametrize("kind", ["空白", "示例"])
@pytest.mark.parametrize("stem", STEMS)
def test_every_page_is_a4_one_page_wide_with_month_and_sheet_in_the_header(printed, kind: str, stem: str) -> None:
    src, resolved, pdf = _book(printed, kind, stem)
    wb = load_book(src)
    areas = printed_rows(resolved)
    by_sheet = _by_sheet(src, pdf)
    assert None not in by_sheet, f"pages without a sheet in the header: {[p.number for p in by_sheet.get(None, [])]}"
    month = BLANK_MONTH if kind == "空白" else DEMO_MONTH
    for sheet, sheet_pages in by_sheet.items():
        ws = wb[sheet]
        header_row = int(ws.print_title_rows.split(":")[0].replace("$", "")) if ws.print_title_rows else None
        first = ws.cell(row=header_row, column=1).value if header_row else None
        last = ws.cell(row=header_row, column=areas.get(sheet, (0, ws.max_column))[1]).value if header_row else None
        # a sheet printed two pages wide (回访台账's 台账): the halves alternate, split at the break
        split = ws.col_breaks.brk[0].id if ws.col_breaks.brk else None
        ends = (ws.cell(row=header_row, column=split).value, last) if header_row and split else (last,)
        for n, page in enumerate(sheet_pages):
            assert page.a4, f"{sheet} p{page.number}: {page.width}×{page.height}"
            assert month in page.text and "第" in page.text and "页共" in page.text, f"{sheet} p{page.number}: header/footer"
            if header_row:  # the header row repeats and spans every column of its page
                for text in (first, ends[n % len(ends)]):
                    assert "".join(str(text).split()) in page.text, f"{sheet} p{page.number} lacks column {text}"
    visible = {ws.title for ws in wb.worksheets if ws.sheet_state == "visible"}
    assert visible <= set(by_sheet), f"sheets not printed: {visible - set(by_sheet)}"
    assert {ws.title for ws in wb.worksheets if ws.sheet_state != "visible"} == HIDDEN & set(wb.sheetnames)


@pytest.mark.parametrize("stem", STEMS)
def test_a_blank_book_prints_a_page_a_sheet(printed, stem: str) -> None:
    """Before: the blank 回访台账 printed 70 pages, the 投诉台账 24, the 考核表 18."""
    src, resolved, pdf = _book(printed, "空白", stem)
    by_sheet = _by_sheet(src, pdf)
    _, hidden = _sheets(src)
    counts = Counter({sheet: len(p) for sheet, p in by_sheet.items() if sheet not in hidden})
    wb = load_book(src)
    assert counts == {sheet: _halves(wb[sheet]) for sheet in counts}, counts  # the 回访台账's 台账: its two halves
    spec = _ledgers()[stem]
    # the ledger prints its title, header and BLANK_ROWS empty rows (a form to fill by hand),
    # across the columns that print (the 投诉台账's first 25; the others are on screen only)
    assert printed_rows(resolved)[spec.name] == (spec.header_row + BLANK_ROWS, spec.print_columns)


@pytest.mark.parametrize("stem", STEMS)
def test_a_filled_ledger_prints_its_records_and_no_more(printed, stem: str) -> None:
    """Before: the demo 回访台账 (300 callbacks) printed 76 pages, 2 wide."""
    src, resolved, pdf = _book(printed, "示例", stem)
    spec = _ledgers()[stem]
    records = BookReader(src).table(spec).records()  # the demo's 意见统计表 is filled at the close: none
    last = max((r["_row"] for r in records), default=spec.header_row)
    assert printed_rows(resolved)[spec.name] == (max(last, spec.header_row + BLANK_ROWS), spec.print_columns)
    sheet_pages = _by_sheet(src, pdf)[spec.name]
    # at least 20 records a page (300 callbacks: 15 pages at most; the 回访台账's 台账 prints each
    # page's rows on two pages side by side, so 30)
    halves = _halves(load_book(src)[spec.name])
    assert len(sheet_pages) <= halves * max(1, math.ceil(len(records) / 20)), (len(records), len(sheet_pages))
    if records:  # the last record is on the last page
        key = spec.entry_columns[0].key if stem != callback_ledger.STEM else "order"
        last_key = next(r[key] for r in records if r["_row"] == last)
        assert "".join(str(last_key).split()) in sheet_pages[-1].text


def test_the_closed_copy_prints_its_figures_and_every_line_item(printed) -> None:
    """Issue 14: the closed copies print the closed figures with borders and 合计. 汇总: one
    page, the 合计 row and the review columns; 结账明细: A4 upright, its header row on every
    page, one page wide (部门 and 来源, its first and last columns, on each page)."""
    src, _, pdf = printed["考核表结账副本"]
    by_sheet = _by_sheet(src, pdf)
    summary = by_sheet["汇总"]
    assert len(summary) == 1 and "合计" in summary[0].text and "审批日期" in summary[0].text
    detail = by_sheet["结账明细"]
    wb = load_book(src)
    items = wb["结账明细"].max_row - 1
    assert items > 0 and len(detail) <= math.ceil(items / 15)
    for page in detail:
        assert page.a4 and page.height > page.width, f"结账明细 p{page.number}: {page.width}×{page.height}"
        assert DEMO_MONTH in page.text and "部门" in page.text and "来源" in page.text, page.number


def test_report_charts_print_whole_on_a_page_of_their_own(printed) -> None:
    src, _, pdf = printed["回访报告"]
    by_sheet = _by_sheet(src, pdf)
    assert None not in by_sheet and all(p.a4 for ps in by_sheet.values() for p in ps)
    report = by_sheet["回访报告"]
    assert len(report) == 2
    tables, charts = report
    assert "一、回访数据" in tables.text and "四、各部门服务考核得分" in tables.text
    assert "各业务回访满意度" in charts.text and "各部门扣分" in charts.text
    assert "一、回访数据" not in charts.text


def test_each_flow_form_prints_on_one_a4_page(printed) -> None:
    src, _, pdf = printed["流转单"]
    names, _ = _sheets(src)
    got = pages(pdf, names)
    assert len(got) == len(names) and all(p.a4 and p.height > p.width for p in got)


@pytest.mark.parametrize("kind", ["空白", "示例"])
def test_the_complaint_ledger_prints_readable(printed, kind: str) -> None:
    """Every piece of text on the 投诉台账's pages, page header and footer included, is at least
    PRINT_MIN_PT (6 pt) on paper. Before: the 50 columns fitted one A4 width at 4–5 pt; then
    the 25 printed columns at 0.62 of their size (10 pt cells 6.2 pt, the 9 pt page header
    5.6 pt). Now, with 0.25-inch side margins: 0.64, so 10 pt × 0.64 = 6.4 pt."""
    src, _, pdf = _book(printed, kind, complaint_ledger.STEM)
    names, _ = _sheets(src)
    ledger = [i for i, p in enumerate(pages(pdf, names)) if p.sheet == complaint_ledger.LEDGER]
    sizes = text_sizes(pdf)
    assert ledger
    for i in ledger:
        smallest = min(sizes[i].values())
        assert smallest >= PRINT_MIN_PT, (i + 1, smallest, min(sizes[i], key=sizes[i].get))
    assert PRINT_MIN_PT == 6.0
    # the cells' 10-point text: drawn at the same scale, so 10 × scale ≥ 6 means scale ≥ 0.6
    body = [v for i in ledger for k, v in sizes[i].items() if k.startswith("TS20") or k == "投诉单号"]
    assert body and min(body) >= 6.0


@pytest.mark.parametrize("kind", ["空白", "示例"])
def test_the_callback_ledger_prints_readable_two_pages_wide(printed, kind: str) -> None:
    """22 columns fitted to one A4 width printed the 台账's cells at 3.9 pt. Two landscape pages
    side by side: the left A–M (回访日期…客户建议) is 13 columns of 169 units; with the widest
    digit (9 px, DejaVu Sans standing in for Calibri) plus 5 px padding a column,
    (169 × 9 + 13 × 5) × 0.75 = 1,189.5 pt; the page is 842 − 2 × 0.4 × 72 = 784.4 pt wide,
    so the scale is 65 % (784.4 / 1,189.5 = 0.659) and the 10-point cells print at 6.5 pt,
    the page header and footer (10 pt) too. The halves alternate, so the pages are even."""
    src, _, pdf = _book(printed, kind, callback_ledger.STEM)
    names, _ = _sheets(src)
    ledger = [i for i, p in enumerate(pages(pdf, names)) if p.sheet == callback_ledger.LEDGER]
    assert ledger and len(ledger) % 2 == 0
    assert load_book(src)[callback_ledger.LEDGER].page_setup.scale == 65
    sizes = text_sizes(pdf)
    for i in ledger:
        smallest = min(sizes[i].values())
        assert smallest >= PRINT_MIN_PT, (i + 1, smallest, min(sizes[i], key=sizes[i].get))
    header = [v for i in ledger for k, v in sizes[i].items() if k == "回访日期"]
    assert header and min(header) == pytest.approx(10 * 0.65, abs=0.05)


@pytest.mark.parametrize("name", ["投诉单", "特殊终止申请表"])
def test_each_complaint_form_prints_on_one_a4_page_readable(printed, name: str) -> None:
    """投诉 第十条(二) (paper complaint sheets) and 附件5: one upright A4 page each, the form's
    title and fields on it, no text under 6 pt."""
    src, _, pdf = printed[name]
    names, _ = _sheets(src)
    got = pages(pdf, names)
    assert len(got) == len(names) == 1 and got[0].a4 and got[0].height > got[0].width
    text = got[0].text
    if name == "投诉单":
        for field in ("客户投诉单", "TS2026110001", "第1轮", "第2轮", "驳回", "回访结果", "有责/无责", "证据", "受理人（签字）"):
            assert field in text, field
    else:
        for field in ("客户投诉特殊终止处理申请表", "申请单位", "投诉单编号", "受理时间", "申请时间", "用户地址", "用户姓名", "用户电话",
                      "事件经过", "处理结果", "终止处理原因说明", "呼叫中心解释话术", "后继以建议单方式传递", "服务理正审核意见"):
            assert field in text, field
    assert min(text_sizes(pdf)[0].values()) >= 6.0
