"""INSERT … ON CONFLICT DO NOTHING for both backends, for races the unique indexes settle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_if_absent(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], *, keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same `keys` exists; True if this call inserted it."""
    dialect = session.get_bind().dialect.name
    table = SQLModel.metadata.tables[str(model.__tablename__)]
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).values(**values)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values)
    else:
        raise NotImplementedError(f"no conflict-free insert for {dialect}")
    # RETURNING says whether a row went in; rowcount is not reliable here on every driver.
    statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    inserted = session.exec(statement.returning(*(table.c[key] for key in keys))).first()
    return inserted is not None
