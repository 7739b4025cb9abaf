"""Bearer-token authentication for DRF, with the token check supplied by a subclass."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from rest_framework.request import Request

BEARER = "Bearer"


class BearerAuthentication(authentication.BaseAuthentication):
    """Read `Authorization: Bearer <token>` and resolve it with the context's `verify`.

    A missing header means "anonymous" (the view's permissions decide); a malformed,
    expired or forged token is a 401 with `WWW-Authenticate: Bearer`. Each context passes
    its own check from its views' get_authenticators(): `[BearerAuthentication(check)]`.
    """

    def __init__(self, verify: Callable[[str], Any] | None = None) -> None:
        self._verify = verify

    def verify(self, token: str) -> Any:
        """Return the principal for `token` or raise `exceptions.AuthenticationFailed`."""
        if self._verify is None:
            raise exceptions.AuthenticationFailed("No token check is configured here.")
        return self._verify(token)

    def authenticate(self, request: Request) -> tuple[Any, str] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != BEARER.lower() or not token or " " in token:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: expected 'Bearer <token>'."
            )
        return (self.verify(token), token)

    def authenticate_header(self, request: Request) -> str:
        return BEARER


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    """Document every BearerAuthentication as `Authorization: Bearer <JWT>`."""

    target_class = BearerAuthentication
    match_subclasses = True
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=BEARER,
            bearer_format="JWT",
        )
