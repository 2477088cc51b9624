"""Infrastructure failures in words, for the API and the UI alike (``services.failures``,
``states.failures``): database gone or locked, pool exhausted, disk full, Redis gone."""

from __future__ import annotations

import asyncio
import errno
import sqlite3

import pytest
import redis
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cadence.services import failures
from cadence.services.errors import NotFound, ServiceUnavailable
from cadence.states import failures as ui_failures


def _sqlite_error(name: str) -> OperationalError:
    cause = sqlite3.OperationalError("boom")
    cause.sqlite_errorname = name
    return OperationalError("INSERT ...", {}, cause)


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (_sqlite_error("SQLITE_BUSY"), failures.DATABASE_UNAVAILABLE),
        (_sqlite_error("SQLITE_FULL"), failures.STORAGE_FULL),
        (PoolTimeout("QueuePool limit reached"), failures.DATABASE_UNAVAILABLE),
        (OSError(errno.ENOSPC, "No space left on device"), failures.STORAGE_FULL),
        (redis.ConnectionError("Connection refused"), failures.REDIS_UNAVAILABLE),
    ],
)
def test_each_infrastructure_failure_has_its_words(exc: Exception, message: str) -> None:
    error = failures.in_words(exc)
    assert isinstance(error, ServiceUnavailable) and error.message == message


def test_a_bug_is_not_dressed_up_as_an_outage() -> None:
    assert failures.in_words(ValueError("bug")) is None
    assert failures.in_words(OSError(errno.EACCES, "denied")) is None
    domain = NotFound("Workout not found.")
    assert failures.in_words(domain) is domain


def test_ui_work_off_thread_raises_outages_as_domain_errors() -> None:
    def locked() -> None:
        raise _sqlite_error("SQLITE_BUSY")

    def bug() -> None:
        raise KeyError("x")

    with pytest.raises(ServiceUnavailable, match="Nothing was saved"):
        asyncio.run(ui_failures.off_thread(locked))
    with pytest.raises(KeyError):
        asyncio.run(ui_failures.off_thread(bug))
    assert asyncio.run(ui_failures.off_thread(lambda value: value * 2, value=21)) == 42


def test_the_last_resort_handler_toasts_words_not_contact_the_administrator() -> None:
    outage = ui_failures.backend_exception_handler(redis.ConnectionError("refused"))
    bug = ui_failures.backend_exception_handler(KeyError("x"))
    assert failures.REDIS_UNAVAILABLE in str(outage)
    assert ui_failures.UNEXPECTED.split(";")[0] in str(bug)
    assert "Contact the website administrator" not in str(outage) + str(bug)
