"""Local HTTP(S) servers for the fetcher tests: pages on demand, and a record of every request."""

import http.server
import ssl
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b"<html><head><title>A page</title></head><body>Hi</body></html>"
    status: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    # Seconds to wait before answering, or an event to wait for.
    delay: float = 0.0
    hold: threading.Event | None = None
    # Send the body this many bytes at a time, `drip` seconds apart.
    chunk: int = 0
    drip: float = 0.0
    # Without a Content-Length the body runs until the connection closes.
    send_length: bool = True
    # Send the status line and headers one byte at a time, this many seconds apart.
    header_drip: float = 0.0


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up early (as the fetcher does) is no error here


class PageServer:
    """A threaded HTTP server on 127.0.0.1 and a free port, answering from `routes`."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def start(self) -> "PageServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        for route in self.routes.values():
            if route.hold is not None:
                route.hold.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                pass  # quiet test output

            def do_GET(self) -> None:  # noqa: N802
                with server._lock:
                    server.requests.append(Seen(self.path, dict(self.headers.items())))
                    server.active += 1
                    server.most_active = max(server.most_active, server.active)
                try:
                    self._answer(server.routes.get(self.path.split("?")[0], Route(status=404)))
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the client gave up first, as it should
                finally:
                    with server._lock:
                        server.active -= 1

            def _answer(self, route: Route) -> None:
                if route.hold is not None:
                    route.hold.wait(timeout=30)
                if route.delay:
                    time.sleep(route.delay)
                if route.header_drip:
                    head = (
                        f"HTTP/1.1 {route.status} OK\r\nContent-Type: text/html\r\n"
                        f"Content-Length: {len(route.body)}\r\n\r\n"
                    ).encode("ascii")
                    for byte in head:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.header_drip)
                    self.wfile.write(route.body)
                    return
                self.send_response(route.status)
                headers = dict(route.headers)
                if route.send_length:
                    headers["Content-Length"] = str(len(route.body))
                else:
                    headers["Connection"] = "close"
                    self.close_connection = True
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not route.chunk:
                    self.wfile.write(route.body)
                    return
                for start in range(0, len(route.body), route.chunk):
                    self.wfile.write(route.body[start : start + route.chunk])
                    self.wfile.flush()
                    time.sleep(route.drip)

        return Handler


class StubResolver:
    """A DNS resolver answering from a table, and counting its questions."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.questions: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.questions.append(host)
        return list(self.answers.get(host, []))
