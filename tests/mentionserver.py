"""A loopback web for the Webmention and WebSub tests: pages, endpoints and a hub on 127.0.0.1.

`serve_web()` starts it with a free port and stops it. `web.pages[path]` (path without the
query) is what a GET answers: status, headers (a list, so a name may repeat), body. Every
POST is recorded in `web.posts` as (path with query, form fields) and answered 202, unless
`web.pages` has an entry for its path with a status, which is used instead. Nothing here
talks to any other address.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.1"


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    ctype: str = "text/html; charset=utf-8"


class Web(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self) -> None:
        super().__init__((HOST, 0), _Handler)
        self.pages: dict[str, Page] = {}
        self.posts: list[tuple[str, list[tuple[str, str]]]] = []
        self.gets: list[str] = []
        self.lock = threading.Lock()

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no getfqdn: nothing here needs DNS
        self.server_name, self.server_port = HOST, self.server_address[1]

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.server_port}{path}"

    def html(self, path: str, body: str, headers: list[tuple[str, str]] | None = None) -> str:
        """Serve `body` as an HTML page at `path`; its absolute URL."""
        self.pages[path] = Page(body=body.encode(), headers=headers or [])
        return self.url(path)


class _Handler(BaseHTTPRequestHandler):
    server: Web
    protocol_version = "HTTP/1.1"
    timeout = 5

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, page: Page) -> None:
        self.send_response(page.status)
        self.send_header("Content-Type", page.ctype)
        for name, value in page.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(page.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(page.body)

    def do_GET(self) -> None:
        self.close_connection = True
        with self.server.lock:
            self.server.gets.append(self.path)
        page = self.server.pages.get(urlsplit(self.path).path)
        self._answer(page or Page(status=404, body=b"not here"))

    def do_POST(self) -> None:
        self.close_connection = True
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qsl(self.rfile.read(length).decode("ascii"), keep_blank_values=True)
        with self.server.lock:
            self.server.posts.append((self.path, form))
        page = self.server.pages.get(urlsplit(self.path).path)
        if page is not None and page.status != 200:
            self._answer(page)
        else:
            self._answer(Page(status=202, body=b"accepted", ctype="text/plain"))


@contextmanager
def serve_web() -> Iterator[Web]:
    web = Web()
    thread = threading.Thread(
        target=web.serve_forever, kwargs={"poll_interval": 0.05}, name="mentionweb"
    )
    thread.start()
    try:
        yield web
    finally:
        web.shutdown()
        web.server_close()
        thread.join(timeout=10)
