"""Who runs a piece of background work, and whether that process is gone.

Every job row and device lease names its owner as ``host:pid:token`` (``token`` is random per
process start). After a crash the restarted server sees at once that an owner on its own host is
dead: its pid no longer exists, or it is this very process's pid with another token (containers
reuse small pids). Owners on other hosts cannot be checked that way; their work carries a
heartbeat instead, and is taken over once the heartbeat is ``STALE_AFTER`` old.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta
from functools import lru_cache

HEARTBEAT_SECONDS = 10.0
STALE_AFTER = timedelta(seconds=60)


@lru_cache
def _process_token(pid: int) -> str:
    """A random token per process (the pid argument keeps forked children apart)."""
    return uuid.uuid4().hex[:12]


def host_name() -> str:
    return socket.gethostname()[:30]


def current_owner() -> str:
    """This process: ``host:pid:token``."""
    pid = os.getpid()
    return f"{host_name()}:{pid}:{_process_token(pid)}"


def new_owner() -> str:
    """A one-off owner inside this process (a lease per call): ``host:pid:token:random``."""
    return f"{current_owner()}:{uuid.uuid4().hex[:8]}"


def is_dead(owner: str | None) -> bool:
    """True when ``owner`` names a process on this host that no longer runs."""
    if not owner:
        return False
    host, pid_text, token = ([*owner.split(":"), "", ""])[:3]
    if host != host_name() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return token != _process_token(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False
