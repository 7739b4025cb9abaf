"""The render endpoint's throttle: requests per client address, at the "render" rate."""

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class RenderThrottle(SimpleRateThrottle):
    """Allow REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["render"] requests per client address.

    The rate is read on every request (DRF's base class reads it once, at import), so a
    settings change applies at once; no rate configured means no limit.
    """

    scope = "render"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Request) -> str:
        # X-Forwarded-For is anyone's to forge: trust it only when NUM_PROXIES says how
        # many proxies in front of us append to it.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR") or "unknown"
        return super().get_ident(request)

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
