"""The month-by-month history store (SQLAlchemy Core): `schema` holds the tables, `store`
the engine, migrations and the one-transaction month writer. Derived from the closed
workbooks and rebuildable from them (`xinao_xl.services.history`)."""
