"""Start-up (issue 16): ``xinao-xl --version`` and every ``--help`` build the whole parser,
so building it must import no use case: pandas, openpyxl, SQLAlchemy and calamine are
imported when a command runs, inside the function that runs it (cli/__init__.py)."""

from __future__ import annotations

from tests.support.imports import HEAVY, heavy_imports


def test_building_the_parser_imports_no_heavy_library() -> None:
    assert heavy_imports("from xinao_xl.cli import build_parser; build_parser()") == set()


def test_the_check_sees_a_heavy_import() -> None:
    """The probe itself: a command that runs imports its use case and what that needs."""
    assert {"openpyxl", "python_calamine"} <= heavy_imports("import xinao_xl.services.validate")
    assert "pandas" in heavy_imports("import xinao_xl.services.period_report")  # the period report's frames
    assert "xlwings" in HEAVY


def test_version_and_help_run_without_them() -> None:
    code = ("import contextlib, io\nfrom xinao_xl.cli import main\n"
            "for argv in (['--version'], ['--help'], ['close', '--help'], ['demo', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "        main(argv)")
    assert heavy_imports(code) == set()


def test_openpyxl_comes_without_numpy_in_a_command() -> None:
    """openpyxl imports numpy (0.06-0.08 s) only to accept numpy numbers as cell values; in
    an ``xinao-xl`` process it does not (books/no_numpy.py): a close, a validation and every
    command that touches a workbook start without numpy. pandas still gets it, a process
    that imported numpy first gets openpyxl as it comes, and importing the package as a
    library changes nothing."""
    assert "numpy" not in heavy_imports("import xinao_xl.cli, xinao_xl.services.close")
    assert "numpy" not in heavy_imports("import xinao_xl.cli, openpyxl\nassert openpyxl.compat.numbers.NUMPY is False")
    assert {"numpy", "pandas"} <= heavy_imports("import xinao_xl.cli, openpyxl, pandas\nassert pandas.DataFrame({'a': [1]}).a.sum() == 1")
    assert "numpy" in heavy_imports("import numpy, xinao_xl.cli, openpyxl\nassert openpyxl.compat.numbers.NUMPY is True")
    assert "numpy" in heavy_imports("import xinao_xl.services.close, openpyxl\nassert openpyxl.compat.numbers.NUMPY is True")


def test_a_numpy_number_still_reaches_a_period_report_cell_as_a_number() -> None:
    """The one path that carries pandas values to openpyxl (books/period_report.py) turns
    them into Python's own numbers first; openpyxl without numpy writes them as numbers."""
    code = ("import xinao_xl.cli, openpyxl, numpy\n"
            "from openpyxl import Workbook\n"
            "from xinao_xl.books.period_report import _cell\n"
            "ws = Workbook().active\n"
            "_cell(ws, 1, 1, numpy.int64(7), None); _cell(ws, 1, 2, numpy.float64(2.5), None)\n"
            "assert openpyxl.compat.numbers.NUMPY is False\n"
            "assert (ws['A1'].value, ws['B1'].value, ws['A1'].data_type) == (7, 2.5, 'n'), (ws['A1'].value, ws['B1'].value)")
    assert "numpy" in heavy_imports(code)
