"""The client's address, the one way every reader gets it (audit log, login lockout, portal limits, logs).

`REMOTE_ADDR` is the peer that connected. Only when that peer is one of `XINFANG_TRUSTED_PROXIES` (addresses or
CIDR networks, e.g. the nginx host) is `X-Forwarded-For` believed: the client is then its right-most address
that is not itself a trusted proxy. Everything left of that was written by the client and may be forged. A
request straight from a client (no trusted proxy) keeps its `REMOTE_ADDR` whatever headers it sends."""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def parse_networks(items) -> tuple[Network, ...]:
    """The trusted proxies as networks; raises ValueError on an entry that is neither an address nor a CIDR."""
    return _networks(tuple(items))


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    ip = _ip(address or "")
    return ip is not None and any(ip in net for net in parse_networks(settings.XINFANG_TRUSTED_PROXIES))


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, from a trusted proxy, the right-most untrusted address of
    X-Forwarded-For (the proxy's own address if the header is missing or unreadable)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for part in reversed(forwarded):
        ip = _ip(part)
        if ip is None:
            return remote  # a hop we cannot read: nothing left of it can be trusted either
        if not is_trusted_proxy(str(ip)):
            return str(ip)
    return remote
