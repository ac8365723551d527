"""Session timeouts and the forced change of an initial password (等保 2.0: 身份鉴别, 登录连接超时自动退出).

- SessionTimeoutMiddleware signs a user out after `SESSION_IDLE_SECONDS` without a request
  (LIAISON_SESSION_IDLE_MINUTES, default 30) and, whatever the activity, `SESSION_COOKIE_AGE` (8 hours) after
  signing in. The last-seen time is written at most once a minute, so a busy user does not write their session
  on every request (SQLite takes its write lock for each). The request then goes on signed out: pages
  redirect to the login page, the API answers 401.
- PasswordChangeRequiredMiddleware sends a user whose password an administrator set (User.must_change_password)
  to the password-change page until they have changed it; signing out, the language switch and static files
  stay open, the API answers 403.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN = "liaison_last_seen"
SIGNED_IN = "liaison_signed_in"
TOUCH_EVERY = 60  # seconds


def start_session_clock(request) -> None:
    now = int(time.time())
    request.session[LAST_SEEN] = now
    request.session[SIGNED_IN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request, session):
        now = int(time.time())
        last_seen = session.get(LAST_SEEN)
        signed_in = session.get(SIGNED_IN)
        if last_seen is None or signed_in is None:  # a session from before these clocks: start them now
            start_session_clock(request)
            return
        idle = getattr(settings, "SESSION_IDLE_SECONDS", 1800)
        if (idle and now - last_seen > idle) or now - signed_in > settings.SESSION_COOKIE_AGE:
            from .models import LoginRecord

            request._liaison_logout_kind = LoginRecord.Kind.TIMEOUT
            logout(request)
            messages.info(request, "长时间未操作，已自动退出，请重新登录")
        elif now - last_seen >= TOUCH_EVERY:
            session[LAST_SEEN] = now


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open is None:
            self._open = (reverse("password-change"), reverse("logout"), reverse("set_language"), reverse("healthz"))
        return self._open

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            path = request.path_info
            if not (path in self.open_paths() or path.startswith(settings.STATIC_URL)):
                if path.startswith("/api/"):
                    return JsonResponse({"detail": "请先修改初始密码"}, status=403)
                messages.warning(request, "您的密码由管理员设置，请先修改密码后再使用系统")
                return redirect("password-change")
        return self.get_response(request)
