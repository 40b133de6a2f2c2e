"""The product's one HTTP client (scanner.httpclient) against loopback servers, hostile ones included:
every request and every run bounded in time and bytes, credentials only on their own site, bounded
retries, one-line errors of one project type."""

from __future__ import annotations

import email.utils
import gzip
import time
from typing import Any, Iterator

import pytest
from fakeapi import FakeAPI, Reply

from scanner.errors import CredsprawlError
from scanner.httpclient import (Credential, Deadline, HttpClient, HttpError, Limits, Retry, Site, retry_after,
                                url_problem)

SECRET = "fake-credential-for-loopback-tests-1234"


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    with FakeAPI() as server:
        yield server


def client(sleeps: list[float] | None = None, **kw: Any) -> HttpClient:
    return HttpClient("Test API", sleep=(sleeps.append if sleeps is not None else time.sleep), **kw)


def fails(kind: str, call: Any, *args: Any, **kw: Any) -> HttpError:
    with pytest.raises(HttpError) as info:
        call(*args, **kw)
    err = info.value
    assert isinstance(err, CredsprawlError) and err.kind == kind, (err.kind, str(err))
    assert "\n" not in str(err) and SECRET not in str(err) and str(err).startswith("Test API: ")
    return err


def test_urls_https_only_and_http_for_loopback() -> None:
    for ok in ("https://api.github.com", "https://ghe.example.com/api/v3", "http://127.0.0.1:8080/x",
               "http://localhost:1", "http://[::1]:9/"):
        assert url_problem(ok) is None, ok
    for bad in ("not a url", "file:///etc/passwd", "ftp://host/x", "http://example.com", "http://10.0.0.1/",
                "https://user:pw@example.com", "https://", "https://host:99999/", "https://ho st/", "gopher://x"):
        assert url_problem(bad), bad
    fails("refused", client().request, "GET", "file:///etc/passwd")


def test_endless_body_is_cut_at_the_byte_limit(api: FakeAPI) -> None:
    api.routes["/endless"] = Reply(endless=True)
    started = time.monotonic()
    err = fails("too-large", client(limits=Limits(timeout=30, max_bytes=1024 * 1024)).request,
                "GET", api.base + "/endless")
    assert time.monotonic() - started < 10 and "larger than the limit" in str(err)
    api.routes["/big"] = Reply(200, b"x" * 5000)  # refused on its Content-Length, before reading
    fails("too-large", client(limits=Limits(max_bytes=1000)).request, "GET", api.base + "/big")
    assert client(limits=Limits(max_bytes=5000)).request("GET", api.base + "/big").body == b"x" * 5000


def test_a_trickling_server_is_cut_at_the_request_deadline(api: FakeAPI) -> None:
    """A byte every 0.2 s never trips a read timeout; the whole request's limit does, in the body
    and in the headers alike."""
    api.routes["/body"] = Reply(trickle=0.2)
    api.routes["/headers"] = Reply(trickle_headers=0.2)
    for path in ("/body", "/headers"):
        started = time.monotonic()
        err = fails("timeout", client(limits=Limits(timeout=1.5)).request, "GET", api.base + path)
        assert 1.4 < time.monotonic() - started < 5 and "within 1.5 s" in str(err)


def test_a_silent_server_is_cut_at_the_request_then_the_run_deadline(api: FakeAPI) -> None:
    api.routes["/silent"] = Reply(silent=True)
    started = time.monotonic()
    fails("timeout", client(limits=Limits(timeout=1)).request, "GET", api.base + "/silent")
    assert time.monotonic() - started < 4  # timeouts are not retried
    api.routes["/ok"] = Reply(200, {"ok": 1})
    run = client(limits=Limits(timeout=30), deadline=Deadline.after(1.5, "raise it with --timeout"))
    assert run.request("GET", api.base + "/ok").status == 200
    started = time.monotonic()
    err = fails("deadline", run.request, "GET", api.base + "/silent")
    assert time.monotonic() - started < 4 and "whole run (1.5 s)" in str(err) and "--timeout" in str(err)
    fails("deadline", run.request, "GET", api.base + "/ok")  # nothing more once the run's time is spent
    assert api.paths().count("/ok") == 1


def test_credentials_go_only_to_their_own_site(api: FakeAPI) -> None:
    cred = Credential.pinned(api.base, {"Authorization": f"Bearer {SECRET}"})
    with FakeAPI() as other:
        other.routes["/x"] = Reply(200, {"x": 1})
        err = fails("refused", client().request, "GET", other.base + "/x", credential=cred)
        assert other.requests == [] and str(Site.of(api.base)) in str(err)
        # a redirect: refused within the site only; followed without the credential when asked
        api.routes["/hop"] = Reply(302, headers={"Location": other.base + "/x?sig=s3cr3t"})
        err = fails("refused", client().request, "GET", api.base + "/hop", credential=cred, redirects="site")
        assert other.requests == [] and "sig=" not in str(err)
        assert client().request("GET", api.base + "/hop", credential=cred, redirects="none").status == 302
        assert client().request("GET", api.base + "/hop", credential=cred, redirects="any").status == 200
        assert "authorization" not in other.requests[0][1]
        assert api.requests[-1][1]["authorization"] == f"Bearer {SECRET}"
    # never down to plain http on a public host, never to another scheme
    api.routes["/down"] = Reply(302, headers={"Location": "http://example.com/x"})
    fails("refused", client().request, "GET", api.base + "/down", redirects="any")
    api.routes["/file"] = Reply(302, headers={"Location": "file:///etc/passwd"})
    fails("refused", client().request, "GET", api.base + "/file", redirects="any")
    fails("refused", client().request, "GET", api.base + "/x", headers={"Authorization": "Bearer x"})
    with pytest.raises(HttpError, match="header cannot carry"):
        Credential.pinned(api.base, {"Authorization": "Bearer a\r\nX-Injected: 1"})


def test_echoed_credentials_are_scrubbed_in_every_form(api: FakeAPI) -> None:
    import base64

    cred = Credential.pinned(api.base, {"Authorization": f"Bearer {SECRET}"})
    api.routes["/echo"] = Reply(200, b"\x00")
    c = client()
    c.request("GET", api.base + "/echo", credential=cred)
    text = f"said {SECRET} and {base64.b64encode(f'Bearer {SECRET}'.encode()).decode()}"
    assert SECRET not in c.scrub(text) and "Bearer" not in c.scrub(text).split("and")[1]


def test_retries_honour_retry_after_within_bounds(api: FakeAPI) -> None:
    sleeps: list[float] = []
    date = email.utils.formatdate(time.time() + 20, usegmt=True)
    api.routes["/busy"] = [Reply(503, b"", {"Retry-After": "3"}), Reply(429, b"", {"Retry-After": date}),
                           Reply(429), Reply(200, {"ok": 1})]
    assert client(sleeps).request("GET", api.base + "/busy").status == 200
    # Retry-After in seconds, then as a date; the second rate-limited answer without one: the backoff, doubled
    assert sleeps[0] == 3.0 and 17 < sleeps[1] <= 20 and sleeps[2] == 1.0
    sleeps.clear()
    api.routes["/later"] = Reply(429, b"", {"Retry-After": "86400"})
    err = fails("rate-limited", client(sleeps).request, "GET", api.base + "/later")
    assert "try again" in str(err) and sleeps == []
    api.routes["/down"] = Reply(500)
    assert client(sleeps, retry=Retry(retries=2)).request("GET", api.base + "/down").status == 500
    assert sleeps == [0.5, 1.0]
    sleeps.clear()
    assert client(sleeps).request("POST", api.base + "/down", content=b"{}").status == 500
    assert sleeps == [] and api.paths().count("/down") == 4  # 3 GETs above, the POST once
    api.routes["/slow-quota"] = Reply(429, b"", {"Retry-After": "60"})  # within max_wait, past the run's end
    fails("deadline", client(sleeps, deadline=Deadline.after(5)).request, "GET", api.base + "/slow-quota")
    assert sleeps == []
    assert retry_after({"retry-after": "soon"}, time.time()) is None


def test_unreachable_is_retried_then_one_line(api: FakeAPI) -> None:
    sleeps: list[float] = []
    port = api.server.server_address[1]
    api.__exit__()
    err = fails("unreachable", client(sleeps, retry=Retry(retries=2)).request, "GET", f"http://127.0.0.1:{port}/x")
    assert sleeps == [0.5, 1.0] and "cannot reach" in str(err)


def test_a_compressed_answer_nobody_asked_for_is_refused(api: FakeAPI) -> None:
    api.routes["/gz"] = Reply(200, gzip.compress(b"[" + b"1," * 100000 + b"1]"), {"Content-Encoding": "gzip"})
    fails("bad-answer", client().request, "GET", api.base + "/gz")
    assert api.requests[0][1]["accept-encoding"] == "identity"
