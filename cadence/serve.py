"""``make run``'s server: ``reflex run --env prod``, without recompiling the pages and rebuilding
the production frontend when nothing they are made from has changed.

The build key is a SHA-256 over every file the frontend is made from (the app's Python sources,
``rxconfig.py``, ``assets/``, ``reflex.lock/``, ``requirements.txt``), Reflex's version and
``REFLEX_*`` settings, and the port (the build has the websocket's URL in it). After
a successful build it is written next to the build (``<web dir>/cadence-build.key``); a start
whose key matches and whose build is still there skips Reflex's compile and build steps and
goes straight to serving the existing build. Any change, a deleted build or another Reflex gives
a new key, hence the full build.

The server runs with glibc's malloc limited to ``MALLOC_ARENA_MAX`` arenas per process: glibc
reads it only when a process starts, so a start without it sets it and starts again (``exec``:
same process); one that has it, from the user or that first start, keeps it.

    python -m cadence.serve --port 8000 [--loglevel warning]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("cadence", "assets", "reflex.lock")
SINGLE_FILES = ("rxconfig.py", "requirements.txt")
KEY_FILE = "cadence-build.key"
MALLOC_ARENA_MAX = "2"
"""glibc's default is 8 arenas per core, and a thread that finds the arenas busy takes one of its
own, which keeps what is freed in it. With 40 request threads allocating and freeing SQLite's
pages and the responses, the web worker's heap grew by memory malloc held but did not use:
~2 MB per 1 000 requests in ``bench/soak.py``; ~1 with 2 arenas, ~0.4 with SQLite's smaller
page cache too (``db.py``; docs/benchmarks.md, "Memory and restart")."""


def _inputs(root: Path) -> Iterator[Path]:
    for name in SINGLE_FILES:
        if (root / name).is_file():
            yield root / name
    for name in SOURCES:
        for path in sorted((root / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path


def reflex_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``REFLEX_*`` variables as this command was given them (Reflex sets more itself)."""
    return {k: v for k, v in environ.items() if k.startswith("REFLEX_")}


def build_key(*, port: int, settings: Mapping[str, str], root: Path = ROOT) -> str:
    """The hash of everything the production frontend is built from: the inputs' contents,
    Reflex's version and ``settings``, and the port, which the build embeds in the websocket
    and upload URLs it calls."""
    digest = hashlib.sha256(f"reflex {version('reflex')}\nport {port}\n".encode())
    for name, value in sorted(settings.items()):
        digest.update(f"{name}={value}\n".encode())
    for path in _inputs(root):
        digest.update(f"{path.relative_to(root)}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_is_current(web_dir: Path, key: str) -> bool:
    stamp = web_dir / KEY_FILE
    built = (web_dir / "build" / "client" / "index.html").is_file()
    return built and stamp.is_file() and stamp.read_text().strip() == key


def _skipping(*_args: object, **_kwargs: object) -> None:
    """Stands in for Reflex's compile and build steps when the build is current."""


def _stamping(
    build: Callable[..., None], web_dir: Path, port: int, settings: Mapping[str, str]
) -> Callable[..., None]:
    def build_then_stamp(*args: object, **kwargs: object) -> None:
        (web_dir / KEY_FILE).unlink(missing_ok=True)
        build(*args, **kwargs)
        # Computed after the build, which may rewrite reflex.lock/.
        (web_dir / KEY_FILE).write_text(build_key(port=port, settings=settings))

    return build_then_stamp


def malloc_env(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The environment to start again with, ``MALLOC_ARENA_MAX`` added; ``None`` when it is set."""
    if "MALLOC_ARENA_MAX" in environ:
        return None
    return {**environ, "MALLOC_ARENA_MAX": MALLOC_ARENA_MAX}


def main() -> None:
    env = malloc_env(os.environ)
    if env is not None:
        os.execve(sys.executable, [sys.executable, "-m", "cadence.serve", *sys.argv[1:]], env)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loglevel", default="warning")
    args = parser.parse_args()
    import reflex.reflex as reflex_cli
    from reflex.utils import build, prerequisites

    web_dir = prerequisites.get_web_dir()
    settings = reflex_settings(os.environ)
    if build_is_current(web_dir, build_key(port=args.port, settings=settings)):
        print("Cadence: the frontend build is current; serving it without rebuilding")
        reflex_cli._compile_app = _skipping
        build.setup_frontend_prod = _skipping
    else:
        build.setup_frontend_prod = _stamping(
            build.setup_frontend_prod, web_dir, args.port, settings
        )
    reflex_cli.cli(
        ["run", "--env", "prod", "--backend-port", str(args.port), "--loglevel", args.loglevel]
    )


if __name__ == "__main__":
    main()
