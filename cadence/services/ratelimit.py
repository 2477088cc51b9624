"""In-process rate limiters with bounded memory (login attempts, chat turns).

Each limiter tracks at most ``max_keys`` keys: the least recently used key is forgotten first,
and each key keeps at most a few timestamps, so no stream of unique emails or addresses can grow
the process (10 000 keys of ~20 timestamps each is well under 10 MB). Forgetting a key can only give
it its allowance back early; the limit per client address bounds how many keys one client can
push through.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Generic, TypeVar

MAX_TRACKED_KEYS = 10_000
ESCALATION_STEPS = 8  # failures remembered past the allowance (the delay stops doubling there)
ESCALATION_MEMORY_WINDOWS = 12  # how long escalated failures are remembered, in windows
V = TypeVar("V")


class BoundedKeys(Generic[V]):
    """A mapping that keeps its ``max_keys`` most recently used keys (not thread-safe)."""

    def __init__(self, *, max_keys: int) -> None:
        self.max_keys = max_keys
        self._items: OrderedDict[str, V] = OrderedDict()

    def get(self, key: str) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_keys:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


class SlidingWindowLimiter:
    """At most ``max_events`` per ``window_seconds`` for each key.

    With ``escalate``, going on past the allowance is slowed by a delay after the latest event
    that doubles with each further event (starting at a thirtieth of the window, capped at the
    window), and events are remembered for 12 windows: someone who keeps trying gets one try
    per window; a key left alone for 12 windows has its whole allowance back.
    """

    def __init__(
        self,
        *,
        max_events: int,
        window_seconds: float,
        escalate: bool = False,
        max_keys: int = MAX_TRACKED_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_events = max_events
        self.window_seconds = window_seconds
        self.escalate = escalate
        self._keep = max_events + (ESCALATION_STEPS if escalate else 0)
        self._memory = window_seconds * (ESCALATION_MEMORY_WINDOWS if escalate else 1)
        self._clock = clock
        self._events: BoundedKeys[deque[float]] = BoundedKeys(max_keys=max_keys)
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        with self._lock:
            return self._wait(self._prune(key))

    def acquire(self, key: str) -> int:
        """Record an event for ``key`` if it may happen now (0), else the seconds to wait."""
        with self._lock:
            events = self._prune(key)
            wait = self._wait(events)
            if not wait:
                events.append(self._clock())
                self._events.put(key, events)
            return wait

    def _wait(self, events: deque[float]) -> int:
        if len(events) < self.max_events:
            return 0
        now = self._clock()
        if self.escalate:
            first_delay = max(1.0, self.window_seconds / 30)
            excess = len(events) - self.max_events
            delay = min(self.window_seconds, first_delay * 2**excess)
            until = events[-1] + delay
        else:
            until = events[len(events) - self.max_events] + self.window_seconds
        return max(0, math.ceil(until - now))

    def record(self, key: str) -> None:
        with self._lock:
            events = self._prune(key)
            events.append(self._clock())
            self._events.put(key, events)

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key)

    def tracked_keys(self) -> int:
        return len(self._events)

    def _prune(self, key: str) -> deque[float]:
        events = self._events.get(key) or deque(maxlen=self._keep)
        cutoff = self._clock() - self._memory
        while events and events[0] <= cutoff:
            events.popleft()
        return events
