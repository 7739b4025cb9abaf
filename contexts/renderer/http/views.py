"""The render endpoint: Markdown in, sanitized HTML out, for the editor's live preview."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contexts.kernel.http.schema import RETRY_AFTER, error_response, invalid_response
from contexts.renderer import api as renderer_api
from contexts.renderer.http.serializers import RenderRequestSerializer, RenderResponseSerializer
from contexts.renderer.http.throttling import RenderThrottle

# No JSON text of an acceptable source is longer: a character takes at most 12 bytes
# ("\ud83d\ude00"). Larger bodies are refused before they are parsed.
MAX_BODY_BYTES = renderer_api.MAX_SOURCE_LENGTH * 12 + 1024


def _content_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RenderView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [RenderThrottle]

    @extend_schema(
        operation_id="render",
        summary="Render Markdown with notations to sanitized HTML",
        request=RenderRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: RenderResponseSerializer,
            400: invalid_response(
                'src missing, not a string, or with control characters: `{"src": [...]}`; '
                'a body that is not a JSON object: `{"non_field_errors": [...]}`; not JSON '
                'at all: `{"detail", "code": "parse_error"}`.'
            ),
            413: error_response("src longer than 100,000 characters, or a larger body"),
            429: error_response("Throttled; see the Retry-After header"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        if _content_length(request) > MAX_BODY_BYTES:
            raise renderer_api.SourceTooLarge()
        serializer = RenderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rendered = renderer_api.render(serializer.validated_data["src"])
        return Response(RenderResponseSerializer(rendered).data)
