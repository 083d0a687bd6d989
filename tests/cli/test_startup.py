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
