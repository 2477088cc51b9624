"""UI benchmark: click-to-render time in the real Reflex UI at N concurrent browser sessions.

The prod server as ``make run`` starts it; every session is a Playwright context of its own (one
Chromium), logged in through the login page as its own user with 90 days of demo data. Each then
repeats: click "Workouts" in the sidebar until the list of workouts is drawn, click "Dashboard"
until the readiness score is drawn. Printed: p50/p95 of each click, the load average, errors.

    .venv/bin/python bench/ui.py [--sessions 8] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import PASSWORD, pct, seed_users, wait_for_pool  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP  # noqa: E402
from tests.live import app_lock, database_url, migrate, server_env, start_app, stop  # noqa: E402

CLICKS = {
    "open workouts": ("Workouts", ".workout-card"),
    "open dashboard": ("Dashboard", "#readiness-card .readiness-score"),
}


async def one_session(browser, url: str, email: str, rounds: int, out: dict) -> None:
    context = await browser.new_context(viewport=DESKTOP, base_url=url)
    context.set_default_timeout(60_000)
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.locator(CLICKS["open dashboard"][1]).wait_for()
    nav = page.get_by_role("navigation", name="Main navigation")
    for _ in range(rounds):
        for kind, (label, drawn) in CLICKS.items():
            started = time.perf_counter()
            try:
                await nav.get_by_role("link", name=label).click()
                await page.locator(drawn).first.wait_for(state="visible")
                out[kind].append(time.perf_counter() - started)
            except Exception as exc:  # a bench counts failures instead of stopping at one
                out["errors"].append(f"{kind}: {exc.__class__.__name__}")
    await context.close()


async def run(url: str, emails: list[str], rounds: int) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {kind: [] for kind in CLICKS} | {"errors": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        await asyncio.gather(*(one_session(browser, url, e, rounds, out) for e in emails))
        await browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cadence-ui-") as tmp:
        data = Path(tmp)
        env = server_env(data, database_url(data, "ui"))
        env.pop("REFLEX_REDIS_URL", None)
        migrate(env)
        with app_lock():
            server = start_app(env, name="ui")
            try:
                wait_for_pool(server.url, env.get("CADENCE_API_WORKERS"))
                emails = seed_users(server, args.sessions)
                load_before = os.getloadavg()[0]
                out = asyncio.run(run(server.url, emails, args.rounds))
                load_after = os.getloadavg()[0]
            finally:
                stop(server)
    print(f"\n=== UI: {args.sessions} concurrent sessions x {args.rounds} rounds")
    print(f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after")
    print(f"  {'click':<16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in CLICKS:
        values = out[kind]
        print(f"  {kind:<16} {len(values):>5} {pct(values, 50):>8.0f} {pct(values, 95):>8.0f}")
    print(f"  errors: {len(out['errors'])} {out['errors'][:5]}")
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
