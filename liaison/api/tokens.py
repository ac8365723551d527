"""How the API knows who is calling: the browser session, or a bearer token (`Authorization: Bearer <token>`).

Every operation's auth is `api_auth(area)`: [SessionAuth, BearerToken(area)], tried in that order; both show in
the OpenAPI schema as security schemes.

- **SessionAuth** is the signed-in browser, with Django's CSRF check on writes. It stands aside (so the bearer
  token decides, valid or not) when the request carries `Authorization: Bearer …` or nobody is signed in:
  ninja's own SessionAuth checks CSRF before it looks for a session, which would refuse every token write.
- **BearerToken** accepts a personal token (a user's own, made on /accounts/tokens/: it acts as that user with
  all their rights) or an integration key (made in the admin). Either way `request.user` becomes the token's
  user, so every selector and service sees an ordinary user — no path of its own through the rules.

Integration keys — the decision: a key *is* a dedicated service user (liaison.api.services.create_integration_key:
no usable password, so no sign-in) whose one membership is **staff of the key's region**. Its scope is then
computed by liaison.org.selectors.scope_of like anybody's — that region's subtree, read and write, as the region's
congress staff — and the lifecycle modules decide what it may do there, with no second notion of scope to keep
in step. What the key may *call* is a separate allow-list on the key (`ApiToken.endpoints`, from
services.ENDPOINTS: "<area>:read" / "<area>:write", the area being the router's and write meaning any method but
GET/HEAD/OPTIONS), checked here before the operation runs: 403 for an endpoint not on the list. A personal token
has no allow-list (it is its owner). Unknown, malformed, revoked or expired tokens, and tokens of deactivated
users, answer 401 like a missing one; a user who must first change an initial password gets 403 (as the session
does, liaison.security.middleware).
"""

from django.conf import settings
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from liaison.lib.errors import NotAllowed

from . import services
from .models import ApiToken

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SessionAuth(APIKeyCookie):
    """The browser session; CSRF-checked on writes (ninja's APIKeyCookie), only when someone is signed in."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "浏览器登录会话（Cookie）；写操作须带 CSRF 令牌（X-CSRFToken 请求头）"

    def __call__(self, request):
        if is_bearer(request) or not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        return request.user


class BearerToken(HttpBearer):
    """A personal token or an integration key; `area` names the router (the key's allow-list is per area)."""

    openapi_description = "个人令牌（在“接口令牌”页面创建）或集成密钥（系统管理员创建）：Authorization: Bearer <令牌>"
    openapi_bearerFormat = "lzp_… / lzk_…"

    def __init__(self, area: str | None):
        self.area = area
        super().__init__()

    def authenticate(self, request, token):
        row = services.authenticate_token(token)
        if row is None:
            return None
        if row.kind == ApiToken.Kind.INTEGRATION and endpoint_name(self.area, request.method) not in row.endpoints:
            raise NotAllowed("该集成密钥无权调用此接口")
        if row.user.must_change_password:
            raise NotAllowed("请先修改初始密码")
        request.user = row.user
        request.api_token = row
        return row.user


def is_bearer(request) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def endpoint_name(area: str | None, method: str) -> str:
    return f"{area}:{'read' if method in SAFE_METHODS else 'write'}" if area else ""


def api_auth(area: str | None) -> list:
    """The auth of every operation of one router: the session, then a bearer token."""
    return [SessionAuth(), BearerToken(area)]
