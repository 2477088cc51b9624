"""ASGI middleware for the REST API: request body caps, control-free URLs, security headers."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api/v1"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
NO_STORE = (b"cache-control", b"no-store")
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Answer 413 when an API request body exceeds its cap (checked on headers and while reading).

    ``upload_prefixes`` get the larger ``max_upload_bytes``; other API paths ``max_body_bytes``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        upload_prefixes: tuple[str, ...] = (f"{API_PREFIX}/imports",),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_prefixes = upload_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
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

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await _send_too_large(send, limit)


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


class SecurityHeadersMiddleware:
    """Add security headers to every HTTP response (the web UI's pages and assets too: no
    framing, no MIME sniffing, no referrer); API responses are also never cached and get a
    deny-all CSP (the UI's CSP is left to Reflex, whose pages need inline scripts)."""

    def __init__(self, app: ASGIApp, *, docs_paths: tuple[str, ...]) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith(API_PREFIX)
        is_docs = scope["path"] in self.docs_paths

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                wanted = (*SECURITY_HEADERS, NO_STORE) if is_api else SECURITY_HEADERS
                extra = [h for h in wanted if h[0] not in present]
                if is_api and not is_docs:
                    extra.append(API_CSP)
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
