"""The history store: an engine from a URL, migrations applied on open, one month written in
one transaction, and the look-ups the cross-month rules need.

    with HistoryStore.open(root=Path("D:/服务考核")) as store:      # 历史库.sqlite there
        store.write_month("聊城新奥燃气", "2026-11", records)
        store.months("聊城新奥燃气")                                 # ['2026-11']

Where the database is (`resolve_url`): ``--db`` given, else the setting ``XINAO_XL_DB``,
else the SQLite file ``历史库.sqlite`` beside the month folders (nothing to install). A URL
(``postgresql://user@host/db``, ``sqlite:///path``) or a plain file path is accepted;
``postgresql://`` uses psycopg 3. ``XINAO_XL_DB=off`` turns the store off.

Why writes replace a whole (company, month): the workbooks are the source of truth, so a
month closed again is read again in full; deleting its rows and inserting the new ones in
the same transaction makes the write idempotent, and a failure half-way leaves the rows
of the previous close untouched.

Migrations (`MIGRATIONS`): the table ``schema_version`` lists the versions applied. A new
database gets the current schema at once (every version recorded); an older one gets each
missing version's step in order, each in its own transaction with its version row.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, func, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, StatementError

from xinao_xl.policy import clock
from xinao_xl.policy.errors import XinaoError, staff_text

from . import schema as S

DB_ENV = "XINAO_XL_DB"
COMPANY_ENV = "XINAO_XL_COMPANY"
DB_FILE = "历史库.sqlite"
OFF = ("off", "none", "no", "0", "关闭")


class HistoryError(XinaoError, RuntimeError):
    """The history store cannot be used (Chinese message)."""


# How long a SQLite store that another program is writing (a close on another machine, a
# rebuild) is waited for before giving up: bounded, so a close does not hang on it (the
# driver's default, 5 s per statement, made a close wait 7-17 s; issue 13).
BUSY_WAIT = 2.0
BUSY_AGAIN = 0.2  # the wait for a store found busy in the last `BUSY_MEMORY` seconds
BUSY_MEMORY = 60.0
_busy_at: dict[str, float] = {}  # store -> when it was last found busy (this process)


def _wait_for(url: URL) -> float:
    """`BUSY_WAIT`, or `BUSY_AGAIN` for a store found busy a moment ago: one close uses the
    store three times (look-back, 服务通报, recording the month) and should not wait thrice."""
    seen = _busy_at.get(show_url(url))
    return BUSY_AGAIN if seen is not None and time.monotonic() - seen < BUSY_MEMORY else BUSY_WAIT


def busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's "database is locked" (another writer held the store past `BUSY_WAIT`)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError | sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def error_text(exc: BaseException, url: URL | None = None) -> str:
    """What staff may read about a store that failed: said plainly for the ordinary cases,
    else only the error's type (a database error's text can hold the rows it refused)."""
    where = f" {show_url(url)}" if url is not None else ""
    if busy(exc):
        return f"历史库{where}正被其他程序使用（如另一台电脑正在结账或重建历史库），等待 {BUSY_WAIT:g} 秒后仍未释放：稍后重试即可"
    if isinstance(exc, XinaoError):
        return exc.message
    if isinstance(exc, OperationalError | sqlite3.OperationalError) and "readonly" in str(getattr(exc, "orig", exc)).lower().replace(" ", ""):
        return f"历史库{where}是只读的（文件只读或没有写入权限）：请管理员开放写入权限"
    return staff_text(exc)


# --- where the database is ------------------------------------------------------------------


def default_path(root: Path) -> Path:
    return Path(root) / DB_FILE


def _as_url(db: str | Path) -> URL:
    """A URL from a URL or a plain file path (a path is a SQLite file)."""
    text = str(db).strip()
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text)))
    try:
        url = make_url(text)
    except ArgumentError:
        raise HistoryError(f"无法识别的数据库地址：{text}（例：postgresql://用户@主机/库名，或 SQLite 文件路径）") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def setting(db: str | Path | None = None) -> str | None:
    """The database asked for: `db` given, else ``XINAO_XL_DB``; None when neither is set."""
    if db is not None and str(db).strip():
        return str(db).strip()
    value = os.environ.get(DB_ENV, "").strip()
    return value or None


def is_off(db: str | Path | None) -> bool:
    return db is not None and str(db).strip().lower() in OFF


def resolve_url(db: str | Path | None = None, root: Path | None = None) -> URL | None:
    """The URL the close writes to: `db`, the setting, or ``root/历史库.sqlite``; None when off."""
    chosen = setting(db)
    if is_off(chosen):
        return None
    if chosen is not None:
        return _as_url(chosen)
    if root is None:
        return None
    return _as_url(default_path(root))


def existing_url(db: str | Path | None = None, root: Path | None = None) -> URL | None:
    """The URL to read history from, or None when there is no database to read.

    A server URL counts as there; a SQLite file only when it exists (reading must not
    create an empty database, which would hide the workbooks' history).
    """
    url = resolve_url(db, root)
    if url is None:
        return None
    if url.get_backend_name() == "sqlite" and (not url.database or not Path(url.database).is_file()):
        return None
    return url


def company_name(given: str | None = None) -> str:
    """The company of the rows: `given`, else ``XINAO_XL_COMPANY``, else the default."""
    for value in (given, os.environ.get(COMPANY_ENV)):
        if value and value.strip():
            return value.strip()
    return S.DEFAULT_COMPANY


def show_url(url: URL) -> str:
    """The URL without its password, for messages."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


# --- migrations -----------------------------------------------------------------------------

Migration = Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    S.metadata.create_all(conn)


def _v2(conn: Connection) -> None:
    """投诉 第七条 (issue 18): the complaint's course on each complaint row, and the 改派记录."""
    for column in S.COMPLAINT_COLUMNS_V2:
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(text(f'ALTER TABLE {S.complaints.name} ADD COLUMN "{column.name}" {kind}'))
    S.complaint_reassignments.create(conn)


# version -> (description, step). A later version adds columns only (`ALTER TABLE … ADD
# COLUMN`) or tables, and the schema module's docstring says so; a new database skips the steps.
MIGRATIONS: dict[int, tuple[str, Migration]] = {
    1: ("初始表：months、callbacks、flow_forms、complaints、completed_orders、score_cards、score_items、praise", _v1),
    2: ("投诉过程（投诉办法第七条）：complaints 增加审核、轮次、投诉回访结果、责任类别、投诉状态、特殊终止等列；新表 complaint_reassignments", _v2),
}


# --- the store ------------------------------------------------------------------------------


class HistoryStore:
    """One database: migrated on open; `write_month` replaces a (company, month)."""

    def __init__(self, url: URL | str, *, migrate: bool = True) -> None:
        self.url = url if isinstance(url, URL) else _as_url(url)
        if self.url.get_backend_name() == "sqlite" and self.url.database:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        sqlite = self.url.get_backend_name() == "sqlite"
        self.engine: Engine = create_engine(self.url, connect_args={"timeout": _wait_for(self.url)} if sqlite else {})
        if sqlite:
            key = show_url(self.url)

            @event.listens_for(self.engine, "handle_error")
            def _remember_busy(context: Any) -> None:
                if busy(context.original_exception):
                    _busy_at[key] = time.monotonic()
        if migrate:
            try:
                self.migrate()
            except Exception:
                self.engine.dispose()
                raise

    @classmethod
    def open(cls, db: str | Path | None = None, root: Path | None = None) -> HistoryStore:
        url = resolve_url(db, root)
        if url is None:
            raise HistoryError("历史库已关闭（XINAO_XL_DB=off）或未指定：请用 --db 指定数据库")
        return cls(url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HistoryStore({show_url(self.url)!r})"

    # --- migrations ---------------------------------------------------------------------

    def applied_versions(self) -> list[int]:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(S.schema_version.name):
                return []
            return list(conn.scalars(select(S.schema_version.c.version).order_by(S.schema_version.c.version)))

    def migrate(self) -> list[int]:
        """Apply the missing versions; returns those applied now."""
        applied = set(self.applied_versions())
        newer = sorted(v for v in applied if v not in MIGRATIONS)
        if newer:
            raise HistoryError(f"历史库的结构版本为 {newer[-1]}，本程序只认识到 {max(MIGRATIONS)}：请升级 xinao-xl")
        if not applied:
            try:
                with self.engine.begin() as conn:
                    S.metadata.create_all(conn)
                    self._record_versions(conn, sorted(MIGRATIONS))
            except IntegrityError:  # another process created it at the same moment
                return []
            return sorted(MIGRATIONS)
        done: list[int] = []
        for version in sorted(set(MIGRATIONS) - applied):
            _, step = MIGRATIONS[version]
            with self.engine.begin() as conn:
                step(conn)
                self._record_versions(conn, [version])
            done.append(version)
        return done

    @staticmethod
    def _record_versions(conn: Connection, versions: Iterable[int]) -> None:
        now = clock.now().replace(microsecond=0)
        rows = [{"version": v, "description": MIGRATIONS[v][0], "applied_at": now} for v in versions]
        if rows:
            conn.execute(S.schema_version.insert(), rows)

    # --- writing --------------------------------------------------------------------------

    def write_month(self, company: str, month: str, records: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, int]:
        """Replace (company, month) in every month table by `records` (table name -> rows
        without company and month; a table's rows may be an iterator, taken `INSERT_ROWS` at
        a time), in one transaction; returns rows written per table."""
        with self.engine.begin() as conn:
            return self._replace(conn, company, [(month, records)])

    def prepare_month(self, company: str, month: str, records: Mapping[str, Iterable[Mapping[str, Any]]]) -> PreparedMonth:
        """`records` as this database will take them (`write_prepared`), made before the
        write: the close makes them while its second process works and writes them after
        its marker, in a transaction that is short (services/close.py)."""
        _known_tables(records)
        statements = []
        for table in S.MONTH_TABLES:
            statement, convert = _parameters(self.engine.dialect, table, company, month)
            statements.append((table, statement, convert(list(records.get(table.name, ())))))
        return PreparedMonth(company, month, statements)

    def write_prepared(self, prepared: PreparedMonth) -> dict[str, int]:
        """`write_month` of rows made by `prepare_month`, in one transaction."""
        counts = {}
        with self.engine.begin() as conn:
            self._delete(conn, prepared.company, prepared.month)
            for table, statement, params in prepared.statements:
                for start in range(0, len(params), INSERT_ROWS):
                    _execute(conn, table, statement, params[start:start + INSERT_ROWS])
                counts[table.name] = len(params)
        return counts

    def replace_company(self, company: str, months: Sequence[tuple[str, Mapping[str, Iterable[Mapping[str, Any]]]]]) -> dict[str, int]:
        """Drop every row of `company` and write `months` instead, in one transaction
        (`history rebuild`); returns rows written per table."""
        with self.engine.begin() as conn:
            for table in S.MONTH_TABLES:
                conn.execute(delete(table).where(table.c.company == company))
            return self._replace(conn, company, months)

    def delete_month(self, company: str, month: str) -> None:
        with self.engine.begin() as conn:
            self._delete(conn, company, month)

    @staticmethod
    def _delete(conn: Connection, company: str, month: str) -> None:
        for table in S.MONTH_TABLES:
            conn.execute(delete(table).where(table.c.company == company, table.c.month == month))

    def _replace(self, conn: Connection, company: str, months: Sequence[tuple[str, Mapping[str, Iterable[Mapping[str, Any]]]]]) -> dict[str, int]:
        counts = {t.name: 0 for t in S.MONTH_TABLES}
        for month, records in months:
            _known_tables(records)
            self._delete(conn, company, month)
            for table in S.MONTH_TABLES:
                rows = iter(records.get(table.name, ()))
                insert = _inserter(conn, table, company, month)
                while chunk := list(islice(rows, INSERT_ROWS)):
                    insert(chunk)
                    counts[table.name] += len(chunk)
        return counts

    # --- reading ------------------------------------------------------------------------

    def months(self, company: str | None = None) -> list[str]:
        """The months in the store (of `company`, else of every company), in order."""
        q = select(S.months.c.month).distinct().order_by(S.months.c.month)
        if company is not None:
            q = q.where(S.months.c.company == company)
        with self.engine.connect() as conn:
            return list(conn.scalars(q))

    def companies(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.scalars(select(S.months.c.company).distinct()))

    def counts(self, company: str | None = None) -> dict[str, int]:
        out = {}
        with self.engine.connect() as conn:
            for table in S.MONTH_TABLES:
                q = select(func.count()).select_from(table)
                if company is not None:
                    q = q.where(table.c.company == company)
                out[table.name] = int(conn.scalar(q) or 0)
        return out

    def rows(self, table: str, company: str | None = None, months: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Every row of `table` (optionally of a company and months), ordered by its key."""
        t = S.metadata.tables[table]
        q = select(t)
        if company is not None:
            q = q.where(t.c.company == company)
        if months is not None:
            q = q.where(t.c.month.in_(list(months)))
        with self.engine.connect() as conn:
            out = [dict(r._mapping) for r in conn.execute(q)]
        keys = [c.name for c in t.primary_key.columns]
        out.sort(key=lambda r: tuple(_canon(r[k]) for k in keys))
        return out

    def past_calls(self, company: str, months: Iterable[str]) -> list[dict[str, Any]]:
        """The callbacks of `months` that reached the customer (未接通 is no call): call_date,
        phone, customer, address, customer_key, order_no, month, row_no."""
        c = S.callbacks.c
        q = (select(c.month, c.row_no, c.call_date, c.phone, c.customer, c.address, c.customer_key, c.order_no, c.result)
             .where(c.company == company, c.month.in_(list(months)), c.call_date.is_not(None))
             .order_by(c.month, c.row_no))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q) if (r.result or "") != "未接通"]

    def closed_complaints(self, company: str, months: Iterable[str]) -> list[dict[str, Any]]:
        """The complaints of `months` with a 办结时间 and a customer: complaint_no,
        customer_key, closed, phone, dept, month, row_no (for the 3-month rule)."""
        c = S.complaints.c
        q = (select(c.month, c.row_no, c.complaint_no, c.customer_key, c.closed, c.phone, c.dept)
             .where(c.company == company, c.month.in_(list(months)), c.closed.is_not(None), c.customer_key.is_not(None))
             .order_by(c.month, c.row_no))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def customer_rows(self, table: str, company: str, months: Iterable[str], *, keys: Sequence[str] = (),
                      name: str | None = None) -> list[dict[str, Any]]:
        """The rows of `table` (``callbacks`` or ``complaints``) of `months` for one customer:
        by `keys` (``customer_key`` values, T + the phone's digits), else by a `name` the
        customer column contains; ordered by month and row (``xinao-xl lookup``)."""
        t = S.metadata.tables[table]
        if keys:
            who = t.c.customer_key.in_(list(keys))
        elif name:
            who = t.c.customer.contains(name, autoescape=True)
        else:
            return []
        q = select(t).where(t.c.company == company, t.c.month.in_(list(months)), who).order_by(t.c.month, t.c.row_no)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def fingerprint(self, company: str | None = None) -> dict[str, tuple[int, str]]:
        """Table -> (row count, SHA-256 of its rows in key order): equal fingerprints mean
        equal contents, whatever the backend (values written in one canonical form)."""
        out = {}
        for table in sorted(S.MONTH_TABLES, key=lambda t: t.name):
            rows = self.rows(table.name, company)
            names = [c.name for c in table.columns]
            h = hashlib.sha256()
            for r in rows:
                h.update(json.dumps([_canon(r[n]) for n in names], ensure_ascii=False).encode("utf-8"))
                h.update(b"\n")
            out[table.name] = (len(rows), h.hexdigest())
        return out


# Rows per INSERT (executemany): SQLAlchemy prepares every row's parameters of a statement at
# once, which for a month of 100,000 callbacks took 270 MB beside the rows themselves.
INSERT_ROWS = 5_000


def _row_maker(table: Any, company: str, month: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function from a record to `table`'s full row (every column; a column the record
    leaves out gets its default); a record with a column the table lacks is refused."""
    names = {c.name for c in table.columns}
    defaults = {c.name: _default(c) for c in table.columns}

    def row(record: Mapping[str, Any]) -> dict[str, Any]:
        if not names.issuperset(record):
            raise ValueError(f"{table.name}: unknown columns {sorted(set(record) - names)}")
        out = {name: record[name] if name in record else default for name, default in defaults.items()}
        out["company"], out["month"] = company, month
        return out

    return row


def _known_tables(records: Mapping[str, Any]) -> None:
    unknown = set(records) - {t.name for t in S.MONTH_TABLES}
    if unknown:
        raise ValueError(f"unknown history tables: {sorted(unknown)}")


@dataclass(frozen=True)
class PreparedMonth:
    """A month's rows as the database takes them (`HistoryStore.prepare_month`): for each
    month table, the statement for the driver (None: SQLAlchemy's INSERT) and its parameters."""

    company: str
    month: str
    statements: list[tuple[Any, str | None, list[Any]]]


def _inserter(conn: Connection, table: Any, company: str, month: str) -> Callable[[Sequence[Mapping[str, Any]]], None]:
    """A function inserting records (`_row_maker`'s rows) into `table` (`_parameters`)."""
    statement, convert = _parameters(conn.dialect, table, company, month)
    return lambda records: _execute(conn, table, statement, convert(records))


def _execute(conn: Connection, table: Any, statement: str | None, params: list[Any]) -> None:
    if not params:
        return
    if statement is None:
        conn.execute(table.insert(), params)
    else:
        conn.exec_driver_sql(statement, params)


def _parameters(dialect: Any, table: Any, company: str, month: str) -> tuple[str | None, Callable[[Sequence[Mapping[str, Any]]], list[Any]]]:
    """How records (`_row_maker`'s rows) become `table`'s INSERT parameters: the statement for
    the driver (None: SQLAlchemy's own INSERT) and the function making them.

    Why SQLite gets its own: SQLAlchemy builds and processes a parameter dict per row of an
    executemany, which was half the store's part of a close (0.15 s of a 10,000-callback
    month); here each record becomes the driver's tuple in one pass, through the very bind
    processors SQLAlchemy would apply (the stored values are the same; a test compares
    the two). Other databases keep SQLAlchemy's executemany, which batches rows into
    multi-row statements there (psycopg would send a tuple per round trip)."""
    row = _row_maker(table, company, month)
    if dialect.name != "sqlite":
        return None, lambda records: [row(r) for r in records]
    compiled = table.insert().compile(dialect=dialect)
    columns = {c.name: c for c in table.columns}
    order = [columns[name] for name in compiled.positiontup or ()]
    if len(order) != len(columns):
        raise AssertionError(f"{table.name}: the compiled INSERT does not list every column")
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in order]
    # each value as the record gives it (company and month: the statement's own), then the
    # bind processors of the columns that have one, column by column (a 10,000-callback
    # month's 250,000 values: 0.05 s instead of 0.12 s one value at a time)
    pick = [(c.name, _default(c)) for c in order]
    fixed = [(i, company if c.name == "company" else month) for i, c in enumerate(order) if c.name in ("company", "month")]
    processed = [(i, p) for i, p in enumerate(processors) if p is not None and order[i].name not in ("company", "month")]
    names = set(columns)
    sql = compiled.string

    def convert(records: Sequence[Mapping[str, Any]]) -> list[Any]:
        rows = []
        for record in records:
            if not names.issuperset(record):
                raise ValueError(f"{table.name}: unknown columns {sorted(set(record) - names)}")
            get = record.get
            rows.append([get(name, default) for name, default in pick])
        for i, value in fixed:
            for row in rows:
                row[i] = value
        for i, process in processed:
            for n, row in enumerate(rows):
                value = row[i]
                if value is not None:
                    try:
                        row[i] = process(value)
                    except (TypeError, ValueError) as exc:  # as SQLAlchemy reports a value its type refuses
                        raise StatementError(f"({type(exc).__name__}) {exc}", sql, [records[n]], exc) from exc
        return [tuple(row) for row in rows]

    return sql, convert


def _default(column: Any) -> Any:
    """A column's scalar default (``forced`` false) for a record that leaves it out."""
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


def _canon(value: Any) -> Any:
    """One text form per value, the same from SQLite and PostgreSQL."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 9) + 0.0)  # -0.0 is 0.0 (SQLite does not keep the sign)
    if isinstance(value, int):
        return f"{value:020d}"
    return str(value)
