"""The `moment` tag: a time in a <time datetime> element, shown with its time zone."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

register = template.Library()

WITH_TIME = "j M Y, H:i T"


@register.simple_tag
def moment(value: datetime | None, date_format: str = WITH_TIME) -> str:
    """Render `value` as <time datetime="ISO 8601">, in the site's zone, named.

    A `date_format` without the time (a day) still names the zone in the title, so
    that the day is not ambiguous.
    """
    if value is None:
        return ""
    local = timezone.localtime(value)
    title = format_date(local, WITH_TIME)
    # Formatting is most of a list row's cost: the usual format is the title's, made once.
    shown = title if date_format == WITH_TIME else format_date(local, date_format)
    return format_html('<time datetime="{}" title="{}">{}</time>', local.isoformat(), title, shown)
