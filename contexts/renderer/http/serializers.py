"""Input and output shapes of the render endpoint (also its OpenAPI description)."""

from rest_framework import serializers

from contexts.kernel.http.fields import StrictCharField
from contexts.renderer.api import MAX_SOURCE_LENGTH


class RenderRequestSerializer(serializers.Serializer):
    # No max_length: a longer source is refused by the renderer with 413, not 400.
    src = StrictCharField(
        allow_blank=True,
        trim_whitespace=False,
        multiline=True,
        too_large_above=MAX_SOURCE_LENGTH,
        help_text=(
            "Markdown (CommonMark, GFM tables, strikethrough, autolinks, task lists, "
            "footnotes) with Hatena-style notations; at most "
            f"{MAX_SOURCE_LENGTH} characters (413 above)."
        ),
    )


class RenderResponseSerializer(serializers.Serializer):
    html = serializers.CharField(help_text="The sanitized HTML of `src`.")
