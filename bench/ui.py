"""UI benchmark: click-to-render time in the real Reflex UI, 1 session (baseline) and N at once.

The prod server as ``make run`` starts it (one server for both runs, on a fixed port so that a
second run reuses the build); every session is a Playwright context of its own in one Chromium
(the browser tests' Chromium, arguments and desktop viewport), logged in through the login page
(the UI session is the HttpOnly ``cadence_browser`` cookie the context keeps) as its own user
with 90 days of demo data. Each session does one uncounted warm-up round, then repeats the
round: open Workouts from the sidebar, open the newest workout, "Repeat" it (the form filled
from it), save it (the new workout's page drawn), open Exercises, open the Dashboard (the
readiness score drawn). First the baseline, one session alone, then N sessions at once.
Printed: p50/p95 of each click at 1 and at N, the N-vs-1 ratios, the load average, the
server's and the browser's CPU, errors (a screenshot of the first under ``artifacts/``).

    .venv/bin/python bench/ui.py [--sessions 8] [--rounds 5] [--port 8731]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import PASSWORD, group_cpu_s, pct, seed_users, wait_for_pool  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    path_pattern,
)
from tests.live import app_lock, database_url, migrate, server_env, start_app, stop  # noqa: E402

TIMEOUT_MS = 60_000
DEFAULT_PORT = 8731


async def _sidebar(page, label: str) -> None:
    # on a desktop viewport the phone's bottom bar is hidden, so this is the sidebar's link
    await page.get_by_role("link", name=label, exact=True).click()


async def open_workouts(page) -> None:
    await _sidebar(page, "Workouts")
    await page.wait_for_url(path_pattern("/workouts"))
    await page.locator(".workout-card").first.wait_for()


async def open_workout(page) -> None:
    await page.locator(".workout-card").first.click()
    await page.wait_for_url(path_pattern("/workouts/view"))
    await page.locator(".detail-exercise").first.wait_for()


async def open_repeat_form(page) -> None:
    from playwright.async_api import expect

    await page.get_by_role("button", name="Repeat", exact=True).click()
    await page.wait_for_url(path_pattern("/workouts/edit"))
    await expect(
        page.locator(".exercise-row").first.get_by_label("Exercise name")
    ).not_to_have_value("", timeout=TIMEOUT_MS)


async def save_workout(page) -> None:
    await page.click("#save-workout")
    await page.wait_for_url(path_pattern("/workouts/view"))
    await page.locator(".detail-exercise").first.wait_for()


async def open_exercises(page) -> None:
    await _sidebar(page, "Exercises")
    await page.wait_for_url(path_pattern("/exercises"))
    await page.locator(".library-entry").first.wait_for()


async def open_dashboard(page) -> None:
    await _sidebar(page, "Dashboard")  # "/": no URL to tell it from the page before
    await page.locator("#readiness-card .readiness-score").wait_for()


# in this order, each from the page the one before left
CLICKS: dict[str, Callable[..., Awaitable[None]]] = {
    "open workouts": open_workouts,
    "open a workout": open_workout,
    "repeat (form)": open_repeat_form,
    "save workout": save_workout,
    "open exercises": open_exercises,
    "open dashboard": open_dashboard,
}


@dataclass
class Results:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0  # this process's descendants: Playwright's driver and Chromium


def descendants_cpu_s(root: int) -> float:
    """CPU seconds (user + system) of the live descendants of ``root``: Chromium runs in a
    process group of its own, under Playwright's driver, so ``group_cpu_s`` does not see it."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    children = defaultdict(list)
    for pid, (parent, _ticks) in stats.items():
        children[parent].append(pid)
    ticks, todo = 0, list(children[root])
    while todo:
        pid = todo.pop()
        ticks += stats[pid][1]
        todo.extend(children[pid])
    return ticks / os.sysconf("SC_CLK_TCK")


async def log_in(page, email: str) -> None:
    await page.goto("/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.locator("#readiness-card .readiness-score").wait_for()


async def one_session(context, email: str, rounds: int, out: Results) -> None:
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    try:
        await log_in(page, email)
        for click in CLICKS.values():  # warm-up: the page's code and data, not counted
            await click(page)
        for _ in range(rounds):
            for kind, click in CLICKS.items():
                started = time.perf_counter()
                await click(page)
                out.seconds[kind].append(time.perf_counter() - started)
    except Exception as exc:  # one failure ends the session (the next click would start wrong)
        out.errors.append(f"{email} {page.url}: {exc.__class__.__name__} {str(exc)[:200]}")
        if len(out.errors) == 1:
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "bench-ui-error.png"), full_page=True)


async def run(url: str, emails: list[str], rounds: int, server_pgid: int) -> Results:
    from playwright.async_api import async_playwright

    out = Results()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        # contexts closed after the CPU is read: a closed context's renderer takes its CPU along
        contexts = [await browser.new_context(viewport=DESKTOP, base_url=url) for _ in emails]
        load_before, cpu_before = os.getloadavg()[0], group_cpu_s(server_pgid)
        client_before = descendants_cpu_s(os.getpid())
        started = time.perf_counter()
        sessions = zip(contexts, emails, strict=True)
        await asyncio.gather(*(one_session(c, e, rounds, out) for c, e in sessions))
        out.elapsed = time.perf_counter() - started
        out.load = (load_before, os.getloadavg()[0])
        out.server_cpu_s = group_cpu_s(server_pgid) - cpu_before
        out.client_cpu_s = descendants_cpu_s(os.getpid()) - client_before
        await browser.close()  # its contexts with it
    return out


def report(sessions: int, rounds: int, alone: Results, many: Results) -> None:
    for label, out in (("1 session", alone), (f"{sessions} sessions", many)):
        print(
            f"{label}: load average (1 min) {out.load[0]:.2f} before, {out.load[1]:.2f} after; "
            f"{out.elapsed:.0f} s wall, server CPU {out.server_cpu_s:.0f} s "
            f"= {out.server_cpu_s / out.elapsed:.2f} cores, browser CPU {out.client_cpu_s:.0f} s "
            f"= {out.client_cpu_s / out.elapsed:.2f} cores; errors {len(out.errors)}"
        )
        for error in out.errors[:5]:
            print(f"  error: {error}")
    print(f"\n=== UI click to render, {rounds} rounds per session (warm-up round not counted)")
    n = sessions
    print(
        f"  {'click':<15} {'n@1':>4} {'p50@1':>6} {'p95@1':>6} {f'n@{n}':>5} {f'p50@{n}':>6} "
        f"{f'p95@{n}':>6} {'p50 x':>6} {'p95 x':>6}   (ms)"
    )
    rows = [*CLICKS, "all"]
    for kind in rows:
        one, lots = (
            [x for v in r.seconds.values() for x in v] if kind == "all" else r.seconds[kind]
            for r in (alone, many)
        )
        p50_1, p95_1, p50_n, p95_n = pct(one, 50), pct(one, 95), pct(lots, 50), pct(lots, 95)
        print(
            f"  {kind:<15} {len(one):>4} {p50_1:>6.0f} {p95_1:>6.0f} {len(lots):>5} "
            f"{p50_n:>6.0f} {p95_n:>6.0f} {p50_n / p50_1:>6.2f} {p95_n / p95_1:>6.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="fixed: a second run reuses the build"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cadence-ui-") as tmp:
        data = Path(tmp)
        env = server_env(data, database_url(data, "ui"))
        env.pop("REFLEX_REDIS_URL", None)
        migrate(env)
        with app_lock():
            started = time.perf_counter()
            server = start_app(env, name="ui", port=args.port)
            print(f"server up in {time.perf_counter() - started:.0f} s on {server.url}")
            try:
                wait_for_pool(server.url, env.get("CADENCE_API_WORKERS"))
                emails = seed_users(server, args.sessions)
                pgid = server.process.pid
                alone = asyncio.run(run(server.url, emails[:1], args.rounds, pgid))
                many = asyncio.run(run(server.url, emails, args.rounds, pgid))
            finally:
                stop(server)
    report(args.sessions, args.rounds, alone, many)
    return 1 if alone.errors or many.errors else 0


if __name__ == "__main__":
    sys.exit(main())
