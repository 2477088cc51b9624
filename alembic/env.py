"""Alembic environment: migrates the database cadence.config points at."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import cadence.models  # noqa: F401  (registers every table on SQLModel.metadata)
from cadence.db import get_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connectable = config.attributes.get("connection") or get_engine()
    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    """Migrate in one transaction. On SQLite foreign keys are off meanwhile (a PRAGMA that only
    works outside a transaction), so rebuilding a parent table in batch mode never cascades a
    delete into its children; the keys are checked again before they are turned back on."""
    if connection.dialect.name != "sqlite":
        _migrate(connection)
        return
    _pragma(connection, "foreign_keys=OFF")
    try:
        _migrate(connection)
    finally:
        _pragma(connection, "foreign_keys=ON")
    if connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
        raise RuntimeError("a migration left rows whose foreign keys point nowhere")
    connection.commit()


def _pragma(connection, setting: str) -> None:
    connection.exec_driver_sql(f"PRAGMA {setting}")
    connection.commit()  # ends SQLAlchemy's autobegun (empty) transaction


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `alembic upgrade head`.")
run_migrations()
