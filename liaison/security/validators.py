"""Password rules of the 等保 2.0 level-3 policy (AUTH_PASSWORD_VALIDATORS in settings.py): besides Django's
length (10), similarity and common-password checks, three of four character classes and no reuse of the last
five passwords. Messages are Chinese source strings (English in locale/)."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("symbol", lambda ch: ch.isascii() and not ch.isalnum() and not ch.isspace()),
)


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols (ASCII punctuation)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = {name for name, test in CLASSES if any(test(ch) for ch in password if ch.isascii())}
        if len(present) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes}


class PasswordHistoryValidator:
    """Not one of the user's last `count` passwords (their hashes are kept in security.PasswordHistory)."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent(self, user) -> list[str]:
        from .models import PasswordHistory

        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        if user.password and user.password not in hashes:  # set before the history existed
            hashes.append(user.password)
        return hashes

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        if any(check_password(password, encoded) for encoded in self._recent(user)):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.count},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        """Called by Django after a new password is saved: remember its hash, forget all but the last `count`."""
        from .models import PasswordHistory

        if user is None or not getattr(user, "pk", None) or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: self.count]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()

    def get_help_text(self):
        return _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.count}
