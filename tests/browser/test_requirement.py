"""Without a browser the browser tests skip, unless REQUIRE_BROWSER=1 demands them (CI)."""

import pytest

from tests.browser.conftest import _unavailable


def test_a_missing_browser_skips_by_default(monkeypatch):
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)

    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        _unavailable("no Chromium here")


def test_a_missing_browser_fails_when_required(monkeypatch):
    monkeypatch.setenv("REQUIRE_BROWSER", "1")

    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but no Chromium"):
        _unavailable("no Chromium here")
