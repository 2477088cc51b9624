"""The supported device providers, built from the current settings."""

from __future__ import annotations

from cadence.config import Settings, get_settings
from cadence.services.devices.base import DeviceProvider
from cadence.services.devices.garmin import GarminProvider
from cadence.services.devices.oura import OuraProvider
from cadence.services.devices.strava import StravaProvider
from cadence.services.devices.whoop import WhoopProvider
from cadence.services.errors import NotFound

_PROVIDERS: dict[str, type] = {
    "garmin": GarminProvider,
    "whoop": WhoopProvider,
    "strava": StravaProvider,
    "oura": OuraProvider,
}
PROVIDER_NAMES: tuple[str, ...] = tuple(_PROVIDERS)


def get_provider(name: str, settings: Settings | None = None) -> DeviceProvider:
    """The provider called ``name``; an unknown name is ``NotFound``."""
    factory = _PROVIDERS.get(name)
    if factory is None:
        raise NotFound(f"Unknown device provider {name!r}; supported: {', '.join(PROVIDER_NAMES)}.")
    return factory(settings or get_settings())
