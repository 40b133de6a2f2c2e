"""The app's guard: Host check (DNS rebinding), the token off loopback, CSRF on every write, the
session cookie, security headers, who the audit log names; and the web stack stays out of every
other command's imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.serve.security import Policy, read_token
from serveutil import (ORIGIN, ROOT, client, csrf_of, ds, fingerprint_of, org, post, shown,  # noqa: F401 (fixtures)
                       swept)
from gitutil import cli_inprocess

TOKEN = "s3cret-token-for-tests-0123456789"


def test_the_host_header_must_name_this_server(ds: Path) -> None:
    http = client(ds, allow=("testserver",))
    assert http.get("/").status_code == 200
    for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example", ""):
        answer = http.get("/", headers={"Host": host})
        assert answer.status_code == 400, host
        assert answer.headers["x-frame-options"] == "DENY"
    for host in ("127.0.0.1:8765", "localhost", "LOCALHOST:1", "[::1]:8765"):
        assert http.get("/", headers={"Host": host}).status_code == 200, host
    # bound elsewhere, only that name and the allowed ones
    bound = client(ds, token=TOKEN, host="10.1.2.3", allow=("triage.internal",))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert bound.get("/", headers={"Host": "10.1.2.3:8765", **auth}).status_code == 200
    assert bound.get("/", headers={"Host": "triage.internal", **auth}).status_code == 200
    assert bound.get("/", headers={"Host": "localhost", **auth}).status_code == 400


def test_binding_off_loopback_needs_a_token() -> None:
    with pytest.raises(UsageError, match="needs a token"):
        Policy.of("10.1.2.3", None, "web", "alice")
    with pytest.raises(UsageError, match="--allow-host"):
        Policy.of("0.0.0.0", TOKEN, "web", "alice")
    assert Policy.of("::1", None, "web", "alice").who() == "alice"
    assert Policy.of("0.0.0.0", TOKEN, "web", "alice", ("triage.internal",)).who() == "web"


def test_the_cli_refuses_a_public_bind_without_a_token_and_a_token_on_its_command_line(ds: Path) -> None:
    code, _, err = cli_inprocess("serve", "--datastore", str(ds), "--host", "10.1.2.3")
    assert code == 2 and "needs a token" in err
    code, _, err = cli_inprocess("serve", "--datastore", str(ds), "--token", TOKEN)
    assert code == 2  # there is no such option: a token is never a command-line value
    code, _, err = cli_inprocess("serve", "--datastore", str(ds.parent / "none.sqlite"))
    assert code == 2 and "no datastore" in err
    code, _, err = cli_inprocess("serve", "--datastore", str(ds), "--port", "70000")
    assert code == 2


def test_token_sources(tmp_path: Path) -> None:
    f = tmp_path / "token"
    f.write_text(TOKEN + "\n")
    f.chmod(0o600)
    assert read_token(f, {}) == TOKEN
    f.chmod(0o644)
    with pytest.raises(UsageError, match="chmod 600"):
        read_token(f, {})
    assert read_token(None, {"CREDSPRAWL_SERVE_TOKEN": TOKEN}) == TOKEN
    assert read_token(None, {}) is None
    with pytest.raises(UsageError, match="at least 16"):
        read_token(None, {"CREDSPRAWL_SERVE_TOKEN": "short"})
    with pytest.raises(UsageError, match="cannot read"):
        read_token(tmp_path / "missing", {})


def test_with_a_token_every_request_needs_it(ds: Path) -> None:
    http = client(ds, token=TOKEN, token_name="secteam")
    answer = http.get("/queue?state=any")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fqueue%3Fstate%3Dany"
    assert http.get("/", headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code == 401
    assert http.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    assert http.get(f"/credential/{fp}").status_code == 303
    login = http.get("/login")
    assert login.status_code == 200  # the login form is open to all, and tells nothing about the datastore
    assert ds.name not in login.text and "secteam" not in login.text and "/queue" not in login.text
    assert http.get("/static/style.css").status_code == 200
    csrf = csrf_of(http, "/login")
    refused = http.post(f"/credential/{fp}/state", data={"csrf": csrf, "state": "closed"}, headers={"Origin": ORIGIN})
    assert refused.status_code == 401
    # the login form: a wrong token is refused, the right one opens a new session
    before = http.cookies.get("credsprawl_session")
    wrong = http.post("/login", data={"csrf": csrf, "token": "nope-nope-nope-nope"}, headers={"Origin": ORIGIN})
    assert wrong.status_code == 401 and "not the token" in wrong.text
    ok = http.post("/login", data={"csrf": csrf, "token": TOKEN, "back": f"/credential/{fp}"}, headers={"Origin": ORIGIN})
    assert ok.status_code == 303 and ok.headers["location"] == f"/credential/{fp}"
    assert http.cookies.get("credsprawl_session") not in (None, before)
    assert http.get(f"/credential/{fp}").status_code == 200
    assert post(http, f"/credential/{fp}/state", {"state": "closed"}).status_code == 303
    assert [e["who"] for e in shown(ds, fp)["audit"]] == ["secteam"]  # the token's name
    # signing out ends the session
    assert post(http, "/logout", {}).status_code == 303
    assert http.get(f"/credential/{fp}").status_code == 303


def test_bearer_clients_write_as_the_token_name(ds: Path) -> None:
    http = client(ds, token=TOKEN, token_name="ci-bot")
    http.headers["Authorization"] = f"Bearer {TOKEN}"
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    assert post(http, f"/credential/{fp}/note", {"text": "seen"}).status_code == 303
    assert [(e["who"], e["new"]) for e in shown(ds, fp)["audit"]] == [("ci-bot", "seen")]


@pytest.mark.parametrize("headers, csrf, allowed", [
    ({"Origin": ORIGIN}, "good", True),
    ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, "good", True),  # a browser under no-referrer
    ({"Referer": ORIGIN + "/queue"}, "good", True),
    ({"Sec-Fetch-Site": "same-origin"}, "good", True),
    ({"Origin": ORIGIN}, None, False),  # no CSRF token
    ({"Origin": ORIGIN}, "forged-token-forged-token", False),
    ({}, "good", False),  # nothing says where it comes from
    ({"Origin": "http://evil.example"}, "good", False),
    ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, "good", False),
    ({"Origin": "null"}, "good", False),
    ({"Sec-Fetch-Site": "same-site"}, "good", False),
    ({"Referer": "http://evil.example/queue"}, "good", False),
    ({"Origin": "http://testserver:9999"}, "good", False),
])
def test_csrf(ds: Path, headers: dict[str, str], csrf: str | None, allowed: bool) -> None:
    http = client(ds)
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    token = csrf_of(http)
    data = {"state": "closed", **({"csrf": token if csrf == "good" else csrf} if csrf else {})}
    answer = http.post(f"/credential/{fp}/state", data=data, headers=headers)
    assert (answer.status_code == 303) is allowed, answer.text
    assert len(shown(ds, fp)["audit"]) == (1 if allowed else 0)
    if not allowed:
        assert answer.status_code == 403


def test_a_csrf_token_belongs_to_its_session(ds: Path) -> None:
    alice, mallory = client(ds), client(ds)
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    stolen = csrf_of(mallory)
    csrf_of(alice)
    answer = alice.post(f"/credential/{fp}/state", data={"csrf": stolen, "state": "closed"}, headers={"Origin": ORIGIN})
    assert answer.status_code == 403 and shown(ds, fp)["audit"] == []


def test_security_headers_and_the_session_cookie(ds: Path) -> None:
    http = client(ds)
    answer = http.get("/queue")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp and "form-action 'self'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-content-type-options"] == "nosniff"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "<script>" not in answer.text and " style=" not in answer.text and "onclick" not in answer.text
    for path in ("/credential/" + "0" * 64, "/static/app.js", "/nothing"):
        assert http.get(path).headers["x-frame-options"] == "DENY", path
    # a GET never writes
    assert http.get("/bulk").status_code == 405


def test_hostile_text_is_escaped(ds: Path) -> None:
    http = client(ds)
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    evil = '<script>alert(1)</script>"><img src=x>'
    assert post(http, f"/credential/{fp}/note", {"text": evil}).status_code == 303
    assert post(http, f"/credential/{fp}/assign", {"owner": evil}).status_code == 303
    for path in (f"/credential/{fp}", "/audit", "/queue", "/search?q=" + evil):
        page = http.get(path).text
        assert "<script>alert" not in page and "<img src=x>" not in page, path


def test_the_cli_and_the_hook_never_import_the_web_stack() -> None:
    probe = ("import sys, scanner.cli, scanner.cli.app; scanner.cli.app.build_parser(); "
             "import scanner.api, scanner.sweep.driver, scanner.triage.queries; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'jinja2', 'multipart', "
             "'python_multipart') or m.startswith('scanner.serve')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ,
                         "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_without_the_web_extra_says_what_to_install(ds: Path) -> None:
    blocked = ("import sys; sys.modules['starlette'] = None; sys.modules['uvicorn'] = None; "
               "from scanner.cli import main; sys.exit(main(sys.argv[1:]))")
    out = subprocess.run([sys.executable, "-c", blocked, "serve", "--datastore", str(ds)], capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 2 and "pip install 'credsprawl[serve]'" in out.stderr


def test_the_wheel_ships_the_templates_and_static_files(tmp_path: Path) -> None:
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    [wheel] = list(tmp_path.glob("credsprawl-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "scanner" / "serve").rglob("*")
               if p.is_file() and p.suffix in (".html", ".css", ".js")}
    assert len(shipped) >= 10 and shipped <= names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Provides-Extra: serve" in metadata and "starlette" in metadata
