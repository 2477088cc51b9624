"""``PerUserCache``: values computed from one user's rows, kept while those rows are unchanged.

An entry is keyed by the user's data version (``data_version.current``, one indexed read; or
another such number, e.g. ``data_version.health_current``) and a day the caller names (the user's
local date: "today" moves on at their midnight). Any committed write to the user's rows, in any
process, moves the version on, so the next read recomputes. One entry per user, the least
recently used dropped beyond ``max_users``; an entry older than ``max_age_s`` is recomputed too,
for the few parts of a value that depend on the clock alone.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from cadence.services import data_version

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    key: Hashable
    value: T
    stored_at: float


class PerUserCache(Generic[T]):
    """A bounded, thread-safe, per-process cache of one value per user."""

    def __init__(
        self,
        *,
        max_users: int,
        max_age_s: float,
        version: Callable[..., Hashable | None] = data_version.current,
    ) -> None:
        self.max_users = max_users
        self.max_age_s = max_age_s
        self.version = version
        self._entries: OrderedDict[int, _Entry[T]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(
        self, *, session: Session, user_id: int, day: date, compute: Callable[[], T]
    ) -> T:
        """The cached value for (the user's current version, ``day``), else ``compute()``'s."""
        version = self.version(session=session, user_id=user_id)
        if version is None:  # no such user: nothing to key by, nothing kept
            return compute()
        key = (version, day)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is not None and entry.key == key and now - entry.stored_at < self.max_age_s:
                self._entries.move_to_end(user_id)
                return entry.value
        value = compute()
        with self._lock:
            self._entries[user_id] = _Entry(key, value, now)
            self._entries.move_to_end(user_id)
            while len(self._entries) > self.max_users:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
