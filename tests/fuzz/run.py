"""Fuzz every API operation of a real, migrated server with schemathesis.

    python -m tests.fuzz.run [--server app|api] [--examples N] [--max-time S]

``app`` (the default, ``make fuzz``) starts ``reflex run --env prod``; ``api`` serves the API
alone with uvicorn (faster; used by ``tests/api/test_fuzz.py`` inside ``make test``). Checks:
no 5xx, status codes, content types, headers and bodies as the OpenAPI document declares.
Prints the number of generated cases and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from tests.e2e.conftest import ROOT
from tests.fuzz.hooks import signup
from tests.live import (
    VENV_BIN,
    Server,
    app_lock,
    database_url,
    migrate,
    server_env,
    start_api,
    start_app,
    stop,
)

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


# One worker: CPython 3.11.7 can raise "AST constructor recursion depth mismatch" when
# schemathesis compiles schemas in two threads at once.
def fuzz(*, server_kind: str, examples: int, max_time: int, workers: int = 1) -> tuple[int, int]:
    """Run schemathesis against a fresh server; return (exit code, generated cases)."""
    with tempfile.TemporaryDirectory(prefix="cadence-fuzz-") as tmp:
        data_dir = Path(tmp)
        env = server_env(data_dir, database_url(data_dir, "fuzz"))
        migrate(env)
        with app_lock() if server_kind == "app" else nullcontext():
            start = start_app if server_kind == "app" else start_api
            server = start(env, name="fuzz")
            # An owner signs up first without the setup code, so no account here is an admin
            # and a generated admin LLM base URL can never send the chat's traffic off this
            # machine.
            signup(server.url)
            code, cases = _run_schemathesis(server, env, examples, max_time, workers)
        if code:
            print(server.log()[-6000:], file=sys.stderr)
        return code, cases


def _run_schemathesis(
    server: Server, env: dict[str, str], examples: int, max_time: int, workers: int
) -> tuple[int, int]:
    try:
        command = [
            str(VENV_BIN / "schemathesis"),
            "run",
            f"{server.url}/api/v1/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(examples),
            "--max-time",
            str(max_time),
            "--workers",
            str(workers),
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            "--seed",
            "8",
        ]
        run_env = {
            **env,
            "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
            "CADENCE_FUZZ_URL": server.url,
            "PYTHONPATH": str(ROOT),
        }
        # cwd: the data dir, so schemathesis' own cache stays out of the checkout.
        result = subprocess.run(
            command, cwd=env["CADENCE_DATA_DIR"], env=run_env, capture_output=True, text=True
        )
        print(result.stdout[-20_000:], result.stderr[-4000:], sep="\n")
        found = re.search(r"(\d+) generated", result.stdout)
        code, cases = result.returncode, int(found.group(1)) if found else 0
    finally:
        stop(server)
    return code, cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("app", "api"), default="app")
    parser.add_argument("--examples", type=int, default=60, help="cases per operation and phase")
    parser.add_argument("--max-time", type=int, default=900, help="time budget in seconds")
    args = parser.parse_args()
    code, cases = fuzz(server_kind=args.server, examples=args.examples, max_time=args.max_time)
    print(f"fuzz: {cases} generated cases, schemathesis exit code {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
