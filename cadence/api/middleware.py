"""ASGI middleware for the REST API: request body caps, control-free URLs, security headers,
the guard in front of Reflex's own upload endpoint, and the binding of the web UI's sessions
to the browser that holds them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cadence.services.auth import browser_session_key, is_browser_id, new_browser_id

API_PREFIX = "/api/v1"
REFLEX_UPLOAD_PATH = "/_upload"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
NO_STORE = (b"cache-control", b"no-store")
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# The web UI's pages: only this server's own scripts, styles, images, fonts and connections
# (its websocket included, on any port of this host: Reflex's frontend reaches the backend at
# the page's host name and the port it was built for), no plugins, no framing, forms and
# <base> only to itself. Inline scripts and styles and eval stay allowed: Reflex's prebuilt
# pages hydrate with inline <script>s (no nonce can be added to static files) and
# ``rx.call_script`` evaluates its string in the page, so this CSP does not stop an injected
# script; React's escaping does (docs/security.md, V14).
UI_CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' http://{host}:* https://{host}:* ws://{host}:* wss://{host}:*; "
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class BodySizeLimitMiddleware:
    """Answer 413 when an API request body exceeds its cap (checked on headers and while reading).

    ``upload_prefixes`` (the API's imports and Reflex's ``/_upload``) get the larger
    ``max_upload_bytes``; other API paths ``max_body_bytes``; the rest is not capped here.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        upload_prefixes: tuple[str, ...] = (f"{API_PREFIX}/imports", REFLEX_UPLOAD_PATH),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_prefixes = upload_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(
            (API_PREFIX, *self.upload_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        limit = (
            self.max_upload_bytes
            if scope["path"].startswith(self.upload_prefixes)
            else self.max_body_bytes
        )
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, limit)
            return
        received = 0
        response_started = False
        refused = False

        async def limited_receive() -> Message:
            """Past the cap: answer 413 here and tell the app the client is gone, so the app
            stops reading whatever error handling it has (Reflex's routes live in a sub-app
            with its own)."""
            nonlocal received, response_started, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not response_started:
                        response_started = True
                        await _send_too_large(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return  # the 413 was the answer
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            if not refused:  # the app gave up on the "disconnected" client: expected
                raise


async def _send_too_large(send: Send, limit: int) -> None:
    await send_json(send, 413, {"detail": f"Request body is too large (limit {limit} bytes)."})


async def send_json(
    send: Send, status: int, payload: dict, *, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer with a JSON body (and the security headers) straight from ASGI middleware."""
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ReflexUploadGuardMiddleware:
    """Reflex's own upload endpoint (``POST /_upload``, the Devices page's drop zone) only for
    a signed-in user: ``authenticate`` checks the ``Authorization: Bearer`` login token before
    a byte of the body is read (401 otherwise; ``BodySizeLimitMiddleware`` caps the size).
    Everything else under ``/_upload`` answers 404: Reflex would serve its upload folder
    there, while Cadence keeps uploads private in ``<data>/uploads``."""

    def __init__(self, app: ASGIApp, *, authenticate: Callable[[str], Awaitable[bool]]) -> None:
        self.app = app
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == REFLEX_UPLOAD_PATH or path.startswith(REFLEX_UPLOAD_PATH + "/")
        ):
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST" or path != REFLEX_UPLOAD_PATH:
            await send_json(send, 404, {"detail": "Not found."})
            return
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or not await self.authenticate(token):
            await send_json(send, 401, {"detail": "Sign in to upload files."})
            return
        await self.app(scope, receive, send)


class RejectControlCharactersMiddleware:
    """Answer 422 (JSON) when an API URL carries a control character: a NUL anywhere (no
    Cadence text may hold one and PostgreSQL cannot store it; request bodies are checked by
    ``StrictBody``) or any C0 control in the path, which no route matches (the request would
    otherwise fall through to the web UI's plain-text 404)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            in_path = any(ord(char) < 32 or char == "\x7f" for char in scope["path"])
            if in_path or b"%00" in scope.get("query_string", b""):
                detail = [
                    {
                        "loc": ["path" if in_path else "query"],
                        "msg": "must not contain NUL or other control characters",
                        "type": "value_error",
                    }
                ]
                await send_json(send, 422, {"detail": detail})
                return
        await self.app(scope, receive, send)


EVENT_PREFIX = "/_event"


class EventOriginMiddleware:
    """Refuse (403) a request or websocket to Reflex's ``/_event`` from a page of another site
    (its ``Origin``'s host name is not this server's, and it is neither ``CADENCE_PUBLIC_URL``
    nor in ``CADENCE_CORS_ORIGINS``): Reflex hands its socket.io server an empty origin list,
    which there means "check nothing". Any port of this host passes, since Reflex's frontend
    connects to the page's host name at the port it was built for. Requests without
    ``Origin`` (not from a browser page) pass."""

    def __init__(self, app: ASGIApp, *, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = frozenset(origin.lower() for origin in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(EVENT_PREFIX):
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1").lower().rstrip("/")
            host = headers.get(b"host", b"").decode("latin-1").lower()
            same = _hostname(origin.partition("://")[2]) == _hostname(host)
            if origin and not same and origin not in self.allowed:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await send_json(send, 403, {"detail": "Cross-origin requests refused."})
                return
        await self.app(scope, receive, send)


def _hostname(netloc: str) -> str:
    """``host:port`` or ``[v6]:port`` without the port."""
    if netloc.startswith("["):
        return netloc.partition("]")[0] + "]"
    return netloc.rpartition(":")[0] if netloc.count(":") == 1 else netloc


class SecurityHeadersMiddleware:
    """Add security headers to every HTTP response (the web UI's pages and assets too: no
    framing, no MIME sniffing, no referrer); API responses are also never cached and get a
    deny-all CSP, the UI the same-origin ``UI_CSP_TEMPLATE``."""

    def __init__(self, app: ASGIApp, *, docs_paths: tuple[str, ...]) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith(API_PREFIX)
        is_docs = scope["path"] in self.docs_paths
        host = _hostname(dict(scope["headers"]).get(b"host", b"").decode("latin-1"))
        safe_host = "".join(c for c in host if c.isalnum() or c in ".-:[]") or "localhost"
        ui_csp = (b"content-security-policy", UI_CSP_TEMPLATE.format(host=safe_host).encode())

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                wanted = (*SECURITY_HEADERS, NO_STORE) if is_api else SECURITY_HEADERS
                extra = [h for h in wanted if h[0] not in present]
                if is_api and not is_docs:
                    extra.append(API_CSP)
                elif not is_api and b"content-security-policy" not in present:
                    extra.append(ui_csp)
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


BROWSER_COOKIE = "cadence_browser"
BROWSER_COOKIE_MAX_AGE_S = 400 * 24 * 3600  # the longest a browser keeps a cookie
CLIENT_TOKEN_HEADER = b"reflex-client-token"


class BrowserBoundSessionMiddleware:
    """The web UI's server-side session (Reflex's state) is found by the tab's client token,
    which the page keeps in ``sessionStorage`` and sends as ``?token=`` to ``/_event`` and as
    ``Reflex-Client-Token`` to ``/_upload``. Here that token is replaced by
    ``browser_session_key`` of it and the browser's id, an HttpOnly cookie (SameSite=Lax,
    Secure when ``secure``) given with the first page or ``/_event`` answer to a browser
    without one: the client token copied into another browser, or sent by a script without
    the cookie, names a fresh, empty session, never the tab's."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.cookie = (
            f"{BROWSER_COOKIE}={{}}; Path=/; Max-Age={BROWSER_COOKIE_MAX_AGE_S}; HttpOnly; "
            f"SameSite=Lax{'; Secure' if secure else ''}"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or path.startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        found = _cookie(dict(scope["headers"]).get(b"cookie", b""), BROWSER_COOKIE) or ""
        given = is_browser_id(found)
        browser = found if given else new_browser_id()

        def bind(client_token: str) -> str:
            return browser_session_key(browser_id=browser, client_token=client_token)

        if path.startswith(EVENT_PREFIX):
            scope = {**scope, "query_string": _rebind_query(scope["query_string"], bind)}
        elif path == REFLEX_UPLOAD_PATH:
            scope = {**scope, "headers": _rebind_header(scope["headers"], bind)}
        if given:
            await self.app(scope, receive, send)
            return
        set_cookie = (b"set-cookie", self.cookie.format(browser).encode())
        on_event = path.startswith(EVENT_PREFIX)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "websocket.accept" or (
                message["type"] == "http.response.start"
                and (on_event or _is_html(message.get("headers", [])))
            ):
                message["headers"] = [*message.get("headers", []), set_cookie]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(header: bytes, name: str) -> str | None:
    """The value of cookie ``name`` in a ``Cookie`` header (read pair by pair: another site's
    cookie on this host that ``http.cookies`` cannot parse must not hide ours)."""
    for pair in header.decode("latin-1").split(";"):
        key, equals, value = pair.strip().partition("=")
        if equals and key == name:
            return value
    return None


def _rebind_query(query: bytes, bind: Callable[[str], str]) -> bytes:
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, bind(v) if k == "token" else v) for k, v in pairs]).encode("latin-1")


def _rebind_header(
    headers: list[tuple[bytes, bytes]], bind: Callable[[str], str]
) -> list[tuple[bytes, bytes]]:
    return [
        (name, bind(value.decode("latin-1")).encode() if name == CLIENT_TOKEN_HEADER else value)
        for name, value in headers
    ]


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/html")
        for name, value in headers
    )
