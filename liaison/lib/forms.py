"""Turning a bound form's errors into the one domain error a page shows as a message."""

from liaison.lib.errors import DomainError


def valid_form(form, *, fallback: str = "填写有误，请检查"):
    """The form, if valid; else DomainError naming each field (label：error) in one Chinese sentence."""
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label}：{v[0]}" if k in form.fields else v[0] for k, v in form.errors.items()
        )
        raise DomainError(errors or fallback)
    return form
