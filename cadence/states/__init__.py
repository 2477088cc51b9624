"""Reflex states: UI state and event handlers that call services (no SQL here)."""
