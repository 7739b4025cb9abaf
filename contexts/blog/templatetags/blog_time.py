"""The `moment` tag: a time in a <time datetime> element, shown with its time zone."""

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from html import escape

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString

register = template.Library()

WITH_TIME = "j M Y, H:i T"
DAY = "j M Y"


def _zone_name(local: datetime) -> str:
    # As Django's "T": no name for a time that is ambiguous or does not exist in its zone.
    zone = local.tzinfo
    if zone is None or zone.utcoffset(local.replace(fold=not local.fold)) != zone.utcoffset(local):
        return ""
    return str(zone.tzname(local))


def _formatted(local: datetime, months: dict[int, str] | None = None) -> tuple[str, str]:
    """Return `local` as WITH_TIME and as DAY, as Django's dateformat writes them.

    Formatting each through dateformat was most of a list row's cost (issue 15): these are
    the two formats the site shows, written directly (the month's name translated as "M"
    translates it: `months`, the active language's when not given);
    tests/blog/test_moment.py holds them equal to dateformat's.
    """
    if months is None:
        months = _months(translation.get_language())
    day = f"{local.day} {months[local.month]} {local.year:04d}"
    return f"{day}, {local.hour:02d}:{local.minute:02d} {_zone_name(local)}", day


@lru_cache(maxsize=64)
def _months(language: str | None) -> dict[int, str]:
    """The months' names as "M" writes them in `language` (the active one): translating
    20 lazy names a page cost more than the rest of the format."""
    with translation.override(language):
        return {month: str(name).title() for month, name in MONTHS_3.items()}


Moment = Callable[..., SafeString | str]


def page_moments() -> Moment:
    """Return `moment` for one page: the time zone and language active when it is first
    called, looked up once.

    A page's Jinja2 context holds one (context_processors.moments): looking both up was
    half of each date's cost, and a list page shows twenty (issue 15). A function rather
    than a callable object: Jinja2 calls those through two more attribute lookups.
    """
    found: list = []  # the zone and the months' names, once looked up

    def moment(value: datetime | None, date_format: str = WITH_TIME) -> SafeString | str:
        """Render `value` as <time datetime="ISO 8601">, in the site's zone, named.

        A `date_format` without the time (a day) still names the zone in the title, so
        that the day is not ambiguous.
        """
        if value is None:
            return ""
        if not found:
            found.extend((timezone.get_current_timezone(), _months(translation.get_language())))
        zone, months = found
        local = timezone.localtime(value, zone)
        title, day = _formatted(local, months)
        if date_format == WITH_TIME:
            shown = title
        elif date_format == DAY:
            shown = day
        else:
            shown = format_date(local, date_format)
        # html.escape is what Django's escape does, without its wrapper for lazy strings;
        # title and text escaped, and an ISO date has no markup.
        return SafeString(
            f'<time datetime="{local.isoformat()}" title="{escape(title)}">{escape(shown)}</time>'
        )

    return moment


@register.simple_tag
def moment(value: datetime | None, date_format: str = WITH_TIME) -> SafeString | str:
    """Render `value` as <time datetime="ISO 8601">, in the site's zone, named."""
    return page_moments()(value, date_format)
