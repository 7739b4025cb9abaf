"""The site's CSP middleware writes the headers django-csp's own middleware writes.

blog_project.middleware.CSPMiddleware builds the settings' policies once; these tests
hand the same requests and responses to it and to django-csp's middleware.
"""

import pytest
from csp.constants import NONE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from blog_project.middleware import CSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _view(request):
    return HttpResponse("page")


def _nonce_view(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


VIEWS = {
    "plain": _view,
    "updated": csp_update({"img-src": ["data:"]})(_view),
    "replaced": csp_replace({"script-src": ["https://cdn.example.org"]})(_view),
    "exempt": csp_exempt()(_view),
    "nonce": _nonce_view,
    "not found": lambda request: HttpResponse(status=404),
}


def _answer(middleware_class, view, path: str) -> tuple[dict, bool]:
    """The CSP headers written (a nonce written as N) and whether asking for a nonce
    after the response was made is refused."""
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    written = {name: response.get(name) for name in HEADERS}
    nonce = getattr(request, "_csp_nonce", None)
    if nonce is not None:  # random: compare where it went, not its value
        written = {name: value and value.replace(nonce, "N") for name, value in written.items()}
    try:
        str(request.csp_nonce)  # type: ignore[attr-defined]
    except CSPNonceError:
        return written, True
    return written, False


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("path", ["/", "/admin/x"])
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("report_only", [False, True])
def test_the_headers_are_django_csps(settings, view, path, debug, report_only):
    settings.DEBUG = debug
    if report_only:
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
            "EXCLUDE_URL_PREFIXES": ["/admin"],
            "DIRECTIVES": {"default-src": [NONE], "img-src": [SELF]},
        }

    ours = _answer(CSPMiddleware, VIEWS[view], path)

    assert ours == _answer(LibraryCSPMiddleware, VIEWS[view], path)
    if view == "plain":
        assert ours[0]["Content-Security-Policy"]


def test_a_changed_policy_is_written_at_once(settings):
    before = _answer(CSPMiddleware, _view, "/")[0]["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF, "https:"]}}

    after = _answer(CSPMiddleware, _view, "/")[0]["Content-Security-Policy"]

    assert after != before
    assert after == _answer(LibraryCSPMiddleware, _view, "/")[0]["Content-Security-Policy"]
