"""Data ownership API schemas: account deletion (the export is a zip, not JSON)."""

from __future__ import annotations

from pydantic import Field as PydanticField

from cadence.models.user import MAX_PASSWORD_FIELD_LENGTH, StrictBody


class AccountDeleteRequest(StrictBody):
    """The current password, to confirm erasing the account and every row it owns."""

    password: str = PydanticField(min_length=1, max_length=MAX_PASSWORD_FIELD_LENGTH)
