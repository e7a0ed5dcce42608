"""Serve a `Site` (or any layout with its `respond`) over real HTTP/1.1 on loopback.

The serving clock is read per request: like a real site, every fetch sees relative times as of
its own instant, which is exactly what the crawler must anchor to its fetch time.
"""

import gzip
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from crawler.demo.site import Response

COMPRESSIBLE = ("text/html", "application/json")


class Servable(Protocol):
    """What the server needs of a site (`Site`, the layouts): a response per path and instant."""

    def respond(self, path_and_query: str, now: datetime) -> Response: ...


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (a q=0 entry refuses it)."""
    for item in accept_encoding.split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        if coding.lower() not in ("gzip", "x-gzip"):
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    # Without it, Nagle's algorithm meets the client's delayed ACK and every kept-alive
    # response waits about 40 ms.
    disable_nagle_algorithm = True
    server_version = "Daily8Sample/1.0"
    server: "_HTTPServer"

    def do_GET(self) -> None:
        self._reply(send_body=True)

    def do_HEAD(self) -> None:
        self._reply(send_body=False)

    def _reply(self, *, send_body: bool) -> None:
        if self.server.latency:
            time.sleep(self.server.latency)
        status, headers, body = self.server.site.respond(self.path, datetime.now(timezone.utc))
        # An empty body stays empty, and one encoded already is sent as it is.
        compressible = body and "Content-Encoding" not in headers
        if compressible and headers["Content-Type"].split(";")[0] in COMPRESSIBLE:
            headers["Vary"] = "Accept-Encoding"
            if accepts_gzip(self.headers.get("Accept-Encoding", "")):
                body = gzip.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
        self.send_response(status)  # also sends Date and Server
        if self.close_connection:
            # The client asked to close: say so, or it may send its next request down a
            # connection this server is closing (and see it cut without a response).
            self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: demos and tests own stdout and stderr."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5, short for a client opening a connection per
    # request on a busy machine.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: Servable, latency: float) -> None:
        self.site = site
        self.latency = latency
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A crawler that hangs up (or is killed) mid-request is routine, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SampleServer:
    """A site served from a background thread; use as a context manager or start/close.

    ``latency``: seconds each response waits before it is made, as a distant or busy site
    would (each request has a thread of its own, so waits overlap).
    """

    def __init__(
        self, site: Servable, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0
    ) -> None:
        self._httpd = _HTTPServer((host, port), site, latency)  # binds now: .port is known
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}/"

    def start(self) -> "SampleServer":
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="sample-aggregator", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever if never started
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "SampleServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()
