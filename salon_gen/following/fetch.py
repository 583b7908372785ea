"""The HTTP client that fetches friends' feeds: polite, bounded, and never raising.

Owns the wire: one GET per feed (conditional when validators are known), redirects followed
by hand, gzip/deflate undone a piece at a time, and hard limits on time and size, so a broken
or hostile server costs at most `total_timeout` seconds and `max_bytes` of memory. Every
outcome, failures included, is a `FetchResult`: `fetch_one` never raises.

Must not parse feeds, decide when to poll (`schedule` does) or touch the store. Standard
library only (`http.client`, `ssl`, `zlib`): this is the one module that talks HTTP.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, quote, urldefrag, urlencode, urljoin, urlsplit

from salon_gen import HOMEPAGE, __version__
from salon_gen.core.model import FetchResult

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)
ACCEPT_ENCODING = "gzip, deflate"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})  # RFC 9110 §15.4.2, §15.4.9: the resource has moved
_SCHEMES = frozenset({"http", "https"})
_CHUNK = 64 * 1024
_MB = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchLimits:
    """How long and how much one fetch may take.

    The one wait no limit covers is the name lookup (getaddrinfo cannot be timed out from the
    standard library); everything after it, TLS included, ends by `total_timeout`.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # per socket read
    total_timeout: float = 60.0  # whole request incl. redirects: a trickling server is cut off
    max_bytes: int = 10 * _MB  # cap on the body both on the wire and after decompression
    max_redirects: int = 5
    # Names salon and where to read about it; the caller may append a contact (owner's site).
    user_agent: str = f"salon/{__version__} (+{HOMEPAGE}; feed reader)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchRequest:
    """One feed to fetch, with the validators of its last answer (for a conditional GET)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    accept: str = ACCEPT  # a Webmention sender asks for HTML pages instead of feeds


class _Failure(Exception):
    """A fetch that cannot go on. The message is for a person to read."""


class _Expired(TimeoutError):
    """The total deadline passed between two reads."""


# --- public API ------------------------------------------------------------------------------


def fetch_one(request: FetchRequest, limits: FetchLimits) -> FetchResult:
    """GET one feed within `limits`. Never raises: every failure is a `FetchResult`."""
    return _fetch(request, limits, _TLS())


def post_form(url: str, fields: Sequence[tuple[str, str]], limits: FetchLimits) -> FetchResult:
    """POST `fields` as application/x-www-form-urlencoded to `url` (its query string kept),
    within `limits`. Redirects are not followed: a 3xx is the answer. Never raises; a
    non-2xx status comes back with its `error`."""
    deadline = time.monotonic() + limits.total_timeout
    request = FetchRequest(url=url, accept="*/*")
    body = urlencode(list(fields)).encode("ascii")
    try:
        if urlsplit(url).scheme.lower() not in _SCHEMES:
            raise _Failure(f"not an http(s) URL: {url!r}")
        conn, response = _open(url, request, limits, deadline, _TLS(), form=body)
        try:
            status = response.status
            text = _read_body(response, limits)
        finally:
            response.close()
            conn.close()
    except _Failure as exc:
        return FetchResult(url=url, final_url=url, status=None, error=str(exc))
    except Exception as exc:  # never raises: the cause becomes the error text
        return FetchResult(
            url=url, final_url=url, status=None, error=_explain(exc, limits, deadline)
        )
    return FetchResult(
        url=url,
        final_url=url,
        status=status,
        body=text,
        content_type=response.getheader("Content-Type"),
        error=None if 200 <= status < 300 else _status_text(status),
    )


def fetch_many(
    requests: Sequence[FetchRequest],
    limits: FetchLimits,
    *,
    workers: int = 8,
    on_done: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every request, at most `workers` at once; results in the order of `requests`.

    `on_done` is called in the calling thread (so it need not be thread-safe) as each fetch
    finishes, in the order they finish.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if not requests:
        return []
    tls = _TLS()
    cutoff = _Cutoff()
    results: dict[int, FetchResult] = {}
    pool = ThreadPoolExecutor(
        max_workers=min(workers, len(requests)), thread_name_prefix="salon-fetch"
    )
    try:
        futures: dict[Future[FetchResult], int] = {
            pool.submit(_fetch, request, limits, tls, cutoff): i
            for i, request in enumerate(requests)
        }
        for future in as_completed(futures):
            result = future.result()  # _fetch never raises
            results[futures[future]] = result
            if on_done is not None:
                on_done(result)
    except BaseException:
        # Ctrl-C (or on_done raised): cut the connections in flight, so that the wait
        # below is not a slow server's read timeout but the moment it takes a worker to
        # notice its socket is shut.
        cutoff.stop()
        raise
    finally:
        # If on_done raised (or Ctrl-C), do not start the fetches still waiting.
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[i] for i in range(len(requests))]


# --- one fetch -------------------------------------------------------------------------------


class _TLS:
    """One verifying TLS context, made on first use and shared by the fetches of one call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None

    def get(self) -> ssl.SSLContext:
        with self._lock:
            if self._context is None:
                self._context = ssl.create_default_context()
            return self._context


class _Cutoff:
    """The connections open in one `fetch_many`, so that a stop can cut them all: shutting a
    socket down wakes the worker blocked reading it. A fetch still connecting when the stop
    comes is refused as soon as it has connected (at worst after `connect_timeout`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[http.client.HTTPConnection] = set()
        self._stopped = False

    def add(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if self._stopped:
                raise _Failure("stopped before it was fetched")
            self._open.add(conn)

    def discard(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            self._open.discard(conn)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for conn in self._open:
                sock = conn.sock
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)


def _fetch(
    request: FetchRequest, limits: FetchLimits, tls: _TLS, cutoff: _Cutoff | None = None
) -> FetchResult:
    deadline = time.monotonic() + limits.total_timeout
    url = request.url
    hops: list[tuple[int, str]] = []

    def failed(error: str, status: int | None = None) -> FetchResult:
        return FetchResult(
            url=request.url, final_url=url, status=status, error=error, redirects=tuple(hops)
        )

    try:
        if urlsplit(url).scheme.lower() not in _SCHEMES:
            raise _Failure(f"not an http(s) URL: {url!r}")
        seen = {urldefrag(url).url}
        while True:
            if time.monotonic() >= deadline:
                raise _Expired
            conn, response = _open(url, request, limits, deadline, tls, cutoff=cutoff)
            try:
                status = response.status
                if status in _REDIRECTS:
                    location = response.getheader("Location")
                    if not location:
                        return failed(f"{_status_text(status)} without a Location header", status)
                    target = urljoin(url, location.strip())
                    hops.append((status, target))
                    _check_redirect(url, target, seen, len(hops), limits)
                    seen.add(urldefrag(target).url)
                    url = target
                    continue
                return _answer(request, url, hops, response, limits)
            finally:
                response.close()
                conn.close()
                if cutoff is not None:
                    cutoff.discard(conn)
    except _Failure as exc:
        return failed(str(exc))
    except Exception as exc:  # fetch_one never raises: the cause becomes the error text
        return failed(_explain(exc, limits, deadline))


def _is_private(url: str) -> bool:
    """True for localhost and IP literals that are loopback, private, link-local or reserved.
    Host names are not resolved here: a DNS answer can still point anywhere."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _check_redirect(
    source: str, target: str, seen: set[str], count: int, limits: FetchLimits
) -> None:
    scheme = urlsplit(target).scheme.lower()
    if scheme not in _SCHEMES:
        # Only http <-> https: a feed must never send us to file:, data:, javascript:, ftp:.
        raise _Failure(f"refused to follow a redirect to a {scheme or 'schemeless'} URL: {target}")
    if _is_private(target) and not _is_private(source):
        # A public server may not point us into the owner's own network (a router page, a
        # cloud metadata address) to be fetched, parsed and published.
        raise _Failure(
            f"refused to follow a redirect from a public address to a local or private one: "
            f"{target}"
        )
    if urldefrag(target).url in seen:
        raise _Failure(f"redirect loop: {target} was already visited")
    if count > limits.max_redirects:
        raise _Failure(f"too many redirects (more than {limits.max_redirects})")


def _answer(
    request: FetchRequest,
    url: str,
    hops: list[tuple[int, str]],
    response: http.client.HTTPResponse,
    limits: FetchLimits,
) -> FetchResult:
    """The result of the final (non-redirect) response."""
    status = response.status
    etag = response.getheader("ETag")
    last_modified = response.getheader("Last-Modified")
    body: bytes | None = None
    error: str | None = None
    if status == 200:
        body = _read_body(response, limits)
    elif status == 304:
        # RFC 9110 §15.4.5: a 304 may omit validators; the ones we sent still hold.
        etag = etag or request.etag
        last_modified = last_modified or request.last_modified
    else:
        error = _status_text(status)
    return FetchResult(
        url=request.url,
        final_url=url,
        status=status,
        body=body,
        etag=etag,
        last_modified=last_modified,
        content_type=response.getheader("Content-Type"),
        links=tuple(response.headers.get_all("Link") or ()),
        retry_after=response.getheader("Retry-After"),
        cache_control=response.getheader("Cache-Control"),
        error=error,
        permanent_redirect=url if hops and all(c in _PERMANENT for c, _ in hops) else None,
        redirects=tuple(hops),
    )


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


# --- the connection --------------------------------------------------------------------------


def _open(
    url: str,
    request: FetchRequest,
    limits: FetchLimits,
    deadline: float,
    tls: _TLS,
    *,
    form: bytes | None = None,
    cutoff: _Cutoff | None = None,
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """Connect, send the GET (a form POST when `form` is given) and read the response head;
    the caller closes both."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise _Failure(f"no host in the URL {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise _Failure(f"bad port in the URL {url!r}") from None
    https = parts.scheme.lower() == "https"
    where = f"{host}:{port or (443 if https else 80)}"
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Expired
    timeout = min(limits.connect_timeout, left)
    conn: http.client.HTTPConnection
    if https:
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=tls.get())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn.response_class = _deadline_response(deadline, limits.read_timeout)
    try:
        try:
            conn.connect()
        except TimeoutError:
            if timeout < limits.connect_timeout:  # the total deadline was the nearer one
                raise _Expired from None
            raise _Failure(f"timed out connecting to {where} after {timeout:g} s") from None
        except ConnectionRefusedError:
            raise _Failure(f"connection refused by {where}") from None
        except socket.gaierror as exc:
            raise _Failure(f"cannot find the host {host} ({exc.strerror})") from None
        except ssl.SSLCertVerificationError as exc:
            raise _Failure(
                f"the TLS certificate of {host} is not valid: {exc.verify_message}"
            ) from None
        if cutoff is not None:
            cutoff.add(conn)  # from here a stop shuts its socket
        _arm(conn.sock, deadline, limits.read_timeout)
        headers = _headers(request, limits)
        if form is None:
            conn.request("GET", _target(parts), headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request("POST", _target(parts), body=form, headers=headers)
        return conn, conn.getresponse()
    except BaseException:
        conn.close()
        if cutoff is not None:
            cutoff.discard(conn)
        raise


def _headers(request: FetchRequest, limits: FetchLimits) -> dict[str, str]:
    headers = {
        "User-Agent": limits.user_agent,
        "Accept": request.accept,
        "Accept-Encoding": ACCEPT_ENCODING,
        "Connection": "close",
    }
    # RFC 9110 §13.1: conditional GET, so an unchanged feed costs a 304 and no body.
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


def _target(parts: SplitResult) -> str:
    """The request target: path and query with spaces and non-ASCII percent-encoded."""
    safe = "/%:@!$&'()*+,;=~"
    target = quote(parts.path or "/", safe=safe)
    if parts.query:
        target += "?" + quote(parts.query, safe=safe + "?")
    return target


def _arm(sock: socket.socket, deadline: float, read_timeout: float) -> None:
    """Give the next socket operation min(read_timeout, time left) — or stop if none is left."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Expired
    sock.settimeout(min(read_timeout, left))


class _DeadlineReader(io.RawIOBase):
    """The socket as http.client reads it, re-armed before every read.

    http.client's readline and read loops may call recv many times for one line or one
    chunk; checking the deadline here, under all of them, is what cuts off a server that
    sends one byte a second, in the head as well as in the body.
    """

    def __init__(
        self, raw: io.RawIOBase, sock: socket.socket, deadline: float, read_timeout: float
    ) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._deadline = deadline
        self._read_timeout = read_timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        _arm(self._sock, self._deadline, self._read_timeout)
        return self._raw.readinto(buffer)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _deadline_response(deadline: float, read_timeout: float) -> type[http.client.HTTPResponse]:
    """An HTTPResponse class whose reads all obey this request's deadline."""

    class DeadlineResponse(http.client.HTTPResponse):
        def __init__(
            self,
            sock: socket.socket,
            debuglevel: int = 0,
            method: str | None = None,
            url: str | None = None,
        ) -> None:
            super().__init__(sock, debuglevel, method, url)
            raw = _DeadlineReader(self.fp.detach(), sock, deadline, read_timeout)
            self.fp = io.BufferedReader(raw)

    return DeadlineResponse


# --- the body --------------------------------------------------------------------------------


def _read_body(response: http.client.HTTPResponse, limits: FetchLimits) -> bytes:
    limit = limits.max_bytes
    announced = response.length  # None when chunked or close-delimited
    if announced is not None and announced > limit:
        raise _Failure(f"the body is over the {_size(limit)} limit (Content-Length: {announced})")
    unpacker = _Unpacker(response.getheader("Content-Encoding"), limit)
    wire = 0
    while chunk := response.read1(_CHUNK):
        wire += len(chunk)
        if wire > limit:
            raise _Failure(f"the body is over the {_size(limit)} limit")
        unpacker.feed(chunk)
    if response.length:  # Content-Length promised more than came before the close
        raise _Failure("the connection closed before the whole body arrived")
    return unpacker.finish()


class _Unpacker:
    """Undoes a Content-Encoding one piece at a time, never holding more than the limit.

    zlib's `max_length` bounds each step's output, so a gzip bomb (1 GB from 1 MB) stops at
    the limit after inflating only that much.
    """

    def __init__(self, header: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (header or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise _Failure(f"unsupported Content-Encoding: {header}")
        self._coding = "gzip" if codings and codings[0] == "x-gzip" else (codings or [""])[0]
        self._limit = limit
        self._size = 0
        self._parts: list[bytes] = []
        self._zlib: zlib._Decompress | None = None
        self._head = b""  # the first bytes of a deflate body, until its flavour is known

    def feed(self, data: bytes) -> None:
        if not self._coding:
            self._keep(data)
            return
        if self._zlib is None:
            if self._coding == "gzip":
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip wrapper only
            else:
                self._head += data
                if len(self._head) < 2:
                    return
                data, self._head = self._head, b""
                # "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send it raw.
                wbits = zlib.MAX_WBITS if _is_zlib_header(data) else -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(wbits)
        self._inflate(data)

    def _inflate(self, data: bytes) -> None:
        assert self._zlib is not None
        while data:
            if self._zlib.eof:
                if self._coding != "gzip" or not data.strip(b"\0"):
                    return  # trailing padding after the stream
                # RFC 1952 §2.2: a gzip file may hold several members, one after another.
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                out = self._zlib.decompress(data, self._limit - self._size + 1)
            except zlib.error as exc:
                raise _Failure(
                    f"the body says Content-Encoding: {self._coding} but does not decode ({exc})"
                ) from None
            self._keep(out)
            data = self._zlib.unused_data if self._zlib.eof else self._zlib.unconsumed_tail

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            what = f"the {self._coding} body unpacks to" if self._coding else "the body is"
            raise _Failure(f"{what} over the {_size(self._limit)} limit")
        self._parts.append(data)

    def finish(self) -> bytes:
        if self._head:
            raise _Failure(f"the {self._coding} body is cut short")
        if self._zlib is not None and not self._zlib.eof:
            raise _Failure(f"the {self._coding} body is cut short")
        return b"".join(self._parts)


def _is_zlib_header(data: bytes) -> bool:
    cmf, flg = data[0], data[1]  # RFC 1950 §2.2: CM = 8, and CMF*256 + FLG is a multiple of 31
    return cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0


def _size(n: int) -> str:
    if n >= _MB and n % _MB == 0:
        return f"{n // _MB} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


# --- errors ----------------------------------------------------------------------------------


def _explain(exc: Exception, limits: FetchLimits, deadline: float) -> str:
    """What went wrong, in words for the person whose friend's feed failed."""
    if isinstance(exc, TimeoutError):
        if isinstance(exc, _Expired) or time.monotonic() >= deadline - 0.05:
            return f"timed out: no complete answer within {limits.total_timeout:g} s"
        return f"timed out: the server sent nothing for {limits.read_timeout:g} s"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, http.client.InvalidURL | UnicodeError):
        return f"cannot request this URL ({exc})"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed before the whole body arrived"
    if isinstance(exc, http.client.HTTPException):
        return f"not a valid HTTP answer ({type(exc).__name__}: {exc})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionResetError):
        return "the server reset the connection"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc}"
    return f"unexpected error: {type(exc).__name__}: {exc}"


def is_private_url(url: str) -> bool:
    """True for localhost and IP literals that are loopback, private, link-local or reserved
    (the test a redirect from a public address must pass; senders apply it too)."""
    return _is_private(url)
