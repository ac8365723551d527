"""The resident's access: client hashes, query passwords, the throttled status-page lookup."""

from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import salted_hmac

from liaison.lib.codes import check_query_password, normalise_code
from liaison.lib.errors import DomainError

from ..models import LookupFailure, Opinion
from .common import Throttled

# Wrong query passwords on the status page: per client address and per tracking code.
LOOKUP_LIMIT_PER_CLIENT = (5, timedelta(minutes=15))
LOOKUP_LIMIT_PER_CODE = (10, timedelta(minutes=15))


def client_hash(ip: str) -> str:
    """A keyed hash of the client address: enough to count, not enough to identify."""
    return salted_hmac("liaison.opinions.client", ip or "-", algorithm="sha256").hexdigest()[:32]


def password_for_key(key: str) -> str:
    """The QR page's query password, derived from the form's idempotency key.

    A resubmission with the same key must show the same acknowledgement, but only the hash is stored;
    deriving the password from the (secret, unguessable) key lets us show it again without keeping it.
    """
    digest = salted_hmac("liaison.opinions.query-password", key, algorithm="sha256").hexdigest()
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def lookup_opinion(*, code: str, password: str, client: str) -> Opinion:
    """The resident's status page: the opinion for a tracking code and query password, throttled on failures.

    The same message for an unknown code and a wrong password, so nothing is revealed. Two limits:
    - per client address: LOOKUP_LIMIT_PER_CLIENT failures in the window, then that address waits;
    - per tracking code, without locking the resident out: once a code has had LOOKUP_LIMIT_PER_CODE failures
      in the window (someone is guessing), every address that has already failed on that code waits out the
      window, but an address that has not (the resident, on their own phone) is still let in with the right
      password. A guesser spread over many addresses gets one try per address and window instead of five.
    """
    code = normalise_code(code)[:16]
    now = timezone.now()
    limit, window = LOOKUP_LIMIT_PER_CLIENT
    if LookupFailure.objects.filter(client_hash=client, at__gte=now - window).count() >= limit:
        raise Throttled("查询失败次数过多，请 15 分钟后再试")
    limit, window = LOOKUP_LIMIT_PER_CODE
    recent = LookupFailure.objects.filter(code=code, at__gte=now - window) if code else LookupFailure.objects.none()
    if recent.count() >= limit and recent.filter(client_hash=client).exists():
        raise Throttled("这个查询码近期输错次数过多，请 15 分钟后再试；忘记查询密码请联系联络站")
    opinion = Opinion.objects.filter(code=code).select_related("station").first() if code else None
    if (
        opinion is None
        or not password
        or not check_query_password((password or "").strip(), opinion.query_password_hash)
    ):
        LookupFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
        LookupFailure.objects.create(client_hash=client, code=code, at=now)
        raise DomainError("查询码或查询密码不正确")
    return opinion


def verify_password(opinion: Opinion, password: str) -> bool:
    return check_query_password(password, opinion.query_password_hash)
