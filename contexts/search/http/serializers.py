"""Input and output serializers of the search endpoint (the JSON of api-v1.md)."""

from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from rest_framework import serializers

from contexts.kernel.text import NOT_BLANK_PATTERN
from contexts.search import api as search_api


class QueryField(serializers.CharField):
    """A query string; a NUL in it is punctuation like any other, not an error."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]


class SearchQuerySerializer(serializers.Serializer):
    q = QueryField(
        max_length=search_api.QUERY_MAX_LENGTH,
        # Whitespace alone is blank (a 400): the pattern tells clients so (OpenAPI).
        validators=[RegexValidator(NOT_BLANK_PATTERN, "This field may not be blank.")],
        help_text=f"What to search for: 1-{search_api.QUERY_MAX_LENGTH} characters. Every "
        "word must match (in the title or the text, with stemming: `cats` finds `cat`); "
        "quotes, operators and other punctuation only separate words.",
    )


class SearchBlogSerializer(serializers.Serializer):
    path = serializers.CharField(source="blog_path")
    title = serializers.CharField(source="blog_title")


class SearchAuthorSerializer(serializers.Serializer):
    name = serializers.CharField(source="author_name")


class SearchEntrySerializer(serializers.Serializer):
    id = serializers.CharField(source="entry_id", help_text="Opaque identifier.")
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The entry's public web page.")
    published_at = serializers.DateTimeField()
    blog = SearchBlogSerializer(source="*")
    author = SearchAuthorSerializer(source="*")

    def get_url(self, hit: search_api.SearchHit) -> str:
        return self.context["request"].build_absolute_uri(hit.url_path)


class SearchResultSerializer(serializers.Serializer):
    entry = SearchEntrySerializer(source="*")
    snippet = serializers.CharField(
        help_text="HTML: a part of the entry's text, escaped, its matched words in <mark>. "
        "Safe to insert into a page as it is."
    )


class SearchPageSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
