"""Fixtures of the fetcher tests: local page servers, a stub resolver, fetch policies."""

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from concurrent.futures import Future

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from contexts.fetcher import services
from contexts.fetcher.fetching import FetchPolicy
from tests.fetcher.servers import PageServer

USER_AGENT = "BlogsLinkFetcher/1.0 (link previews; +https://blogs.test/)"


@pytest.fixture
def pages() -> Iterator[PageServer]:
    """A local HTTP server; set `pages.routes[path] = Route(...)`."""
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture
def policy() -> FetchPolicy:
    """A fetch policy that may reach 127.0.0.1 (the local servers), with short limits.

    The timeout leaves a busy machine's local server time to answer (1 s did not, once:
    a redirect test saw "timeout"); the tests of timeouts outlast it by far.
    """
    return FetchPolicy(
        user_agent=USER_AGENT,
        timeout=3.0,
        max_bytes=100_000,
        max_redirects=5,
        allow_private_addresses=True,
    )


@pytest.fixture
def strict_policy(policy) -> FetchPolicy:
    """The same policy as production's default: private addresses refused."""
    return FetchPolicy(
        user_agent=policy.user_agent,
        timeout=policy.timeout,
        max_bytes=policy.max_bytes,
        max_redirects=policy.max_redirects,
        allow_private_addresses=False,
    )


@pytest.fixture
def fetcher_settings(settings):
    """The FETCHER_* settings the service tests run with: local servers allowed."""
    settings.FETCHER_ALLOW_PRIVATE_ADDRESSES = True
    settings.FETCHER_TIMEOUT_SECONDS = 1.0
    settings.FETCHER_MAX_BYTES = 100_000
    settings.FETCHER_USER_AGENT = USER_AGENT
    settings.FETCHER_HOST_WAIT_SECONDS = 5.0
    return settings


class InlineExecutor:
    """Runs what is submitted at once, in the caller's thread (and its test transaction)."""

    def __init__(self) -> None:
        self.submitted: list[tuple] = []

    def submit(self, function, *args) -> Future:
        self.submitted.append(args)
        future: Future = Future()
        future.set_result(function(*args))
        return future


@pytest.fixture
def inline_fetches(monkeypatch) -> InlineExecutor:
    """Run the eager mode's background fetches inline, so a django_db test sees them."""
    executor = InlineExecutor()
    monkeypatch.setattr(services, "_background", executor)
    return executor


@pytest.fixture(scope="session")
def tls_site(tmp_path_factory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for "site.test": (the server's TLS context, a client context trusting it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "site.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("site.test"), x509.IPAddress(ipaddress.ip_address("127.0.0.9"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client
