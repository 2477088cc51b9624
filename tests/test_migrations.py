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


def test_0100_rebuilds_user_with_autoincrement_keeping_every_row(tmp_path, monkeypatch) -> None:
    """SQLite: the user table is rebuilt AUTOINCREMENT (a freed id is never handed out again),
    each existing account gets its own token subject, and rows pointing at users survive (the
    rebuild drops the old table, which would cascade into children with foreign keys on)."""
    from sqlalchemy import text

    from tests.conftest import reset_caches

    monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'old.db'}")
    reset_caches()
    config = _config()
    command.upgrade(config, "0050")
    stamp = "'2026-01-01 00:00:00'"
    with db.get_engine().begin() as connection:
        for email in ("a@x.io", "b@x.io"):
            connection.execute(
                text(
                    "INSERT INTO user (email, display_name, password_hash, is_admin, is_active,"
                    f" token_version, coaching_profile, created_at, updated_at) VALUES ('{email}',"
                    f" 'A', 'h', 1, 1, 0, '', {stamp}, {stamp})"
                )
            )
        connection.execute(
            text(
                "INSERT INTO workout (user_id, date, workout_name, notes, source, created_at,"
                f" updated_at) VALUES (2, '2026-01-01', 'W', '', 'manual', {stamp}, {stamp})"
            )
        )
    command.upgrade(config, "head")
    with db.get_engine().begin() as connection:
        schema = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'user'")
        ).scalar_one()
        subjects = connection.execute(text("SELECT token_subject FROM user")).scalars().all()
        workouts = connection.execute(text("SELECT user_id FROM workout")).scalars().all()
        connection.execute(text("DELETE FROM workout"))
        connection.execute(text("DELETE FROM user WHERE id = 2"))
        connection.execute(
            text(
                "INSERT INTO user (email, display_name, password_hash, is_admin, is_active,"
                " token_version, token_subject, coaching_profile, created_at, updated_at) VALUES"
                f" ('c@x.io', 'C', 'h', 0, 1, 0, 's', '', {stamp}, {stamp})"
            )
        )
        new_id = connection.execute(text("SELECT id FROM user WHERE email = 'c@x.io'")).scalar_one()
    assert "AUTOINCREMENT" in schema
    assert len(set(subjects)) == 2 and all(len(s) >= 40 for s in subjects)
    assert workouts == [2]
    assert new_id == 3
    command.downgrade(config, "base")
