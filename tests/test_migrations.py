"""Alembic owns the schema: one head, and upgrading a fresh database yields exactly the
models' tables."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from cadence import db

ROOT = Path(__file__).resolve().parent.parent


def _config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    return config


def test_history_has_exactly_one_head() -> None:
    heads = ScriptDirectory.from_config(_config()).get_heads()
    assert len(heads) == 1, f"alembic has {len(heads)} heads {heads}: merge or re-chain them"


def test_upgrade_head_matches_models(tmp_path, monkeypatch) -> None:
    from tests.conftest import reset_caches

    monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'migrated.db'}")
    reset_caches()
    config = _config()
    command.upgrade(config, "head")
    with db.get_engine().connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    command.downgrade(config, "base")
