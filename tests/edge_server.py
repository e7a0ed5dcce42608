"""A loopback HTTP/1.1 server that misbehaves on purpose, to test byte-faithful archiving.

It writes every response byte itself (status line, headers, chunk framing, a cut
connection), so a test controls exactly what went over the wire. For each path it records
the entity bodies it sent, one per request, with the chunk framing removed: exactly what
the archive must store.
"""

from __future__ import annotations

import gzip
import socketserver
import struct
import threading
import zlib
from dataclasses import dataclass

import brotli

HTML = b"text/html; charset=utf-8"


@dataclass(frozen=True)
class Route:
    """One canned response: ``chunks`` > 0 sends the body chunked in that many pieces;
    ``cut_after`` announces the whole body but closes the connection after that many bytes."""

    status: int
    reason: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    chunks: int = 0
    cut_after: int | None = None

    @property
    def content_type(self) -> bytes:
        return dict(self.headers)[b"Content-Type"]

    @property
    def encoding(self) -> bytes | None:
        return dict(self.headers).get(b"Content-Encoding")

    def wire(self) -> tuple[bytes, bytes]:
        """The bytes to send and the entity body they carry."""
        head = [f"HTTP/1.1 {self.status} {self.reason}".encode("ascii")]
        head += [name + b": " + value for name, value in self.headers]
        body = self.body
        if self.chunks:
            head.append(b"Transfer-Encoding: chunked")
            size = -(-len(body) // self.chunks)
            pieces = [body[i : i + size] for i in range(0, len(body), size)]
            payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        else:
            head.append(b"Content-Length: %d" % len(body))
            if self.cut_after is not None:
                body = body[: self.cut_after]
            payload = body
        head.append(b"Connection: close")
        return b"\r\n".join(head) + b"\r\n\r\n" + payload, body


def html_page(title: str, extra: str = "") -> bytes:
    """A small page whose text names its route, so no two routes share a payload."""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>Edge case page: {title}.</p>{extra}</body></html>\n"
    ).encode()


def png_image(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG made from scratch: signature, IHDR, one zlib IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 60, y * 80, 200)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def page(
    status: int, reason: str, body: bytes, *extra: tuple[bytes, bytes], **framing: int
) -> Route:
    """An HTML route; ``framing`` is ``chunks`` or ``cut_after``."""
    return Route(status, reason, ((b"Content-Type", HTML), *extra), body, **framing)


def build_routes() -> dict[str, Route]:
    """Every edge case by path; the index links them so a crawl reaches each one."""
    same = html_page("same payload at two URLs")
    big = b"".join(b"<p>line %07d of a big page</p>\n" % n for n in range(180_000))
    cut = b"".join(b"<p>cut %06d</p>\n" % n for n in range(200_000 // 18 + 1))[:200_000]
    routes = {
        "/robots.txt": Route(
            200, "OK", ((b"Content-Type", b"text/plain"),), b"User-agent: *\nAllow: /\n"
        ),
        "/gzip": page(200, "OK", gzip.compress(html_page("gzip"), mtime=0),
                      (b"Content-Encoding", b"gzip")),
        "/deflate": page(200, "OK", zlib.compress(html_page("deflate")),
                         (b"Content-Encoding", b"deflate")),
        "/br": page(200, "OK", brotli.compress(html_page("brotli")), (b"Content-Encoding", b"br")),
        "/chunked": page(200, "OK", html_page("chunked", "<p>more</p>" * 200), chunks=5),
        "/chunked-gzip": page(200, "OK", gzip.compress(html_page("chunked gzip"), mtime=0),
                              (b"Content-Encoding", b"gzip"), chunks=3),
        "/redirect-301": page(301, "Moved Permanently", html_page("moved"),
                              (b"Location", b"/redirect-302")),
        "/redirect-302": page(302, "Found", html_page("found"), (b"Location", b"/final")),
        "/final": page(200, "OK", html_page("final")),
        "/missing": page(404, "Not Found", html_page("not found")),
        "/error": page(500, "Internal Server Error", html_page("server error")),
        "/image.png": Route(200, "OK", ((b"Content-Type", b"image/png"),), png_image()),
        "/latin1-header": page(200, "OK", html_page("latin-1 header"), (b"X-Note", b"caf\xe9")),
        "/cookies": page(200, "OK", html_page("cookies"), (b"Set-Cookie", b"a=1; Path=/"),
                         (b"Set-Cookie", b"b=2; HttpOnly"), (b"Set-Cookie", b"c=3; Max-Age=60")),
        "/big": page(200, "OK", big),
        "/cut": page(200, "OK", cut, cut_after=20_000),
        "/same-a": page(200, "OK", same),
        "/same-b": page(200, "OK", same),
    }  # fmt: skip
    # The redirect targets are reached only through the 301 -> 302 chain.
    unlinked = ("/robots.txt", "/redirect-302", "/final")
    links = "".join(
        f'<li><a href="{path}">{path}</a></li>' for path in routes if path not in unlinked
    )
    routes["/"] = page(200, "OK", html_page("edge cases", f"<ul>{links}</ul>"))
    return routes


ROUTES = build_routes()


class _Handler(socketserver.StreamRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        request_line = self.rfile.readline(65537)
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass  # headers: nothing here depends on them
        parts = request_line.split()
        if len(parts) != 3:
            return
        path = parts[1].decode("latin-1")
        route = self.server.routes.get(path) or page(404, "Not Found", html_page("no route"))
        data, body = route.wire()
        self.wfile.write(data)
        self.wfile.flush()
        with self.server.lock:
            self.server.sent.setdefault(path, []).append(body)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.sent: dict[str, list[bytes]] = {}
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class EdgeServer:
    """The edge-case site (or other ``routes``) on a free loopback port, in a background thread."""

    def __init__(self, routes: dict[str, Route] = ROUTES) -> None:
        self._server = _TCPServer(routes)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def sent(self) -> dict[str, list[bytes]]:
        """Per path, the entity body of each response sent, in order, chunking removed."""
        with self._server.lock:
            return {path: list(bodies) for path, bodies in self._server.sent.items()}

    def __enter__(self) -> EdgeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
