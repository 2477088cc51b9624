"""Settings → Preferences: the user's day (time zone, week start), units and body, saved through
``services.preferences`` (the same rules as ``PUT /api/v1/settings/preferences``)."""

from __future__ import annotations

import reflex as rx
from pydantic import ValidationError

from cadence.models.preferences import PreferencesUpdate, zone_names
from cadence.services import physiology, preferences
from cadence.services.errors import DomainError
from cadence.states.auth import AuthState

ORIGIN_WORDS = {
    "measured": "measured",
    "estimated": "estimated",
    "default": "Cadence's default",
}
NUMBER_FIELDS = ("sleep_need_hours", "birth_year", "resting_hr", "max_hr")
TIMEZONE_SCRIPT = "Intl.DateTimeFormat().resolvedOptions().timeZone"


class PreferencesState(AuthState):
    tz: str = "UTC"
    tz_proposed: bool = False
    week_start: str = "monday"
    weight_unit: str = "kg"
    distance_unit: str = "km"
    sex: str = "unspecified"
    sleep_need_hours: str = ""
    birth_year: str = ""
    resting_hr: str = ""
    resting_hr_origin: str = "measured"
    max_hr: str = ""
    max_hr_origin: str = "measured"
    resting_hr_in_use: str = ""
    max_hr_in_use: str = ""
    prefs_message: str = ""
    prefs_error: str = ""
    prefs_field: str = ""
    prefs_saving: bool = False

    @rx.var(cache=False)
    def timezone_names(self) -> list[str]:
        return sorted(zone_names())

    @rx.event
    async def load_preferences(self):
        try:
            stored = await self.as_user(
                lambda session, user: preferences.is_stored(session=session, user_id=user.id)
            )
            await self._show()
        except DomainError:
            return
        self.prefs_message = self.prefs_error = self.prefs_field = ""
        if not stored:  # first visit: propose the browser's zone (saved only when the user saves)
            return rx.call_script(TIMEZONE_SCRIPT, callback=PreferencesState.propose_timezone)
        return None

    async def _show(self) -> None:
        def read(session, user):
            row = preferences.stored(session=session, user_id=user.id)
            today = preferences.user_day(session=session, user_id=user.id).today()
            return row, physiology.of_user(session=session, user_id=user.id, on=today)

        row, rates = await self.as_user(read)
        self.tz, self.week_start, self.sex = row.timezone, row.week_start, row.sex
        self.weight_unit, self.distance_unit = row.weight_unit, row.distance_unit
        self.sleep_need_hours = f"{preferences.sleep_need_hours(row):g}"
        self.birth_year = _text(row.birth_year)
        self.resting_hr, self.max_hr = _text(row.resting_hr), _text(row.max_hr)
        self.resting_hr_origin = row.resting_hr_origin or "measured"
        self.max_hr_origin = row.max_hr_origin or "measured"
        entered = row.resting_hr is not None
        device = "the 60-day mean of your devices' readings"
        resting_origin = ORIGIN_WORDS[rates.resting.origin]
        if not entered and rates.resting.origin == "measured":
            resting_origin = device
        self.resting_hr_in_use = f"Cadence uses {rates.resting.bpm} bpm ({resting_origin})."
        max_origin = ORIGIN_WORDS[rates.maximum.origin]
        if row.max_hr is None and rates.maximum.origin == "estimated":
            max_origin = "estimated from your birth year: 208 - 0.7 x age"
        self.max_hr_in_use = f"Cadence uses {rates.maximum.bpm} bpm ({max_origin})."
        self.tz_proposed = False

    @rx.event
    def propose_timezone(self, name: str):
        if isinstance(name, str) and name in zone_names() and name != self.tz:
            self.tz, self.tz_proposed = name, True

    @rx.event
    def set_pref(self, name: str, value: str):
        """Any field of the form (``name`` is the state field)."""
        if name in self.get_fields():
            setattr(self, name, value)
        self.prefs_message = ""
        if self.prefs_field == name:
            self.prefs_error = self.prefs_field = ""

    @rx.event
    async def save_preferences(self):
        self.prefs_message = self.prefs_error = self.prefs_field = ""
        try:
            changes = self._changes()
        except ValidationError as exc:
            first = exc.errors()[0]
            self.prefs_field = str(first["loc"][0]) if first["loc"] else ""
            self.prefs_error = first["msg"].removeprefix("Value error, ")
            return
        self.prefs_saving = True
        yield
        try:
            await self.as_user(
                lambda session, user: preferences.update_preferences(
                    session=session, user_id=user.id, changes=changes
                )
            )
            await self._show()
        except DomainError as exc:
            self.prefs_error = exc.message
            self.prefs_field = getattr(exc, "field", "") or ""
        else:
            self.prefs_message = "Preferences saved: your days, units and load use them now."
        finally:
            self.prefs_saving = False

    def _changes(self) -> PreferencesUpdate:
        """Every field as entered; an empty number resets it to its default."""
        values: dict[str, object] = {
            "timezone": self.tz.strip(),
            "week_start": self.week_start,
            "weight_unit": self.weight_unit,
            "distance_unit": self.distance_unit,
            "sex": self.sex,
        }
        for name in NUMBER_FIELDS:
            text = str(getattr(self, name)).strip().replace(",", ".")
            values[name] = text or None
        for name in ("resting_hr", "max_hr"):
            if values[name] is not None:
                values[f"{name}_origin"] = getattr(self, f"{name}_origin")
        return PreferencesUpdate.model_validate(values)


def _text(value: int | None) -> str:
    return "" if value is None else str(value)
