"""The client's real address behind a reverse proxy, believed only from proxies we trust.

Every limit in Liaison (login lockout by address, the QR page's per-client limits, the status-page lookups)
counts by `request.META["REMOTE_ADDR"]`. Behind nginx that is nginx's own address, shared by everyone, unless
we take the client from `X-Forwarded-For`. That header is written by whoever sends the request, so it is
believed only when the direct peer is one of `LIAISON_TRUSTED_PROXIES` (addresses or CIDR networks,
comma-separated; empty by default = no proxy, the header is ignored).

The header lists hops left to right (client, proxy1, proxy2, …) and each proxy appends the address it received
the request from. Reading it from the right, we skip our own trusted proxies; the first address that is not one
of them is the client as far as a trusted party could see. A client that sends its own `X-Forwarded-For` only
adds entries to the left of that one, so it cannot choose its address. Standard library `ipaddress` does the
matching; the rule is the one nginx's realip module applies with `real_ip_recursive on`.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]):
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(meta: dict, trusted: tuple[str, ...]) -> str:
    """The client address for a request's META, given the trusted proxies."""
    peer = meta.get("REMOTE_ADDR", "")
    networks = _networks(trusted)
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # A garbled entry: nothing to its left can be trusted either; the last good hop is the client.
            return peer
        if not _is_trusted(hop, networks):
            return hop
        peer = hop
    return peer


class TrustedProxyMiddleware:
    """Rewrite REMOTE_ADDR to the client's address when the request came through a trusted proxy.

    Placed first, so that everything after it (throttles, django-axes, logs) sees the same address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = tuple(settings.LIAISON_TRUSTED_PROXIES)
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(request.META, trusted)
        return self.get_response(request)
