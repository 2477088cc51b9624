"""``bench/soak.py``'s probe inside the server: put on ``PYTHONPATH`` by the soak only.

Every process of the server (Reflex's parent and the web worker it forks) watches
``$CADENCE_SOAK_PROBE_DIR/seq``; when the soak writes a new number there, each writes
``<pid>-<number>.json``: where its memory is (glibc's heap, SQLite's allocator, Python's
objects by type), and with ``CADENCE_SOAK_TRACEMALLOC=1`` a ``tracemalloc`` snapshot next to it
for the soak to diff. Nothing of this is in the app.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import threading
import time
from collections import Counter
from pathlib import Path

PROBE_DIR = os.environ.get("CADENCE_SOAK_PROBE_DIR")
TRACE = os.environ.get("CADENCE_SOAK_TRACEMALLOC") == "1"


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _stats() -> dict[str, object]:
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    sqlite = ctypes.CDLL("libsqlite3.so.0")
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    types = Counter(type(o).__name__ for o in gc.get_objects())
    stats: dict[str, object] = {
        "malloc_arena_mb": info.arena / 2**20,  # main arena's sbrk heap
        "malloc_mmap_mb": info.hblkhd / 2**20,  # large blocks mmapped on their own
        "malloc_used_mb": info.uordblks / 2**20,
        "malloc_free_mb": info.fordblks / 2**20,  # held by malloc, not in use: fragmentation
        "sqlite_mb": sqlite.sqlite3_memory_used() / 2**20,
        "gc_objects": sum(types.values()),
        "top_types": types.most_common(12),
        "threads": threading.active_count(),
    }
    if TRACE:
        import tracemalloc

        stats["traced_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
    return stats


def _watch(directory: Path) -> None:
    seen = None
    while True:
        time.sleep(0.2)
        try:
            seq = (directory / "seq").read_text().strip()
        except OSError:
            continue
        if seq == seen:
            continue
        seen = seq
        pid = os.getpid()
        if TRACE:
            import tracemalloc

            tracemalloc.take_snapshot().dump(str(directory / f"{pid}-{seq}.trace"))
        out = directory / f"{pid}-{seq}.json"
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(_stats()))
        tmp.rename(out)


def _start() -> None:
    if PROBE_DIR:
        threading.Thread(target=_watch, args=(Path(PROBE_DIR),), daemon=True).start()


if PROBE_DIR:
    if TRACE:
        import tracemalloc

        tracemalloc.start(8)
    _start()
    os.register_at_fork(after_in_child=_start)
