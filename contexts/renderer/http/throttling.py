"""The render endpoint's throttle: requests per client address, at the "render" rate."""

from typing import cast

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from contexts.kernel.http.client import client_address


class RenderThrottle(SimpleRateThrottle):
    """Allow REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["render"] requests per client address.

    The rate is read on every request (DRF's base class reads it once, at import), so a
    settings change applies at once; no rate configured means no limit.
    """

    scope = "render"

    def get_rate(self) -> str | None:
        # A rate is text such as "60/min" (the stubs allow numbers too).
        return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def get_ident(self, request: Request) -> str:
        # The same client address as the sign-in throttles (the NUM_PROXIES setting).
        return client_address(request)

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
