"""A fresh install: the first admin is whoever brings the setup code printed on the server's
console (or an email in ``CADENCE_ADMIN_EMAILS``), never simply whoever signs up first; the data
dir and the database files are readable by their owner only."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from cadence import config, db
from cadence.services import auth
from tests.conftest import TEST_PASSWORD, reset_caches

SIGNUP = "/api/v1/auth/signup"
ROOT = Path(__file__).resolve().parents[2]


def _signup(client, email: str, **extra):
    body = {"email": email, "password": TEST_PASSWORD, "display_name": "X", **extra}
    return client.post(SIGNUP, json=body)


def test_the_first_signup_without_the_code_is_not_an_admin(client) -> None:
    stranger = _signup(client, "stranger@example.com")
    assert stranger.status_code == 201 and stranger.json()["user"]["is_admin"] is False
    owner = _signup(client, "owner@example.com", setup_code=auth.setup_code().lower())
    assert owner.status_code == 201 and owner.json()["user"]["is_admin"] is True
    later = _signup(client, "later@example.com", setup_code=auth.setup_code())
    assert later.json()["user"]["is_admin"] is False  # once an admin exists the code is spent


def test_a_wrong_setup_code_is_a_field_error(client) -> None:
    response = _signup(client, "guess@example.com", setup_code="AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "setup_code"]
    assert "console" in response.json()["detail"][0]["msg"]


def test_admin_emails_need_no_code(client, monkeypatch) -> None:
    monkeypatch.setenv("CADENCE_ADMIN_EMAILS", "boss@example.com")
    reset_caches()
    assert _signup(client, "boss@example.com").json()["user"]["is_admin"] is True


def test_setup_code_differs_per_secret_key_and_is_printed_by_the_cli(monkeypatch) -> None:
    code = auth.setup_code()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    env = {**os.environ}
    result = subprocess.run(
        [sys.executable, "-m", "cadence", "setup-code"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert code in result.stdout and "/signup" in result.stdout
    monkeypatch.setenv("CADENCE_SECRET_KEY", "another-secret-key-" + "y" * 40)
    reset_caches()
    assert auth.setup_code() != code


def test_data_dir_is_0700_and_database_files_0600(tmp_path, monkeypatch) -> None:
    data_dir = tmp_path / "fresh-data"
    monkeypatch.setenv("CADENCE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CADENCE_SECRET_KEY")
    monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{data_dir / 'cadence.db'}")
    reset_caches()
    with db.get_engine().begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    config.secret_key()  # the explicit step preflight (make run) takes
    files = [p for p in data_dir.iterdir()]
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert {p.name for p in files} >= {"cadence.db", "secret_key"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    db.get_engine().dispose()


def test_existing_wide_permissions_are_narrowed(tmp_path, monkeypatch) -> None:
    data_dir = tmp_path / "old-data"
    data_dir.mkdir(mode=0o755)
    database = data_dir / "cadence.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    monkeypatch.setenv("CADENCE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CADENCE_DATABASE_URL", f"sqlite:///{database}")
    reset_caches()
    db.get_engine()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
