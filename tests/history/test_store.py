"""The store on its own: where the database is, migrations, one month replaced in one
transaction (idempotent; a failure leaves the previous rows), companies kept apart."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import inspect, text

from xinao_xl.history import schema as S
from xinao_xl.history import store as H
from xinao_xl.history.store import HistoryStore

CO = "聊城新奥燃气"


def card(dept: str, score: float | None) -> dict:
    return {"dept": dept, "deductions": 100 - (score or 0), "bonuses": 0.0, "score": score, "grade": "", "weight": 0.1, "company_item": 9.0}


def records(month: str, n_calls: int, score: float = 95.5) -> dict:
    calls = [{"row_no": 3 + i, "call_date": date(int(month[:4]), int(month[5:]), 1 + i % 28), "in_month": True, "business": "维修",
              "customer": f"客户{i}", "phone": f"1390000{i:04d}", "customer_key": f"T1390000{i:04d}", "result": "满意",
              "satisfied": True, "unsatisfied": False, "flow": False, "carried": False} for i in range(n_calls)]
    return {
        "months": [{"closed_at": datetime(2026, 12, 3, 9, 0), "closed_by": "测试员", "forced": False}],
        "callbacks": calls,
        "score_cards": [card("客服部", score), card("管网部", 100.0)],
        "score_items": [{"dept": "客服部", "seq": 0, "category": "指标", "item_text": "入户及时率", "points": -(100 - score)}],
    }


def test_resolve_url_given_setting_default_and_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(H.DB_ENV, raising=False)
    assert H.resolve_url(None, tmp_path).database == str(tmp_path / "历史库.sqlite")
    assert H.existing_url(None, tmp_path) is None  # reading never creates the file
    assert H.resolve_url(None, None) is None
    assert H.resolve_url(str(tmp_path / "x.sqlite"), tmp_path).database == str(tmp_path / "x.sqlite")
    assert H.resolve_url("postgresql://u@127.0.0.1/db", tmp_path).drivername == "postgresql+psycopg"
    monkeypatch.setenv(H.DB_ENV, "postgresql://u@h:5433/xl")
    assert H.resolve_url(None, tmp_path).port == 5433
    assert H.existing_url(None, tmp_path) is not None  # a server counts as there
    assert H.resolve_url("sqlite:///" + str(tmp_path / "y.sqlite"), tmp_path).database == str(tmp_path / "y.sqlite")  # --db beats the setting
    monkeypatch.setenv(H.DB_ENV, "off")
    assert H.resolve_url(None, tmp_path) is None
    with pytest.raises(H.HistoryError, match="历史库已关闭"):
        HistoryStore.open(None, tmp_path)


def test_company_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(H.COMPANY_ENV, raising=False)
    assert H.company_name() == "聊城新奥燃气"
    monkeypatch.setenv(H.COMPANY_ENV, "德州新奥燃气")
    assert H.company_name() == "德州新奥燃气"
    assert H.company_name("临清新奥燃气") == "临清新奥燃气"


def test_new_database_gets_every_version(db_url: str) -> None:
    with HistoryStore(db_url) as st:
        assert st.applied_versions() == sorted(H.MIGRATIONS)
        with st.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) >= {t.name for t in S.metadata.sorted_tables}
            rows = conn.execute(text("select version, description from schema_version order by version")).all()
        assert [r.version for r in rows] == [1, 2] and "callbacks" in rows[0].description and "complaint_reassignments" in rows[1].description
        assert st.migrate() == []  # opening again applies nothing


def test_older_database_gets_the_missing_step(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    HistoryStore(db_url).close()  # a database at version 2

    def v3(conn) -> None:
        conn.execute(text("ALTER TABLE praise ADD COLUMN channel_note TEXT"))

    monkeypatch.setitem(H.MIGRATIONS, 3, ("praise.channel_note", v3))
    with HistoryStore(db_url) as st:
        assert st.applied_versions() == [1, 2, 3]
        with st.engine.connect() as conn:
            assert "channel_note" in {c["name"] for c in inspect(conn).get_columns("praise")}
        assert st.migrate() == []


def test_version_1_database_gets_the_complaint_course_and_keeps_its_rows(db_url: str) -> None:
    """Migration 2 (issue 18, 投诉 第七条): a store written by version 1 gets the new complaint
    columns and the 改派记录 table; its complaint rows stay, with NULL in the new columns,
    and still count (`queries._counted`: NULL is counted)."""
    from xinao_xl.history import queries as Q

    complaint = {"row_no": 3, "complaint_no": "TS001", "accepted": datetime(2026, 11, 3, 9), "in_month": True, "channel": "400", "level": 4,
                 "dept": "客服部", "responsible": True, "points": 15.0, "grade_c": False, "carried": False}
    with HistoryStore(db_url) as st:
        st.write_month(CO, "2026-11", {**records("2026-11", 1), "complaints": [complaint]})
        with st.engine.begin() as conn:  # back to version 1's shape
            for column in S.COMPLAINT_COLUMNS_V2:
                conn.execute(text(f'ALTER TABLE complaints DROP COLUMN "{column.name}"'))
            conn.execute(text("DROP TABLE complaint_reassignments"))
            conn.execute(text("DELETE FROM schema_version WHERE version = 2"))
    with HistoryStore(db_url) as st:
        assert st.applied_versions() == [1, 2]
        with st.engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("complaints")}
            assert {c.name for c in S.COMPLAINT_COLUMNS_V2} <= columns and inspect(conn).has_table("complaint_reassignments")
            row = conn.execute(text("select complaint_no, counted, state from complaints")).one()
            assert tuple(row) == ("TS001", None, None)
            levels = Q.complaints_by(conn, ["2026-11"], CO, "level")
        assert levels.set_index("key").loc["4级", "rows"] == 1 and levels["points"].sum() == 15.0


def test_newer_database_is_refused(db_url: str) -> None:
    with HistoryStore(db_url) as st, st.engine.begin() as conn:
        conn.execute(S.schema_version.insert(), {"version": 99, "description": "future", "applied_at": datetime(2030, 1, 1)})
    with pytest.raises(H.HistoryError, match="请升级"):
        HistoryStore(db_url)


def test_write_month_is_idempotent_and_replaces_only_that_month(db_url: str) -> None:
    with HistoryStore(db_url) as st:
        st.write_month(CO, "2026-10", records("2026-10", 4))
        first = st.write_month(CO, "2026-11", records("2026-11", 5))
        before = st.fingerprint(CO)
        again = st.write_month(CO, "2026-11", records("2026-11", 5))
        assert first == again == {"months": 1, "callbacks": 5, "flow_forms": 0, "complaints": 0, "completed_orders": 0,
                                  "score_cards": 2, "score_items": 1, "praise": 0, "complaint_reassignments": 0}
        assert st.fingerprint(CO) == before
        # closed again with fewer rows: the month's rows are replaced, not added to
        st.write_month(CO, "2026-11", records("2026-11", 2, score=80.0))
        assert st.counts(CO)["callbacks"] == 4 + 2
        assert [r["score"] for r in st.rows("score_cards", CO, ["2026-11"])] == [80.0, 100.0]  # 客服部 < 管网部 in key order
        assert len(st.rows("callbacks", CO, ["2026-10"])) == 4  # the other month untouched
        assert st.months(CO) == ["2026-10", "2026-11"]


def test_companies_are_kept_apart(db_url: str) -> None:
    with HistoryStore(db_url) as st:
        st.write_month(CO, "2026-11", records("2026-11", 3))
        st.write_month("德州新奥燃气", "2026-11", records("2026-11", 7))
        st.write_month(CO, "2026-11", records("2026-11", 1))
        assert st.counts(CO)["callbacks"] == 1
        assert st.counts("德州新奥燃气")["callbacks"] == 7
        assert st.companies() == sorted([CO, "德州新奥燃气"])


def test_a_failed_write_leaves_the_previous_close(db_url: str) -> None:
    with HistoryStore(db_url) as st:
        st.write_month(CO, "2026-11", records("2026-11", 5))
        before = st.fingerprint(CO)
        broken = records("2026-11", 9)
        broken["score_cards"][1]["score"] = None  # NOT NULL: fails after months and callbacks were written
        with pytest.raises(Exception) as info:
            st.write_month(CO, "2026-11", broken)
        assert "score" in str(info.value).lower()
        assert st.fingerprint(CO) == before
        assert st.counts(CO)["callbacks"] == 5


def test_unknown_column_is_an_error_not_a_silent_drop(db_url: str) -> None:
    with HistoryStore(db_url) as st:
        with pytest.raises(ValueError, match="unknown columns"):
            st.write_month(CO, "2026-11", {"callbacks": [{"row_no": 1, "in_month": True, "satisfied": False, "unsatisfied": False,
                                                         "flow": False, "carried": False, "phone_number": "1"}]})
        assert st.counts(CO)["callbacks"] == 0


def test_fingerprint_is_the_same_on_every_backend(db_url: str, tmp_path: Path) -> None:
    """The checksum reads values in one canonical form: a SQLite and a PostgreSQL store with
    the same rows give the same digests (the rebuild test compares across runs with it)."""
    with HistoryStore(db_url) as st, HistoryStore(str(tmp_path / "参照.sqlite")) as ref:
        for s in (st, ref):
            s.write_month(CO, "2026-11", records("2026-11", 6))
        assert st.fingerprint(CO) == ref.fingerprint(CO)


def _on_callback_inserts(engine: object, seen: Callable[[int], None]) -> None:
    """Call `seen(rows)` for each INSERT into callbacks: SQLAlchemy's statement (other
    databases), or the executemany SQLite's own inserter sends (`store._inserter`)."""

    @sa_event.listens_for(engine, "before_execute")
    def statement(conn, clause, multiparams, params, execution_options) -> None:  # noqa: ANN001
        if getattr(clause, "table", None) is S.callbacks and clause.is_insert:
            seen(len(multiparams) or 1)  # one row comes as params

    @sa_event.listens_for(engine, "before_cursor_execute")
    def driver(conn, cursor, sql, parameters, context, executemany) -> None:  # noqa: ANN001
        if conn.dialect.name == "sqlite" and context.compiled is None and sql.startswith(f"INSERT INTO {S.callbacks.name} "):
            seen(len(parameters) if executemany else 1)


def test_a_month_written_in_parts_is_the_month_written_at_once(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows go in by INSERT_ROWS at a time (issue 16: a 100,000-callback month in one
    statement took 270 MB of parameters): 7 callbacks by 3 are 3 statements (3 + 3 + 1),
    the same rows and counts as one."""
    with HistoryStore(f"sqlite:///{tmp_path / 'once.sqlite'}") as ref:
        once = ref.write_month(CO, "2026-11", records("2026-11", 7))
        expected = ref.fingerprint(CO)
    statements: list[int] = []
    monkeypatch.setattr(H, "INSERT_ROWS", 3)
    with HistoryStore(db_url) as st:
        _on_callback_inserts(st.engine, statements.append)
        assert st.write_month(CO, "2026-11", records("2026-11", 7)) == once
        assert st.fingerprint(CO) == expected
    assert statements == [3, 3, 1]


def test_a_month_prepared_first_is_the_month_written_at_once(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The close makes a month's rows as the database takes them while its second process
    works (`prepare_month`) and writes them after its marker (`write_prepared`): the same
    rows, counts and replacement as `write_month`, by INSERT_ROWS at a time, and nothing in
    the store until the write (7 callbacks by 3: 3 + 3 + 1)."""
    with HistoryStore(f"sqlite:///{tmp_path / 'once.sqlite'}") as ref:
        ref.write_month(CO, "2026-10", records("2026-10", 4))
        once = ref.write_month(CO, "2026-11", records("2026-11", 7))
        expected = ref.fingerprint(CO)
    statements: list[int] = []
    monkeypatch.setattr(H, "INSERT_ROWS", 3)
    with HistoryStore(db_url) as st:
        st.write_month(CO, "2026-10", records("2026-10", 4))
        st.write_month(CO, "2026-11", records("2026-11", 2, score=80.0))  # an earlier close of the month, replaced
        prepared = st.prepare_month(CO, "2026-11", records("2026-11", 7))
        assert st.counts(CO)["callbacks"] == 4 + 2  # prepared, not written
        _on_callback_inserts(st.engine, statements.append)
        assert st.write_prepared(prepared) == once
        assert st.fingerprint(CO) == expected
    assert statements == [3, 3, 1]
    with HistoryStore(db_url) as st, pytest.raises(ValueError, match="unknown history tables"):
        st.prepare_month(CO, "2026-11", {"回访": []})


def test_rows_given_as_an_iterator_are_made_as_they_go_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The close streams a month's callbacks into the store (issue 16: 100,000 records held
    at once took 150 MB): a table's rows may be an iterator, and it is read INSERT_ROWS at a
    time, each part inserted before the next is made. 7 callbacks by 3: when each INSERT
    runs, 3, 6 and 7 rows have been made, not 7 at the first; same rows as a list gives."""
    with HistoryStore(f"sqlite:///{tmp_path / 'list.sqlite'}") as ref:
        ref.write_month(CO, "2026-11", records("2026-11", 7))
        expected = ref.fingerprint(CO)
    monkeypatch.setattr(H, "INSERT_ROWS", 3)
    made: list[int] = []
    seen: list[int] = []

    def calls():
        for r in records("2026-11", 7)["callbacks"]:
            made.append(r["row_no"])
            yield r

    with HistoryStore(f"sqlite:///{tmp_path / 'stream.sqlite'}") as st:
        _on_callback_inserts(st.engine, lambda rows: seen.append(len(made)))
        counts = st.write_month(CO, "2026-11", {**records("2026-11", 7), "callbacks": calls()})
        assert counts["callbacks"] == 7
        assert st.fingerprint(CO) == expected
    assert seen == [3, 6, 7]


def _typed_value(column: object, n: int) -> object:
    """A value of `column`'s type, different per row `n`."""
    kind = type(column.type).__name__
    return {"Date": date(2026, 11, 1 + n), "DateTime": datetime(2026, 11, 1 + n, 9, 15, 30, 123456 * (n % 2)),
            "Boolean": n % 2 == 0, "Integer": 7 + n, "Float": 0.1 + 0.2 * n}.get(kind, f"文字'{n}'")


def test_sqlite_rows_are_stored_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    """SQLite's inserter (`store._inserter`) hands the driver tuples made with SQLAlchemy's
    own bind processors: every table, every column type (a date, a datetime with and without
    microseconds, a bool, an int, a float, text with a quote), a row leaving every optional
    column out (its default or NULL; a table keyed by the month alone gets one row), stored byte for byte as SQLAlchemy's executemany stores
    them — compared as SQLite holds them, type (typeof) and text."""
    data: dict[str, list[dict]] = {}
    for table in S.MONTH_TABLES:
        keys = [c for c in table.columns if c.name not in ("company", "month")]
        full = [{c.name: _typed_value(c, n) for c in keys} for n in range(2)]
        bare = {c.name: _typed_value(c, 5) for c in keys if c.primary_key or (not c.nullable and c.default is None)}
        one_per_month = all(c.name in ("company", "month") for c in table.primary_key.columns)
        data[table.name] = [full[0]] if one_per_month else [*full, bare]
    with HistoryStore(str(tmp_path / "ours.sqlite")) as ours:
        ours.write_month(CO, "2026-11", data)
    with HistoryStore(str(tmp_path / "sqlalchemy.sqlite")) as ref, ref.engine.begin() as conn:
        for table in S.MONTH_TABLES:
            row = H._row_maker(table, CO, "2026-11")
            conn.execute(table.insert(), [row(r) for r in data[table.name]])

    def stored(path: Path) -> dict[str, list[tuple]]:
        with sqlite3.connect(path) as db:
            out = {}
            for table in S.MONTH_TABLES:
                cols = ", ".join(f"typeof({c.name}), CAST({c.name} AS TEXT)" for c in table.columns)
                out[table.name] = db.execute(f"SELECT {cols} FROM {table.name} ORDER BY rowid").fetchall()
            return out

    ours_rows, ref_rows = stored(tmp_path / "ours.sqlite"), stored(tmp_path / "sqlalchemy.sqlite")
    assert ours_rows == ref_rows
    assert all(len(rows) == len(data[name]) for name, rows in ours_rows.items())
    kinds = {kind for rows in ours_rows.values() for row in rows for kind in row[0::2]}
    assert {"integer", "real", "text", "null"} <= kinds


def test_a_value_its_column_refuses_is_refused_as_sqlalchemy_refuses_it(tmp_path: Path) -> None:
    """SQLite's own inserter refuses a value its column's type refuses (a 回访日期 that is
    text, "2026-11-03", not a date) as SQLAlchemy's executemany does: StatementError with
    the same refusal, and nothing of the month written. (PostgreSQL reads such a text as a
    date itself.)"""
    from sqlalchemy.exc import StatementError

    bad = records("2026-11", 3)
    bad["callbacks"][1]["call_date"] = "2026-11-03"
    with HistoryStore(str(tmp_path / "ours.sqlite")) as st:
        with pytest.raises(StatementError) as ours:
            st.write_month(CO, "2026-11", bad)
        assert st.counts(CO)["callbacks"] == 0 and st.months(CO) == []
    with HistoryStore(str(tmp_path / "sqlalchemy.sqlite")) as ref, ref.engine.begin() as conn:
        row = H._row_maker(S.callbacks, CO, "2026-11")
        with pytest.raises(StatementError) as theirs:
            conn.execute(S.callbacks.insert(), [row(r) for r in bad["callbacks"]])
    assert type(ours.value.orig) is type(theirs.value.orig) and str(ours.value.orig) == str(theirs.value.orig)
