"""Domain errors raised by services; each front door maps them to its own responses."""


class DomainError(Exception):
    """Base class: ``message`` is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The resource does not exist or belongs to someone else."""


class PermissionDenied(DomainError):
    """Authentication failed or the caller may not do this."""


class Conflict(DomainError):
    """The request clashes with existing data (e.g. an email already taken)."""


class InvalidInput(DomainError):
    """The input is well-formed but breaks a domain rule."""

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "value_error"
    ) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


class RateLimited(DomainError):
    """Too many attempts; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    """A dependency (database, provider, model) cannot answer right now."""
