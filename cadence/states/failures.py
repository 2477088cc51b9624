"""One place where the UI turns failures into words, the way the API does (``services.failures``).

- ``off_thread`` runs blocking service work in a worker thread and raises a database, disk or
  Redis failure as the ``DomainError`` that says what happened and what to do; every handler's
  ``except DomainError`` then shows it next to what the user was doing.
- ``backend_exception_handler`` is the app's last resort for anything a handler did not catch:
  a toast in words instead of Reflex's "An error occurred. Contact the website administrator.".
"""

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from reflex.event import EventSpec

from cadence.services import failures
from cadence.services.errors import DomainError

T = TypeVar("T")
logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong on the server and this action did not finish. Reload the page and "
    "try again; if it keeps happening, tell the administrator."
)
TOAST_ID = "cadence-failure"


async def off_thread(work: Callable[..., T], /, **kwargs: object) -> T:
    """``work(**kwargs)`` in a worker thread; infrastructure failures come back in words."""
    try:
        return await asyncio.to_thread(work, **kwargs)
    except DomainError:
        raise
    except Exception as exc:
        error = failures.in_words(exc)
        if error is None:
            raise
        logger.warning("%s: %s", exc.__class__.__name__, exc)
        raise error from exc


def backend_exception_handler(exception: Exception) -> EventSpec:
    """Reflex calls this for an exception no handler caught."""
    error = failures.in_words(exception)
    if error is None:
        logger.error("unexpected error in a UI event handler", exc_info=exception)
    return rx.toast.error(
        UNEXPECTED if error is None else error.message,
        id=TOAST_ID,
        duration=10_000,
        position="top-center",
        close_button=True,
    )
