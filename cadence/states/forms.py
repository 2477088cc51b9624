"""Form errors next to their fields: the service's ``InvalidInput.field`` names the field, and
each form maps those names to the state vars its page shows under the fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import reflex as rx

from cadence.services.errors import DomainError, InvalidInput


def show_error(
    state: rx.State, exc: DomainError, fields: Mapping[str, str], *, other: str = "error"
) -> None:
    """Put ``exc.message`` in the var of its field (``fields``: service field -> state var), or
    in ``other`` (the form's own callout) when the error belongs to no field shown."""
    field = exc.field if isinstance(exc, InvalidInput) else None
    setattr(state, fields.get(field or "", other), exc.message)


def show_errors(state: rx.State, errors: list[InvalidInput], fields: Mapping[str, str]) -> bool:
    """Show each error under its field; True when there was any (the form is not sent on)."""
    for exc in errors:
        show_error(state, exc, fields)
    return bool(errors)


def clear_errors(state: rx.State, fields: Mapping[str, str], *, other: str = "error") -> None:
    for name in (*fields.values(), other):
        setattr(state, name, "")


def broken_rules(*checks: Callable[[], object]) -> list[InvalidInput]:
    """The ``InvalidInput`` each check raises: every field's error at once, not the first."""
    found = []
    for check in checks:
        try:
            check()
        except InvalidInput as exc:
            found.append(exc)
    return found


def required(value: str, *, message: str, field: str) -> None:
    """An empty field, said in words under it."""
    if not value:
        raise InvalidInput(message, field=field)
