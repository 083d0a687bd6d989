"""`make_period_report` with ``--db`` a SQLite file or a PostgreSQL URL gives the same figures.

Its own module: the PostgreSQL `db_url` empties the store's tables, which must not happen
while test_queries.py holds its module-wide connection to them.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.history.test_queries import CARDS, CO, COMPLAINTS, _rows
from xinao_xl.history import schema as S
from xinao_xl.history.store import HistoryStore
from xinao_xl.services.period_report import make_period_report


def test_the_report_service_on_each_backend(db_url: str, tmp_path: Path) -> None:
    with HistoryStore(db_url) as st, st.engine.begin() as c:
        c.execute(S.months.insert(), _rows(S.months, [{"month": m} for m in ("2026-10", "2026-11")]))
        c.execute(S.complaints.insert(), _rows(S.complaints, COMPLAINTS))
        c.execute(S.score_cards.insert(), _rows(S.score_cards, CARDS))
    result = make_period_report("2026Q4", tmp_path, db=db_url, company=CO)
    assert result.present == ("2026-10", "2026-11") and result.missing == ("2026-12",)
    rows = [[c.value for c in r] for r in load_workbook(result.path)["投诉统计"].iter_rows()]
    assert next(r for r in rows if r[0] == "3级")[1:6] == [1, 2, 1, 1, 20]  # as test_queries' by-level figures
