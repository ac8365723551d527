"""Form helpers shared by the apps: one domain error from a bound form's errors, the ISO date picker."""

from django import forms

from liaison.lib.errors import DomainError


def valid_form(form, *, fallback: str = "填写有误，请检查"):
    """The form, if valid; else DomainError naming each field (label：error) in one Chinese sentence."""
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label}：{v[0]}" if k in form.fields else v[0] for k, v in form.errors.items()
        )
        raise DomainError(errors or fallback)
    return form


class DateInput(forms.DateInput):
    """A browser date picker. `<input type=date>` takes only ISO dates (2026-12-02); the Chinese locale's
    display format (2026/12/02) would leave it empty and the form would then fail with "required"."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
