"""Alembic owns the schema: upgrading a fresh database must yield exactly the models' tables."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from cadence import db

ROOT = Path(__file__).resolve().parent.parent


def test_upgrade_heads_matches_models(tmp_path, monkeypatch) -> None:
    from tests.conftest import reset_caches

    monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'migrated.db'}")
    reset_caches()
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "heads")
    with db.get_engine().connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    command.downgrade(config, "base")
