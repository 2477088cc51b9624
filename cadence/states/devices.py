"""Devices page: each provider's card (status, last sync, errors in words), connect, sync now,
disconnect. Every action calls the same services as ``/api/v1/devices``, off the event loop."""

from __future__ import annotations

import json

import reflex as rx

from cadence.display import plural
from cadence.models.common import as_utc
from cadence.models.device import DevicePublic
from cadence.services import auth
from cadence.services.devices import connections, sync
from cadence.services.devices.registry import get_provider
from cadence.services.errors import DomainError
from cadence.states.auth import TOKEN_STORAGE_KEY, AuthState
from cadence.states.forms import broken_rules, clear_errors, required, show_errors

STATUS_LABELS = {
    "ok": "Connected",
    "syncing": "Syncing…",
    "error": "Needs attention",
    "disconnected": "Not connected",
}
DESCRIPTIONS = {
    "garmin": "Sleep, HRV, stress, Body Battery, steps, training readiness and activities.",
    "whoop": "Recovery, sleep, strain and workouts.",
    "oura": "Sleep and its stages, HRV, readiness, steps, SpO2, stress and workouts.",
    "strava": "Activities only (kept apart from shared AI models, per Strava's terms).",
}


def _card(device: DevicePublic) -> dict[str, str]:
    provider = get_provider(device.provider)
    last_sync = (
        as_utc(device.last_sync_at).strftime("%d %b %Y, %H:%M UTC")
        if device.last_sync_at
        else "Never"
    )
    return {
        "provider": device.provider,
        "label": provider.label,
        "description": DESCRIPTIONS.get(device.provider, ""),
        "auth": provider.auth,
        "setup_problem": provider.setup_problem() or "",
        "connected": "yes" if device.connected else "",
        "status": device.status,
        "status_label": STATUS_LABELS[device.status],
        "last_sync": last_sync,
        "last_error": device.last_error or "",
    }


GARMIN_FIELDS = {"email": "garmin_email_error", "password": "garmin_password_error"}
GARMIN_PASSWORD_MISSING = "Enter your Garmin Connect password."

_CONNECT_SCRIPT = """
(async () => {
  const answer = await fetch("/api/v1/devices/" + PROVIDER + "/connect", {
    method: "POST",
    credentials: "same-origin",
    headers: {Authorization: "Bearer " + (localStorage.getItem(TOKEN_KEY) || "")},
  });
  let body = {};
  try { body = await answer.json(); } catch (e) {}
  if (!answer.ok || !body.authorize_url) {
    return (typeof body.detail === "string" && body.detail)
      || "The connection could not be started (HTTP " + answer.status + "); try again.";
  }
  window.location.assign(body.authorize_url);
  return "";
})().catch(() => "The server could not be reached; try again.")
"""


class DevicesState(AuthState):
    devices: list[dict[str, str]] = []
    loaded: bool = False
    busy: str = ""  # the provider an action is running for
    message: str = ""
    error: str = ""
    garmin_email_error: str = ""
    garmin_password_error: str = ""

    async def _refresh(self) -> None:
        cards = await self.as_user(
            lambda session, user: [
                _card(d) for d in connections.list_devices(session=session, user_id=user.id)
            ]
        )
        self.devices = cards
        self.loaded = True

    @rx.event
    async def load(self):
        """Show the cards, and the outcome of an OAuth round trip (``?provider=&connected=``)."""
        query = self.router.url.query_parameters
        self.message = self.error = ""
        if query.get("error"):
            self.error = query["error"]
        elif query.get("connected") and query.get("provider"):
            self.message = "Connected. The first sync starts within a minute, or tap Sync now."
        try:
            await self._refresh()
        except DomainError as exc:
            self.error = exc.message

    async def _run(self, provider: str, work, success: str = ""):
        self.busy, self.message, self.error = provider, "", ""
        try:
            result = await self.as_user(work)
        except DomainError as exc:
            self.error = exc.message
            result = None
        else:
            self.message = success
        try:
            await self._refresh()
        except DomainError as exc:
            self.error = self.error or exc.message
        finally:
            self.busy = ""
        return result

    @rx.event
    async def connect_garmin(self, form: dict):
        """Sign in to Garmin Connect; a missing or malformed email or password is answered
        under its field before Garmin is asked."""
        params = {"email": str(form.get("email", "")), "password": str(form.get("password", ""))}
        clear_errors(self, GARMIN_FIELDS)
        wrong = broken_rules(
            lambda: auth.normalize_email(params["email"]),
            lambda: required(params["password"], message=GARMIN_PASSWORD_MISSING, field="password"),
        )
        if show_errors(self, wrong, GARMIN_FIELDS):
            return
        self.busy = "garmin"
        yield
        await self._run(
            "garmin",
            lambda session, user: connections.start_connect(
                session=session, user_id=user.id, provider="garmin", params=params
            ),
            "Garmin Connect is connected. Your password was used once and not stored.",
        )

    @rx.event
    def connect_oauth(self, provider: str):
        """Start the authorisation from the browser itself (``POST /api/v1/devices/{provider}/
        connect`` with the login token), so that this browser receives the cookie binding the
        authorisation to it (a Reflex event cannot set an HttpOnly cookie), then follow the
        answer's ``authorize_url``. A failure comes back to ``oauth_failed`` in words."""
        self.busy, self.error = provider, ""
        self.message = "Opening the provider's sign-in page…"
        return rx.call_script(
            _CONNECT_SCRIPT.replace("PROVIDER", json.dumps(provider)).replace(
                "TOKEN_KEY", json.dumps(TOKEN_STORAGE_KEY)
            ),
            callback=DevicesState.oauth_failed,
        )

    @rx.event
    def oauth_failed(self, message: str):
        """The browser could not start the authorisation: say why (empty: it is on its way)."""
        if message:
            self.busy, self.message, self.error = "", "", str(message)

    @rx.event
    async def sync_now(self, provider: str):
        self.busy = provider
        yield
        result = await self._run(
            provider,
            lambda session, user: sync.sync_now(
                session=session, user_id=user.id, provider=provider
            ),
        )
        if result is not None and result.status == "ok":
            days, new = result.counts.get("daily_metrics", 0), result.counts.get("activities", 0)
            self.message = (
                f"Synced: {plural(days, 'day')} of metrics, "
                f"{plural(new, 'new activity', 'new activities')}."
            )
        elif result is not None:
            self.error = result.message or "The sync failed."

    @rx.event
    async def disconnect(self, provider: str):
        self.busy = provider
        yield
        await self._run(
            provider,
            lambda session, user: connections.disconnect(
                session=session, user_id=user.id, provider=provider
            ),
            "Disconnected. The stored sign-in was erased; data already synced stays.",
        )
