"""fetch: the HTTP client against a real server on 127.0.0.1 (tests/httpserver.py), no mocks.

Every request is bounded by small limits, so a client that fails to stop still ends the test.
"""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from salon_gen import __version__
from salon_gen.core.model import FetchResult
from salon_gen.following.fetch import ACCEPT, FetchLimits, FetchRequest, fetch_many, fetch_one

from .httpserver import LAST_MODIFIED, FeedServer, closed_port, etag_of, feed_body, serve

LIMITS = FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=5, max_bytes=256 * 1024)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with serve() as srv:
        yield srv
    assert srv.errors == []


def get(server: FeedServer, path: str, limits: FetchLimits = LIMITS, **kw: str) -> FetchResult:
    return fetch_one(FetchRequest(url=server.url(path), **kw), limits)


# --- 200, 304 and what is sent --------------------------------------------------------------


def test_200_then_304_sends_both_validators(server: FeedServer) -> None:
    first = get(server, "/ok/cond")
    assert first.status == 200
    assert first.error is None
    assert first.body == feed_body("cond")
    assert first.etag == etag_of(feed_body("cond"))
    assert first.last_modified == LAST_MODIFIED
    assert first.cache_control == "max-age=600"
    assert first.content_type == "application/rss+xml"
    assert first.final_url == first.url == server.url("/ok/cond")
    assert first.redirects == ()
    assert first.permanent_redirect is None

    assert first.etag is not None and first.last_modified is not None
    second = get(server, "/ok/cond", etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304
    assert second.body is None
    assert second.error is None
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)

    plain, conditional = (h.headers for h in server.hits("/ok/cond"))
    assert plain["If-None-Match"] is None and plain["If-Modified-Since"] is None
    assert conditional["If-None-Match"] == first.etag
    assert conditional["If-Modified-Since"] == LAST_MODIFIED


def test_304_from_last_modified_alone(server: FeedServer) -> None:
    result = get(server, "/ok/lm-only", last_modified=LAST_MODIFIED)
    assert result.status == 304
    assert result.last_modified == LAST_MODIFIED


def test_a_changed_etag_gets_the_body(server: FeedServer) -> None:
    result = get(server, "/ok/changed", etag='"old"')
    assert result.status == 200
    assert result.body == feed_body("changed")


def test_304_without_validators_keeps_the_ones_sent(server: FeedServer) -> None:
    result = get(server, "/status/304", etag='"v1"', last_modified=LAST_MODIFIED)
    assert result.status == 304
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)
    assert result.error is None


def test_request_headers_name_salon_and_ask_for_feeds(server: FeedServer) -> None:
    get(server, "/ok/headers", FetchLimits(total_timeout=5))  # the default User-Agent
    (hit,) = server.hits("/ok/headers")
    agent = hit.headers["User-Agent"]
    assert agent.startswith(f"salon/{__version__} ")
    assert "https://salon.example/" in agent
    assert hit.headers["Accept"] == ACCEPT
    assert hit.headers["Accept"].startswith("application/atom+xml")
    assert hit.headers["Accept-Encoding"] == "gzip, deflate"


def test_a_custom_user_agent_is_sent(server: FeedServer) -> None:
    agent = "salon/0 (+https://salon.example/; feed reader for https://owner.example/)"
    get(server, "/ok/agent", FetchLimits(total_timeout=5, user_agent=agent))
    (hit,) = server.hits("/ok/agent")
    assert hit.headers["User-Agent"] == agent


def test_wrong_content_type_still_returns_the_body(server: FeedServer) -> None:
    result = get(server, "/ct/" + quote("text/html; charset=utf-8", safe="") + "/html")
    assert result.status == 200
    assert result.body == feed_body("html")  # ingest decides what it is
    assert result.content_type == "text/html; charset=utf-8"


# --- content encodings ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/gzip/packed", "/deflate/packed", "/deflate/packed?raw=1"])
def test_compressed_bodies_are_unpacked(server: FeedServer, path: str) -> None:
    result = get(server, path)
    assert result.error is None
    assert result.body == feed_body("packed")


def test_gzip_bomb_stops_at_the_limit_with_bounded_memory(server: FeedServer) -> None:
    from .httpserver import gzip_bomb

    assert len(gzip_bomb()) < 200 * 1024  # made before measuring; really a bomb
    limits = FetchLimits(total_timeout=10, max_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        result = get(server, "/gzip-bomb", limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status is None
    assert result.body is None
    assert result.error == "the gzip body unpacks to over the 1 MB limit"
    assert peak < 8 * 1024 * 1024  # it inflates to 100 MB


def test_bad_gzip_is_an_error(server: FeedServer) -> None:
    result = get(server, "/bad-gzip")
    assert result.status is None
    assert result.body is None
    assert result.error is not None
    assert "Content-Encoding: gzip but does not decode" in result.error


def test_truncated_gzip_is_an_error(server: FeedServer) -> None:
    server.bodies["cut"] = gzip.compress(feed_body("cut") * 50)[:-20]
    result = get(server, "/ct/application%2Fxml/cut?h=Content-Encoding:gzip")
    assert result.error == "the gzip body is cut short"


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [301, 308])
def test_permanent_redirect(server: FeedServer, code: int) -> None:
    result = get(server, f"/redirect/{code}/ok/moved{code}")
    target = server.url(f"/ok/moved{code}")
    assert result.status == 200
    assert result.body == feed_body(f"moved{code}")
    assert result.url == server.url(f"/redirect/{code}/ok/moved{code}")
    assert result.final_url == target
    assert result.permanent_redirect == target
    assert result.redirects == ((code, target),)


@pytest.mark.parametrize("code", [302, 303, 307])
def test_temporary_redirect_is_followed_but_not_permanent(server: FeedServer, code: int) -> None:
    result = get(server, f"/redirect/{code}/ok/temp{code}")
    assert result.status == 200
    assert result.body == feed_body(f"temp{code}")
    assert result.final_url == server.url(f"/ok/temp{code}")
    assert result.permanent_redirect is None
    assert result.redirects == ((code, server.url(f"/ok/temp{code}")),)


@pytest.mark.parametrize(
    ("chain", "permanent"),
    [("301/redirect/308", True), ("301/redirect/302", False), ("307/redirect/301", False)],
)
def test_a_chain_is_permanent_only_if_every_hop_is(
    server: FeedServer, chain: str, permanent: bool
) -> None:
    result = get(server, f"/redirect/{chain}/ok/chain")
    assert result.status == 200
    assert len(result.redirects) == 2
    assert result.permanent_redirect == (server.url("/ok/chain") if permanent else None)


def test_relative_location_is_resolved(server: FeedServer) -> None:
    result = get(server, "/redirect-to?url=ok/relative")
    assert result.status == 200
    assert result.final_url == server.url("/ok/relative")


def test_redirect_loop(server: FeedServer) -> None:
    result = get(server, "/loop")
    assert result.status is None
    assert result.error is not None
    assert result.error.startswith("redirect loop")
    assert len(server.hits("/loop")) == 1


def test_too_many_redirects(server: FeedServer) -> None:
    limits = FetchLimits(total_timeout=5, max_redirects=3)
    assert get(server, "/redirect/302" * 3 + "/ok/three", limits).status == 200
    result = get(server, "/redirect/302" * 4 + "/ok/four", limits)
    assert result.status is None
    assert result.error == "too many redirects (more than 3)"
    assert len(result.redirects) == 4
    assert server.hits("/ok/four") == []


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "javascript:alert(1)", "data:text/xml,<rss/>", "ftp://127.0.0.1/f"],
)
def test_redirect_off_http_is_refused(server: FeedServer, target: str) -> None:
    result = get(server, "/redirect-to?url=" + quote(target, safe=""))
    assert result.status is None
    assert result.body is None
    assert result.error is not None
    assert result.error.startswith("refused to follow a redirect to a ")
    assert result.redirects == ((302, target),)
    assert result.final_url == server.url("/redirect-to?url=" + quote(target, safe=""))


def test_redirect_from_http_to_https_is_followed(server: FeedServer) -> None:
    # The server speaks plain HTTP, so TLS fails: what matters is the hop was taken.
    target = f"https://127.0.0.1:{server.port}/ok/tls"
    limits = FetchLimits(connect_timeout=0.5, read_timeout=0.5, total_timeout=3)
    result = get(server, "/redirect-to?url=" + quote(target, safe=""), limits)
    assert result.redirects == ((302, target),)
    assert result.final_url == target
    assert result.status is None
    assert result.error is not None
    assert "refused" not in result.error


def test_redirect_without_location(server: FeedServer) -> None:
    result = get(server, "/status/301")
    assert result.status == 301
    assert result.error == "HTTP 301 Moved Permanently without a Location header"


# --- error statuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone"),
        (500, "HTTP 500 Internal Server Error"),
        (299, "HTTP 299"),
    ],
)
def test_error_status(server: FeedServer, code: int, error: str) -> None:
    result = get(server, f"/status/{code}")
    assert result.status == code
    assert result.body is None
    assert result.error == error


@pytest.mark.parametrize(
    ("code", "retry_after"), [(429, "120"), (503, "Wed, 25 Nov 2026 08:00:00 GMT")]
)
def test_retry_after_and_cache_control_are_recorded(
    server: FeedServer, code: int, retry_after: str
) -> None:
    path = f"/status/{code}?retry_after={quote(retry_after)}&h=Cache-Control:no-cache"
    result = get(server, path)
    assert result.status == code
    assert result.retry_after == retry_after
    assert result.cache_control == "no-cache"
    assert result.body is None


# --- time and size limits -------------------------------------------------------------------


def test_slow_server_hits_the_read_timeout(server: FeedServer) -> None:
    limits = FetchLimits(read_timeout=0.3, total_timeout=5)
    result = get(server, "/slow/5/late", limits)
    assert result.status is None
    assert result.error == "timed out: the server sent nothing for 0.3 s"


def test_slow_but_in_time_is_fine(server: FeedServer) -> None:
    result = get(server, "/slow/0.2/patient", FetchLimits(read_timeout=2, total_timeout=5))
    assert result.status == 200


@pytest.mark.parametrize("path", ["/trickle", "/trickle?head=1"])
def test_trickle_is_cut_off_at_the_total_timeout(server: FeedServer, path: str) -> None:
    # Each byte comes well within read_timeout; only the total deadline can stop this.
    limits = FetchLimits(read_timeout=5, total_timeout=1)
    start = time.monotonic()
    result = get(server, path, limits)
    elapsed = time.monotonic() - start
    assert result.status is None
    assert result.error == "timed out: no complete answer within 1 s"
    # A correctness bound, generous for a loaded machine: the trickle itself never ends
    # (the server gives up after 20 s), so only the deadline can make this hold.
    assert elapsed < limits.total_timeout + 4.0


@pytest.mark.parametrize("mode", ["length", "close", "chunked"])
def test_oversized_body_is_refused_without_reading_it_all(server: FeedServer, mode: str) -> None:
    size = 200 * 1024 * 1024  # far beyond socket buffers: the server notices the hang-up
    result = get(server, f"/huge/{size}?mode={mode}")
    assert result.status is None
    assert result.body is None
    if mode == "length":  # refused from the header alone
        assert result.error == f"the body is over the 256 KB limit (Content-Length: {size})"
    else:
        assert result.error == "the body is over the 256 KB limit"
    (hit,) = server.hits(f"/huge/{size}?mode={mode}")
    assert hit.done.wait(10)
    assert not hit.complete
    assert hit.sent < size


def test_body_at_the_limit_is_accepted(server: FeedServer) -> None:
    result = get(server, f"/huge/{LIMITS.max_bytes}?mode=close")
    assert result.status == 200
    assert result.body is not None
    assert len(result.body) == LIMITS.max_bytes


def test_short_body_is_an_error(server: FeedServer) -> None:
    result = get(server, "/short/cut")
    assert result.status is None
    assert result.error == "the connection closed before the whole body arrived"


# --- no answer at all -----------------------------------------------------------------------


def test_connection_refused() -> None:
    port = closed_port()
    result = fetch_one(FetchRequest(url=f"http://127.0.0.1:{port}/feed"), LIMITS)
    assert result.status is None
    assert result.error == f"connection refused by 127.0.0.1:{port}"
    assert result.final_url == f"http://127.0.0.1:{port}/feed"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("feed.xml", "not an http(s) URL: 'feed.xml'"),
        ("file:///etc/passwd", "not an http(s) URL: 'file:///etc/passwd'"),
        ("http://", "no host in the URL 'http://'"),
        ("http://127.0.0.1:99999/", "bad port in the URL 'http://127.0.0.1:99999/'"),
        (
            "http://exa mple/",
            "cannot request this URL (URL can't contain control characters."
            " 'exa mple' (found at least ' '))",
        ),  # refused before any lookup
    ],
)
def test_unusable_urls_are_errors_not_exceptions(url: str, error: str) -> None:
    result = fetch_one(FetchRequest(url=url), LIMITS)
    assert result.status is None
    assert result.error == error


def test_https_with_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with serve(tls=context) as srv:
        result = fetch_one(FetchRequest(url=srv.url("/ok/tls")), LIMITS)
        assert srv.hits("/ok/tls") == []  # no request was sent over it
    assert result.url.startswith("https://")
    assert result.status is None
    assert result.error is not None
    # OpenSSL 1.1 says "self signed certificate", 3.x "self-signed certificate".
    assert result.error.startswith("the TLS certificate of 127.0.0.1 is not valid: self")


# --- many at once ---------------------------------------------------------------------------


def test_fetch_many_keeps_order_and_bounds_concurrency() -> None:
    with serve() as srv:  # its own server: `peak` counts only these requests
        # Early requests are slower, so they finish out of order.
        requests = [
            FetchRequest(url=srv.url(f"/slow/{0.4 if i < 4 else 0.05}/many{i}")) for i in range(8)
        ]
        done: list[tuple[str, threading.Thread]] = []
        results = fetch_many(
            requests,
            LIMITS,
            workers=3,
            on_done=lambda r: done.append((r.url, threading.current_thread())),
        )
        # Unbounded, all 8 would be in flight at once. The server counts a request until its
        # handler has returned, a moment after the client has its answer and may start the
        # next one, so one extra can overlap in its bookkeeping.
        assert 3 <= srv.peak <= 4
    assert [r.url for r in results] == [r.url for r in requests]
    assert [r.body for r in results] == [feed_body(f"many{i}") for i in range(8)]
    assert sorted(url for url, _ in done) == sorted(r.url for r in requests)
    assert [url for url, _ in done] != [r.url for r in requests]  # really concurrent
    assert {thread for _, thread in done} == {threading.current_thread()}


def test_fetch_many_edge_cases() -> None:
    assert fetch_many([], LIMITS) == []
    with pytest.raises(ValueError, match="workers"):
        fetch_many([FetchRequest(url="http://127.0.0.1:1/")], LIMITS, workers=0)


@pytest.mark.parametrize(
    ("url", "private"),
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://localhost/x", True),
        ("http://10.1.2.3/", True),
        ("http://192.168.0.1/", True),
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://[::1]/", True),
        ("http://0.0.0.0/", True),
        ("https://example.org/feed.xml", False),
        ("https://93.184.215.14/", False),
    ],
)
def test_private_addresses_are_recognised(url: str, private: bool) -> None:
    from salon_gen.following.fetch import _is_private

    assert _is_private(url) is private


def test_a_public_server_cannot_redirect_into_the_private_network() -> None:
    from salon_gen.following.fetch import _check_redirect, _Failure

    for target in (
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:631/",
        "http://192.168.1.1/admin",
    ):
        with pytest.raises(_Failure, match="from a public address to a local or private"):
            _check_redirect("https://feeds.example.org/f.xml", target, set(), 1, LIMITS)
    _check_redirect("https://feeds.example.org/f.xml", "https://example.net/f", set(), 1, LIMITS)
    _check_redirect("http://192.168.1.5/f.xml", "http://192.168.1.6/f", set(), 1, LIMITS)


def test_loopback_to_loopback_redirects_are_followed(server: FeedServer) -> None:
    # The owner may follow a feed on their own network; only a public server pointing
    # inward is refused (that path cannot be exercised without a public server).
    result = get(server, "/redirect/302/ok/maya", LIMITS)
    assert result.status == 200
