"""OpenAPI details drf-spectacular cannot infer: the bearer JWT scheme and DELETE bodies."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Document accounts' TokenAuthentication (and subclasses) as `Authorization: Bearer <JWT>`."""

    target_class = "contexts.accounts.api.TokenAuthentication"
    match_subclasses = True
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 (a scheme name)
            bearer_format="JWT",
        )


class BodyOnDeleteSchema(AutoSchema):
    """AutoSchema that also documents a DELETE's request body (DELETE /me takes a password)."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        # drf-spectacular documents bodies of PUT, PATCH and POST only.
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
