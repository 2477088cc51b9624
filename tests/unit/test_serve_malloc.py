"""``python -m cadence.serve`` limits glibc's malloc arenas: glibc reads ``MALLOC_ARENA_MAX``
only at a process's start, so a start without it starts again (exec) with it."""

from __future__ import annotations

import sys

import pytest

from cadence import serve


class _Execed(Exception):
    pass


def test_a_start_without_the_limit_execs_itself_with_it(monkeypatch) -> None:
    calls = []

    def execve(path, argv, env):
        calls.append((path, argv, env))
        raise _Execed

    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setenv("CADENCE_PORT", "8123")
    monkeypatch.setattr(serve.os, "execve", execve)
    monkeypatch.setattr(sys, "argv", ["serve.py", "--port", "8123"])
    with pytest.raises(_Execed):
        serve.main()
    [(path, argv, env)] = calls
    assert path == sys.executable
    assert argv == [sys.executable, "-m", "cadence.serve", "--port", "8123"]
    assert env["MALLOC_ARENA_MAX"] == serve.MALLOC_ARENA_MAX
    assert env["CADENCE_PORT"] == "8123"  # the rest of the environment is kept


def test_a_limit_already_set_is_kept_and_not_restarted() -> None:
    assert serve.malloc_env({"MALLOC_ARENA_MAX": "4", "PATH": "/bin"}) is None
    assert serve.malloc_env({"PATH": "/bin"}) == {"PATH": "/bin", "MALLOC_ARENA_MAX": "2"}
