"""Every registered page at 375 px and 1280 px, light and dark: a screenshot in ``artifacts/``, no
horizontal scroll, and no serious or critical axe-core finding (WCAG 2.1 A/AA: contrast of text,
names of controls, labels of fields...); at 375 px also tap targets of at least 44 px and the
right keyboards for inputs. axe-core is vendored in ``tests/e2e/axe/`` (see its PROVENANCE).

The page list is read from ``PAGES`` in ``cadence/cadence.py``, so a page added later is covered.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    ROOT,
    has_horizontal_scroll,
    screenshot,
    signup_through_ui,
)

pytestmark = pytest.mark.e2e
AXE = ROOT / "tests" / "e2e" / "axe" / "axe.min.js"
SCHEMES = ("light", "dark")
AXE_SCRIPT = """async () => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    });
    return result.violations
        .filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""
PASSWORD = "screens-check-5"
PUBLIC_ROUTES = {"/login", "/signup"}
MIN_TAP_PX = 44
# Fields that take only numbers get a number keyboard ("reps" is left out on purpose: it takes
# ranges and lists like "8-10" or "5,5,3", which need the text keyboard).
NUMERIC_HINTS = ("weight", "sets", "rpe", "duration", "kg", "minutes")

TAP_TARGET_SCRIPT = """(minimum) => {
    const selectors = 'button, [role="button"], [role="combobox"], [role="tab"], nav a[href], '
        + 'input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]), textarea';
    const small = [];  // visually hidden controls (<= 2 px, the sr-only pattern) are skipped
    for (const el of document.querySelectorAll(selectors)) {
        const toggle = ['checkbox', 'switch', 'radio'].includes(el.getAttribute('role'));
        // a text field's box is its root; a checkbox is tapped through its label
        const target = el.closest('.rt-TextFieldRoot') || (toggle && el.closest('label')) || el;
        const box = target.getBoundingClientRect();
        const style = getComputedStyle(target);
        if (box.width <= 2 || box.height <= 2 || style.visibility === 'hidden') continue;
        if (el.type === 'file') continue;  // styled through its label or drop zone
        if (el.closest('[aria-hidden="true"]')) continue;
        if (box.height < minimum - 0.5) {
            const label = (el.getAttribute('aria-label') || el.id || el.textContent || el.name
                || el.tagName).trim().slice(0, 40);
            small.push(`${label} (${Math.round(box.width)}x${Math.round(box.height)})`);
        }
    }
    return small;
}"""

KEYBOARD_SCRIPT = """(hints) => {
    const wrong = [];
    for (const input of document.querySelectorAll('input')) {
        const key = [input.id, input.name, input.getAttribute('aria-label'), input.className]
            .filter(Boolean).join(' ').toLowerCase();
        const type = input.type;
        if (key.includes('email') && !['email', 'hidden'].includes(type))
            wrong.push(`${key}: type=${type}, expected email`);
        if (key.includes('password') && type !== 'password')
            wrong.push(`${key}: type=${type}, expected password`);
        const numeric = hints.some(h => key.includes(h));
        const mode = input.getAttribute('inputmode');
        if (numeric && type !== 'number' && !['decimal', 'numeric'].includes(mode))
            wrong.push(`${key}: type=${type} inputmode=${mode}, expected a number keyboard`);
    }
    return wrong;
}"""


def registered_routes() -> list[str]:
    """Routes of the modules listed in ``PAGES`` (parsed, so the app is not built twice)."""
    tree = ast.parse((ROOT / "cadence" / "cadence.py").read_text())
    names = next(
        [element.id for element in node.value.elts]
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", None) == "PAGES" for t in node.targets)
    )
    routes = [importlib.import_module(f"cadence.pages.{name}").ROUTE for name in names]
    return [route for route in routes if "[" not in route]


def make_admin(live_server, email: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cadence", "create-admin", email],
        cwd=ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"{email} is now an admin." in done.stdout


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Loading", exact=True)).to_have_count(0)
    page.wait_for_timeout(400)  # let charts and fonts finish laying out


def slug(route: str) -> str:
    return route.strip("/").replace("/", "-") or "home"


def test_every_page_at_phone_and_desktop_width(new_page, live_server) -> None:
    routes = registered_routes()
    assert {"/login", "/signup", "/settings", "/admin"} <= set(routes)
    page = new_page(PHONE)
    for route in sorted(PUBLIC_ROUTES & set(routes)):
        page.goto(route)
        settle(page)
    email = "screens@example.com"
    signup_through_ui(page, email=email, password=PASSWORD, name="Screens")
    make_admin(live_server, email)
    page.click("#load-demo-data")  # pages drawn with data, as people see them
    expect(page.locator("#readiness-card")).to_be_visible(timeout=60_000)

    problems: dict[str, list[str]] = {}
    for scheme, (viewport, width) in (
        (scheme, size) for scheme in SCHEMES for size in ((PHONE, 375), (DESKTOP, 1280))
    ):
        page.emulate_media(color_scheme=scheme)  # the app follows prefers-color-scheme
        page.set_viewport_size(viewport)
        for route in routes:
            if route in PUBLIC_ROUTES:
                page.evaluate("localStorage.removeItem('cadence_token')")
            page.goto(route)
            settle(page)
            screenshot(page, f"screens-{slug(route)}-{width}-{scheme}")
            found = []
            if not page.evaluate(f"document.documentElement.classList.contains('{scheme}')"):
                found.append(f"not drawn {scheme}")
            if has_horizontal_scroll(page):
                found.append("horizontal scroll")
            page.add_script_tag(path=str(AXE))
            found += page.evaluate(AXE_SCRIPT)
            if width == 375:
                found += [
                    f"small tap target {t}" for t in page.evaluate(TAP_TARGET_SCRIPT, MIN_TAP_PX)
                ]
                found += page.evaluate(KEYBOARD_SCRIPT, list(NUMERIC_HINTS))
            if found:
                problems[f"{route} @{width} {scheme}"] = found
            if route in PUBLIC_ROUTES:
                page.goto("/login")
                page.fill("#email", email)
                page.fill("#password", PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(lambda url: "/login" not in url)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "screens-problems.json").write_text(json.dumps(problems, indent=1))
    assert problems == {}
