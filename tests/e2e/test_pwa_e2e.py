"""The installable web app in Chromium: the manifest parses (Chromium's own parser, over CDP),
the service worker registers and controls the page, it never stores API or user-data responses,
and when the server is gone a reload shows the offline page.

"Server gone" is real: the browser reaches the shared e2e server through a TCP forwarder owned by
this module, and stopping the forwarder refuses connections exactly like a stopped server, without
stopping the server other e2e tests use.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, LiveServer, screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "offline-first-9"
ICONS = {"/icons/icon-192.png": 192, "/icons/icon-512.png": 512, "/icons/maskable-512.png": 512}


class TcpForwarder:
    """Accepts on a free local port and pipes every connection to ``target`` until stopped."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Refuse new connections and cut the open ones (the server is 'gone')."""
        self.running = False
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone does not
        self.listener.close()
        with self.lock:
            for sock in self.connections:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass


@pytest.fixture
def forwarder(live_server: LiveServer) -> Iterator[TcpForwarder]:
    port = int(live_server.url.rsplit(":", 1)[1])
    proxy = TcpForwarder(port)
    yield proxy
    proxy.stop()


def cached_urls(page) -> list[str]:
    return page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )


def test_manifest_service_worker_and_offline_page(browser, forwarder) -> None:
    origin = f"http://127.0.0.1:{forwarder.port}"
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(f"{origin}/login")
        head = page.locator("head")
        expect(head.locator('link[rel="manifest"]')).to_have_attribute(
            "href", "/manifest.webmanifest"
        )
        expect(head.locator('meta[name="theme-color"]')).to_have_attribute("content", "#12a594")
        expect(head.locator('link[rel="apple-touch-icon"]')).to_have_count(1)

        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert manifest["errors"] == [], manifest["errors"]
        data = json.loads(manifest["data"])
        assert data["short_name"] == "Cadence" and data["display"] == "standalone"
        assert data["start_url"].startswith("/") and data["theme_color"] == "#12a594"
        purposes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
        assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
        for path, size in ICONS.items():
            natural = page.evaluate(
                """(src) => new Promise((ok, fail) => {
                    const img = new Image(); img.onload = () => ok([img.naturalWidth,
                    img.naturalHeight]); img.onerror = fail; img.src = src; })""",
                path,
            )
            assert natural == [size, size], path

        scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
        assert scope == f"{origin}/"
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")

        # Sign up through the forwarded origin and use the app, including the REST API.
        page.goto(f"{origin}/signup")
        page.fill("#display_name", "Pia")
        page.fill("#email", "pia-pwa@example.com")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(lambda url: "/signup" not in url)
        page.goto(f"{origin}/settings")
        expect(page.locator("#coaching_profile")).to_be_visible()
        statuses = page.evaluate(
            """async () => {
                const token = localStorage.getItem("cadence_token");
                const me = await fetch("/api/v1/auth/me",
                    {headers: {Authorization: `Bearer ${token}`}});
                const spec = await fetch("/api/v1/openapi.json");
                return [me.status, spec.status];
            }"""
        )
        assert statuses == [200, 200]
        urls = cached_urls(page)
        assert f"{origin}/offline.html" in urls
        assert any("/assets/" in u or u.endswith(".js") for u in urls), urls
        leaked = [u for u in urls if "/api/" in u or "/_event" in u or "/_upload" in u]
        assert leaked == []

        # The install hint appears when the browser offers installation.
        install = page.locator("#cadence-install")
        expect(install).to_be_hidden()
        page.evaluate(
            """() => { const e = new Event("beforeinstallprompt", {cancelable: true});
                e.prompt = () => { window.__promptCalled = true; };
                e.userChoice = Promise.resolve({outcome: "dismissed"});
                window.dispatchEvent(e); }"""
        )
        expect(install).to_be_visible()
        install.click()
        page.wait_for_function("window.__promptCalled === true")

        forwarder.stop()
        page.reload()
        expect(page.get_by_role("heading", name="You're offline")).to_be_visible()
        screenshot(page, "pwa-offline-375")
        page.goto(f"{origin}/admin")
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
    finally:
        context.close()
