"""The login log from Django's own authentication signals (sign-in, failed sign-in, sign-out).

A sign-in also starts the session's clocks for the idle and absolute timeouts (middleware.py)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .middleware import start_session_clock
from .models import LoginRecord
from .services import record_login


@receiver(user_logged_in, dispatch_uid="liaison.security.logged_in")
def _logged_in(sender, request, user, **kwargs):
    record_login(LoginRecord.Kind.SUCCESS, request=request, user=user)
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)


@receiver(user_login_failed, dispatch_uid="liaison.security.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    record_login(LoginRecord.Kind.FAILURE, request=request, username=str(credentials.get("username", "")))


@receiver(user_logged_out, dispatch_uid="liaison.security.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is None:  # signing out without a session: nothing to log
        return
    kind = getattr(request, "_liaison_logout_kind", LoginRecord.Kind.LOGOUT)
    record_login(kind, request=request, user=user)
