"""The `moment` tag writes its two formats as Django's dateformat does."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date

from contexts.blog.templatetags.blog_time import DAY, WITH_TIME, _formatted, moment, page_moments

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def _times() -> list[datetime]:
    # Every month, odd hours and minutes, years below 1000, and the hours around the
    # daylight-saving changes (ambiguous and missing local times).
    times = [
        datetime(2026, month, month * 2, month, month * 4, tzinfo=UTC) for month in range(1, 13)
    ]
    times += [datetime(987, 7, 4, 3, 5, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, tzinfo=UTC)]
    for start in (datetime(2026, 3, 8, 5, tzinfo=UTC), datetime(2026, 10, 25, 0, tzinfo=UTC)):
        times += [start + timedelta(minutes=30 * step) for step in range(8)]
    return times


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("language", ["en-us", "fr", "de"])
def test_formats_are_dateformats(zone, language):
    with timezone.override(ZoneInfo(zone)), translation.override(language):
        for value in _times():
            local = timezone.localtime(value)
            # A wall time read again in its zone: for the ambiguous hour, either fold.
            for candidate in (local, local.replace(fold=1)):
                expected = (format_date(candidate, WITH_TIME), format_date(candidate, DAY))
                assert _formatted(candidate) == expected, candidate


def test_the_tag_shows_the_format_asked_for():
    value = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    with timezone.override(ZoneInfo("UTC")):
        assert moment(value) == (
            '<time datetime="2026-02-03T04:05:00+00:00" title="3 Feb 2026, 04:05 UTC">'
            "3 Feb 2026, 04:05 UTC</time>"
        )
        assert moment(value, DAY).endswith(">3 Feb 2026</time>")
        assert moment(value, "Y-m-d").endswith(">2026-02-03</time>")
        assert moment(None) == ""


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Australia/Lord_Howe"])
@pytest.mark.parametrize("language", ["en-us", "fr"])
def test_one_pages_moments_write_what_the_tag_writes(zone, language):
    with timezone.override(ZoneInfo(zone)), translation.override(language):
        page = page_moments()  # what a page's context holds: looks up zone and language once
        for value in _times():
            for date_format in (WITH_TIME, DAY, "Y-m-d H:i"):
                assert page(value, date_format) == moment(value, date_format)
        assert page(None) == ""
