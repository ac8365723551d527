"""Domain errors raised by services; views show them as messages, the API as 409/422 (403 for NotAllowed)."""

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A rule of the domain refused the request. `message` is shown to the user (Chinese by default)."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class TransitionError(DomainError):
    """The object is not in a state that allows this step (or someone else changed it first)."""

    status = 409


class NotAllowed(PermissionDenied):
    """The actor's role or scope does not allow this step. Views answer 403, the API 403 (404 when the object
    is out of the actor's scope altogether — that is decided earlier, by the access_… helpers)."""

    def __init__(self, message: str = "您没有此操作的权限"):
        super().__init__(message)
        self.message = message
