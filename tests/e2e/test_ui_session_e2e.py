"""Against the real ``reflex run --env prod`` server: the tab's Reflex client token (kept in the
page's ``sessionStorage``) alone never reaches the tab's session, logged in or logged out.

Reflex finds a tab's server-side state by that token: before the session was bound to the
browser's HttpOnly ``cadence_browser`` cookie, anyone presenting it on a new socket got the
signed-in state (the user's name and email in the very first snapshot, and every page's data)
without ever presenting the login token. The sockets below speak Engine.IO by hand from a
page of a browser context, the way any script could; the browser test also copies the token
into a fresh Chromium context and lets the app itself connect."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "session-bind-42"
ROOT_STATE = "reflex___state____state"
AUTH_STATE = f"{ROOT_STATE}.cadence___states___auth____auth_state"


def _signed_up_tab(new_page, *, email: str, name: str):
    from tests.e2e.conftest import signup_through_ui, wait_for_path

    page = new_page()
    signup_through_ui(page, email=email, password=PASSWORD, name=name)
    page.goto("/settings")  # the settings page holds the email in its state too
    wait_for_path(page, "/settings")
    page.wait_for_load_state("networkidle")
    return page


def _client_token(page) -> str:
    token = page.evaluate("sessionStorage.getItem('token')")
    assert token
    return token


def _assert_browser_cookie(context) -> None:
    """The browser holds its id in one HttpOnly cookie (no script of the page can read it)."""
    (cookie,) = [c for c in context.cookies() if c["name"] == "cadence_browser"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


SOCKET_SCRIPT = """async ([url, events]) => await new Promise((resolve) => {
  const received = [];
  const ws = new WebSocket(url);
  ws.onmessage = ({ data }) => {
    received.push(String(data));
    // Engine.IO open: join Reflex's socket.io namespace, then send the events into it.
    if (data.startsWith("0{")) ws.send("40/_event,");
    else if (data.startsWith("40/_event,")) {
      for (const e of events) ws.send("42/_event," + JSON.stringify(["event", e]));
    } else if (data === "2") ws.send("3");  // ping, pong
  };
  ws.onerror = () => received.push("websocket error");
  setTimeout(() => { ws.close(); resolve(received); }, 4000);
})"""


def _what_a_socket_gets(context, base_url: str, client_token: str) -> str:
    """Open ``/_event``'s websocket by hand from a page of ``context`` (with whatever cookies
    that browser holds) presenting ``client_token``, hydrate the settings page as the frontend
    does, ask for the signed-in user, and return everything the server sent."""
    page = context.new_page()
    page.goto("/ping")  # this origin, without loading the app (nor a cookie of its own)
    url = (
        base_url.replace("http", "ws", 1)
        + f"/_event/?EIO=4&transport=websocket&token={client_token}"
    )
    router_data = {"pathname": "/settings", "query": {}, "asPath": "/settings"}
    events = [
        {"name": name, "payload": {}, "router_data": router_data}
        for name in (f"{ROOT_STATE}.hydrate_and_load", f"{AUTH_STATE}.load_if_logged_in")
    ]
    received = page.evaluate(SOCKET_SCRIPT, [url, events])
    page.close()
    time.sleep(1)  # the server unlinks the token from this socket
    assert any(frame.startswith("42/_event,") for frame in received), received
    return "\n".join(received)


def _close_tab(page) -> None:
    """Close the tab (its socket with it), keeping its context's cookies."""
    page.close()
    time.sleep(1.5)  # the server notices the socket is gone and frees the client token


def test_the_client_token_alone_restores_no_signed_in_session(new_page, live_server) -> None:
    email, name = "bound-owner@example.com", "Boundowner"
    page = _signed_up_tab(new_page, email=email, name=name)
    token, context = _client_token(page), page.context
    _close_tab(page)

    stolen = _what_a_socket_gets(new_page().context, live_server.url, token)
    assert email not in stolen and name not in stolen

    # The same token in a fresh browser: the login page, and not a byte of the user's data
    # over its websocket.
    from tests.e2e.conftest import wait_for_path

    thief = new_page()
    frames: list[str] = []
    thief.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    thief.add_init_script(f"sessionStorage.setItem('token', {json.dumps(token)})")
    thief.goto("/settings")
    wait_for_path(thief, "/login")
    thief.wait_for_load_state("networkidle")
    assert frames and not any(email in f or name in f for f in frames)
    _close_tab(thief)

    # The browser that holds the session (its cookie) still reaches it: the check above is
    # not blind.
    _assert_browser_cookie(context)
    own = _what_a_socket_gets(context, live_server.url, token)
    assert email in own


def test_after_log_out_the_client_token_gets_nothing(new_page, live_server) -> None:
    from tests.e2e.conftest import wait_for_path

    email, name = "logged-out@example.com", "Loggedout"
    page = _signed_up_tab(new_page, email=email, name=name)
    page.get_by_role("button", name="Log out").click()
    wait_for_path(page, "/login")
    page.wait_for_load_state("networkidle")
    token, context = _client_token(page), page.context
    _close_tab(page)

    stolen = _what_a_socket_gets(new_page().context, live_server.url, token)
    assert email not in stolen and name not in stolen
    # Nor in the same browser after "Log out": the session kept nothing of the user, not
    # even in the pages' states.
    _assert_browser_cookie(context)
    own = _what_a_socket_gets(context, live_server.url, token)
    assert email not in own and name not in own
