"""Helpers for the serve tests: the app over a real swept datastore through Starlette's test client,
its forms (with their CSRF token), and a real uvicorn server on a free loopback port."""

from __future__ import annotations

import sqlite3
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sweeputil import Org, make_org, sweep
from triageutil import commit_from_now_on, fingerprint_of, listed, shown, triage  # noqa: F401 (the serve tests take them from here)

ROOT = Path(__file__).resolve().parent.parent.parent
ORIGIN = "http://testserver"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def client(ds: Path, token: str | None = None, token_name: str = "web", host: str = "127.0.0.1",
           allow: tuple[str, ...] = ("testserver",), os_user: str = "alice") -> Any:
    """A test client of the app over ``ds`` (its Host ``testserver`` allowed)."""
    import warnings

    with warnings.catch_warnings():  # newer Starlette asks for httpx2 in its test client; httpx serves
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from scanner.serve.app import create_app
    from scanner.serve.security import Policy

    app = create_app(ds, Policy.of(host, token, token_name, os_user, allow))
    return TestClient(app, base_url=ORIGIN, follow_redirects=False)


def csrf_of(http: Any, path: str = "/queue") -> str:
    page = http.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found, "no CSRF field on " + path
    return found.group(1)


def post(http: Any, path: str, data: dict[str, Any], origin: str | None = ORIGIN, csrf: str | None = None) -> Any:
    """A form POST as the app's own page makes it (Origin and CSRF token), unless told otherwise."""
    token = csrf if csrf is not None else csrf_of(http)
    headers = {"Origin": origin} if origin else {}
    return http.post(path, data={"csrf": token, **data}, headers=headers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``credsprawl serve`` as a real process on 127.0.0.1 and a free port."""

    def __init__(self, ds: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scanner", "serve", "--datastore", str(ds), "--port", str(self.port), *extra],
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("serve did not start listening")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stderr.read() if self.proc.stderr else ""

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- fixtures (the test modules import them) ------------------------------------------------------


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Org, Path]:
    root = tmp_path_factory.mktemp("swept")
    org = make_org(root / "org")
    ds = root / "ds.sqlite"
    assert sweep(str(org.list_file()), datastore=ds).code == 1
    return org, ds


@pytest.fixture
def ds(swept: tuple[Org, Path], tmp_path: Path) -> Path:
    """A copy of the module's swept datastore, for this test alone."""
    target = tmp_path / "ds.sqlite"
    src, dst = sqlite3.connect(swept[1]), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


@pytest.fixture
def org(swept: tuple[Org, Path]) -> Org:
    return swept[0]
