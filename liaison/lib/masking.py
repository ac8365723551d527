"""Masking of residents' and deputies' personal data for roles that do not need it."""

import re

# Mobile numbers and resident identity-card numbers written into free text (public pages redact them).
PHONE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def mask_phone(phone: str | None) -> str:
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def redact(text: str | None) -> str:
    """Free text made safe for the public: phone numbers masked, identity-card numbers blanked."""
    text = PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text or "")
    return ID_NUMBER_IN_TEXT.sub("*" * 18, text)
