"""The fetcher's rules on URLs and addresses."""

import pytest

from contexts.fetcher.domain import MAX_URL_LENGTH, address_refusal, is_fetchable_url


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "192.168.1.1",
        "169.254.169.254", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255",  # noqa: S104
        "240.0.0.1", "100.64.0.1", "192.0.2.1", "198.18.0.1",
        "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "2002:7f00:1::", "2002:a00:1::", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
        "2001:db8::1",
    ],
)  # fmt: skip
def test_addresses_that_are_not_the_public_internet_are_refused(address):
    assert address_refusal(address) is not None


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8",
     "64:ff9b::808:808"],
)  # fmt: skip
def test_public_addresses_pass(address):
    assert address_refusal(address) is None


def test_the_refusal_says_what_the_address_is():
    assert address_refusal("::ffff:127.0.0.1") == (
        "::ffff:7f00:1 carries 127.0.0.1: 127.0.0.1 is a loopback address"
    )
    assert address_refusal("169.254.169.254") == "169.254.169.254 is a link-local address"


@pytest.mark.parametrize(
    ("url", "fetchable"),
    [
        ("https://example.com/", True),
        ("http://example.com:8080/a?b#c", True),
        ("ftp://example.com/", False),
        ("https:///path", False),
        ("https://example.com/a b", False),
        ("https://example.com/\u00e9", False),
        ("https://example.com:99999/", False),
        ("https://example.com/" + "a" * MAX_URL_LENGTH, False),
        ("", False),
        (None, False),
    ],
)
def test_only_short_http_urls_with_a_host_are_fetched(url, fetchable):
    assert is_fetchable_url(url) is fetchable
