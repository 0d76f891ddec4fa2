"""INSERT … ON CONFLICT DO NOTHING for both backends, for races the unique indexes settle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

# (dialect, table, conflict keys, returned column) → the statement, built once; the values go
# in as the parameters of each execution.
_STATEMENTS: dict[tuple[str, str, tuple[str, ...], str], Any] = {}


def insert_if_absent(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], *, keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same `keys` exists; True if this call inserted it."""
    # RETURNING says whether a row went in; rowcount is not reliable here on every driver.
    return _insert(session, model, values, keys, keys[0]) is not None


def insert_many_if_absent(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
) -> None:
    """Insert the rows (all with the same columns) skipping any whose `keys` exist already."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    cache_key = (dialect, str(model.__tablename__), tuple(keys), "")
    statement = _STATEMENTS.get(cache_key)
    if statement is None:
        statement = _STATEMENTS[cache_key] = _statement(*cache_key)
    # A list of parameter sets: the driver's executemany (psycopg pipelines it), one statement.
    session.connection().execute(statement, [dict(row) for row in rows])


def insert_unless_taken(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    keys: Sequence[str],
    returning: str,
) -> Any | None:
    """Insert a row unless one with the same `keys` exists: its `returning` column, or None.

    `returning` should be a column that is never NULL (the primary key). Only a conflict on
    `keys` is skipped; any other constraint violation raises as usual.
    """
    row = _insert(session, model, values, keys, returning)
    return None if row is None else row[0]


def _insert(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    keys: Sequence[str],
    returning: str,
) -> Any:
    dialect = session.get_bind().dialect.name
    cache_key = (dialect, str(model.__tablename__), tuple(keys), returning)
    statement = _STATEMENTS.get(cache_key)
    if statement is None:
        statement = _STATEMENTS[cache_key] = _statement(*cache_key)
    # A Core statement: straight to the session's connection, past the ORM's execution path.
    return session.connection().execute(statement, dict(values)).first()


def _statement(dialect: str, name: str, keys: tuple[str, ...], returning: str) -> Any:
    table = SQLModel.metadata.tables[name]
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise NotImplementedError(f"no conflict-free insert for {dialect}")
    # No VALUES here: the columns are those of each execution's parameters.
    statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    return statement.returning(table.c[returning]) if returning else statement
