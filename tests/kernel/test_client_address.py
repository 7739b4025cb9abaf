"""The client address every throttle uses: the peer, or what trusted proxies report."""

import pytest
from django.test import RequestFactory

from contexts.kernel.http.client import client_address


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.NUM_PROXIES = 0

    assert client_address(_request(forwarded="198.51.100.1")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # Entries further left came from the client itself and prove nothing.
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        # Fewer entries than proxies: the leftmost is the best there is.
        (3, "203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "2001:db8::1", "2001:db8::1"),
        # No header, or nonsense where an address should be: the peer.
        (1, None, "10.0.0.1"),
        (1, " , ", "10.0.0.1"),
        (1, "198.51.100.1, not-an-address", "10.0.0.1"),
    ],
)
def test_behind_proxies_the_client_is_the_entry_the_outermost_proxy_appended(
    settings, proxies, forwarded, client
):
    settings.NUM_PROXIES = proxies

    assert client_address(_request(forwarded=forwarded)) == client


def test_a_request_without_a_peer_address_is_unknown(settings):
    settings.NUM_PROXIES = 0

    assert client_address(_request(remote="")) == "unknown"
