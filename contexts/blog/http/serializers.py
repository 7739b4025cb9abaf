"""Input and output serializers of the blog REST endpoints (the JSON of api-v1.md)."""

from datetime import datetime, tzinfo

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.request import Request
from rest_framework.settings import api_settings

from contexts.blog import domain
from contexts.blog.models import Blog, Entry
from contexts.kernel.http.fields import StrictCharField
from contexts.kernel.text import text_problem
from contexts.kernel.urls import path_of

# domain.PATH_PATTERN as clients read it (JSON Schema: anchored).
PATH_PATTERN = f"^{domain.PATH_PATTERN.pattern}$"


# --- URLs ---------------------------------------------------------------------------


def blog_page_url(request: Request, blog: Blog) -> str:
    """Return the absolute URL of a blog's public web page."""
    return request.build_absolute_uri(f"{get_script_prefix()}blogs/{blog.path}")


def entry_page_url(request: Request, entry: Entry) -> str:
    """Return the absolute URL of an entry's public web page."""
    return request.build_absolute_uri(
        f"{get_script_prefix()}blogs/{entry.blog.path}/entries/{entry.public_id}"
    )


def blog_api_url(request: Request, blog: Blog) -> str:
    """Return the absolute API URL of a blog (the Location of a new one)."""
    return request.build_absolute_uri(reverse("blog_api:blog-detail", kwargs={"path": blog.path}))


def entry_api_url(request: Request, entry: Entry) -> str:
    """Return the absolute API URL of an entry (the Location of a new one)."""
    # What reverse() writes, reversed once (kernel.urls.path_of): reverse() went through
    # the resolver's patterns on every new entry (4% of a POST's Python).
    return request.build_absolute_uri(
        path_of("blog_api:entry-detail", entry.blog.path, entry.public_id)
    )


# --- input --------------------------------------------------------------------------


class BlogCreateInputSerializer(serializers.Serializer):
    # Not trimmed: " my-blog" is not a path, and a silently altered one would surprise.
    path = StrictCharField(
        trim_whitespace=False,
        max_length=domain.PATH_MAX_LENGTH,
        pattern=PATH_PATTERN,
        help_text=domain.PATH_MESSAGE,
    )
    title = StrictCharField(max_length=domain.TITLE_MAX_LENGTH)
    description = StrictCharField(
        max_length=domain.DESCRIPTION_MAX_LENGTH,
        allow_blank=True,
        multiline=True,
        required=False,
        default="",
    )

    def validate_path(self, value: str) -> str:
        if not domain.is_valid_path(value):
            raise serializers.ValidationError(domain.PATH_MESSAGE)
        return value


@extend_schema_field(
    {"not": {}, "description": "A blog's path never changes: leave it out (400 if sent)."}
)
class _UnchangeableField(serializers.Field):
    """A field that may not be sent at all (documented as `not: {}`: no value fits)."""

    def __init__(self, message: str, **kwargs):
        super().__init__(required=False, **kwargs)
        self.message = message

    def to_internal_value(self, data: object):
        raise serializers.ValidationError(self.message)


class BlogUpdateInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=domain.TITLE_MAX_LENGTH, required=False)
    description = StrictCharField(
        max_length=domain.DESCRIPTION_MAX_LENGTH, allow_blank=True, multiline=True, required=False
    )
    path = _UnchangeableField("The path of a blog never changes.")


class EntryInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=domain.ENTRY_TITLE_MAX_LENGTH)
    # Whitespace is meaningful in Markdown; the length limit is a 413 (checked earlier).
    body = StrictCharField(
        allow_blank=True,
        trim_whitespace=False,
        multiline=True,
        too_large_above=domain.BODY_MAX_LENGTH,
        help_text=f"Markdown, at most {domain.BODY_MAX_LENGTH} characters (413 above).",
    )

    status = serializers.ChoiceField(
        choices=domain.ENTRY_STATUSES,
        default=domain.PUBLISHED,
        help_text='"published" (the default) or "draft", which only the owner sees. An '
        "entry is published only with a body that is not blank.",
    )


def plain_entry_input(data: object) -> dict[str, str] | None:
    """Return what EntryInputSerializer validates `data` to when the body is plain (a
    JSON object of acceptable strings, each field as the serializer takes it as it is, a
    title trimmed); None for anything else, which the serializer answers, its errors
    being the contract's. Binding the serializer (its fields deep-copied, then run) cost
    a tenth of a new entry's Python; tests/blog/test_api_entry_input.py holds the two
    readings equal."""
    if type(data) is not dict:
        return None
    title, body = data.get("title"), data.get("body")
    status = data.get("status", domain.PUBLISHED)
    if type(title) is not str or type(body) is not str or type(status) is not str:
        return None
    if status not in domain.ENTRY_STATUSES or len(title) > domain.ENTRY_TITLE_MAX_LENGTH:
        return None
    trimmed = title.strip()
    if not trimmed or text_problem(title) or text_problem(body, multiline=True):
        return None
    return {"title": trimmed, "body": body, "status": status}


class EntryUpdateInputSerializer(EntryInputSerializer):
    title = StrictCharField(max_length=domain.ENTRY_TITLE_MAX_LENGTH, required=False)
    body = StrictCharField(
        allow_blank=True,
        trim_whitespace=False,
        multiline=True,
        required=False,
        too_large_above=domain.BODY_MAX_LENGTH,
        help_text=f"Markdown, at most {domain.BODY_MAX_LENGTH} characters (413 above).",
    )
    status = serializers.ChoiceField(
        choices=domain.ENTRY_STATUSES,
        required=False,
        help_text='"published" publishes a draft (now); "draft" unpublishes the entry.',
    )


class EntryListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=domain.ENTRY_LIST_STATUSES, default=domain.PUBLISHED, required=False
    )


# --- output -------------------------------------------------------------------------


class OwnerOutputSerializer(serializers.Serializer):
    name = serializers.CharField()


class BlogOutputSerializer(serializers.Serializer):
    path = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    owner = OwnerOutputSerializer()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The blog's public web page.")

    def get_url(self, blog: Blog) -> str:
        return blog_page_url(self.context["request"], blog)


class EntryBlogOutputSerializer(serializers.Serializer):
    path = serializers.CharField()
    title = serializers.CharField()


class EntryOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text="Opaque identifier.")
    title = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.CharField(
        help_text="The renderer's sanitized HTML of `body`. While rendering is pending "
        '(the renderer failed or was slow) it is `<pre class="entry-unrendered">` holding '
        "the HTML-escaped body, and is replaced once the background render succeeds."
    )
    status = serializers.ChoiceField(
        choices=domain.ENTRY_STATUSES, help_text="A draft is seen by its owner only."
    )
    published_at = serializers.DateTimeField(allow_null=True, help_text="null for a draft.")
    edited_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(
        help_text="The entry's public web page (a draft's answers 404 to all but its owner)."
    )
    blog = EntryBlogOutputSerializer()

    def get_url(self, entry: Entry) -> str:
        return entry_page_url(self.context["request"], entry)


# What EntryOutputSerializer does field by field (DRF's fields, bound each time), done
# once per entry: a page of 20 cost 12 ms of Python through the serializer (issue 15).
# The serializer stays the contract's description (OpenAPI) and the test's reference:
# tests/blog/test_api_output.py holds the two outputs equal.
_TIME = serializers.DateTimeField()


def _time(value: datetime | None, zone: tzinfo | None) -> str | None:
    """The value as DateTimeField writes it (ISO 8601 in the current time zone, UTC as
    "Z"), with the zone looked up once per list: DRF looks it up for every value (20
    context-local reads a page, a tenth of the list's Python)."""
    if value is None:
        return None
    if zone is None or value.tzinfo is None or api_settings.DATETIME_FORMAT != ISO_8601:
        return _TIME.to_representation(value)  # what DRF does with the rest
    try:
        text = value.astimezone(zone).isoformat()
    except OverflowError:  # at the ends of the calendar: DRF's own error
        return _TIME.to_representation(value)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def entries_output(request: Request, entries) -> list[dict]:
    """Return the JSON of `entries` (blog joined) as EntryOutputSerializer(many=True) does."""
    # Blog paths are URL-safe ([a-z0-9-]) and ids digits: one absolute prefix for all rows.
    pages = request.build_absolute_uri(f"{get_script_prefix()}blogs/")
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    output = []
    for entry in entries:
        entry_id, blog = str(entry.pk), entry.blog  # each read once: both are descriptors
        output.append(
            {
                "id": entry_id,
                "title": entry.title,
                "body": entry.body,
                "body_html": entry.body_html,
                "status": entry.status,
                "published_at": _time(entry.published_at, zone),
                "edited_at": _time(entry.edited_at, zone),
                "url": f"{pages}{blog.path}/entries/{entry_id}",
                "blog": {"path": blog.path, "title": blog.title},
            }
        )
    return output


class _PageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class BlogPageSerializer(_PageSerializer):
    results = BlogOutputSerializer(many=True)


class EntryPageSerializer(_PageSerializer):
    results = EntryOutputSerializer(many=True)
