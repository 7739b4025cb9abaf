"""OpenAPI details drf-spectacular cannot infer: DELETE bodies."""

from drf_spectacular.openapi import AutoSchema


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
