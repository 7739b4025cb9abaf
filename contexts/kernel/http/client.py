"""Who is asking: the client's address, as trusted proxies report it (NUM_PROXIES)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


def client_address(request: HttpRequest) -> str:
    """Return the address of the client that sent `request`.

    With no proxy in front (NUM_PROXIES = 0, the default) that is the peer's address:
    an X-Forwarded-For header is anyone's to write. Behind N proxies that each append
    the address they received from to X-Forwarded-For, the client is the N-th entry
    from the right: what lies further left came from the client and proves nothing.
    """
    remote = request.META.get("REMOTE_ADDR") or UNKNOWN
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        return remote
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
