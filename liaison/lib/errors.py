"""Domain errors raised by services; views show them as messages, the API as 409/422."""


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
