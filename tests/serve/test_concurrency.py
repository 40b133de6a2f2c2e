"""Writes from several clients at once keep the triage audit log complete and in order: two browsers'
worth of clients on one app (threads), and two ``credsprawl serve`` processes on one datastore."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import httpx

from serveutil import (CSRF, Server, client, csrf_of, ds, listed, org, post,  # noqa: F401 (fixtures)
                       swept)

ROUNDS = 25


def check_log(ds: Path, shared: str, per_actor: dict[str, int]) -> None:
    db = sqlite3.connect(ds)
    by_who = dict(db.execute("SELECT who, COUNT(*) FROM triage_audit GROUP BY who").fetchall())
    assert by_who == per_actor
    ids = [r[0] for r in db.execute("SELECT id FROM triage_audit ORDER BY id")]
    assert ids == list(range(1, sum(per_actor.values()) + 1))
    # the shared credential's log chains: each entry starts from the state the one before ended in
    chain = db.execute("SELECT old, new FROM triage_audit WHERE fingerprint=? AND action='state' ORDER BY id",
                       (shared,)).fetchall()
    assert chain[0][0] == "open" and all(a[1] == b[0] for a, b in zip(chain, chain[1:]))
    db.close()


def writer(http: Any, shared: str, mine: str, name: str, errors: list[str]) -> None:
    try:
        token = csrf_of(http)
        for i in range(ROUNDS):
            state = ("acknowledged", "closed")[i % 2]
            answer = post(http, "/bulk", {"action": "state", "state": state, "reason": f"{name} {i}",
                                          "fingerprint": [shared, mine]}, csrf=token)
            assert answer.status_code == 303, answer.text
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(repr(exc))


def test_two_clients_at_once_on_one_app(ds: Path) -> None:
    shared, a, b, *_ = [r["fingerprint"] for r in listed(ds)]
    one, two = client(ds, os_user="alice"), client(ds, os_user="bob")
    errors: list[str] = []
    threads = [threading.Thread(target=writer, args=(http, shared, mine, name, errors))
               for http, mine, name in ((one, a, "one"), (two, b, "two"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    # every write changed its reason: one entry per credential per write
    check_log(ds, shared, {"alice": 2 * ROUNDS, "bob": 2 * ROUNDS})


def test_two_server_processes_on_one_datastore(ds: Path) -> None:
    shared, a, b, *_ = [r["fingerprint"] for r in listed(ds)]
    token = "concurrency-token-0123456789"
    with Server(ds, "--token-name", "one", env={"CREDSPRAWL_SERVE_TOKEN": token}) as s1, \
            Server(ds, "--token-name", "two", env={"CREDSPRAWL_SERVE_TOKEN": token}) as s2:
        errors: list[str] = []
        threads = []
        for server, mine, name in ((s1, a, "one"), (s2, b, "two")):
            threads.append(threading.Thread(target=authed_writer, args=(server, token, shared, mine, name, errors)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert errors == []
        # each server shows the other's writes
        with httpx.Client(base_url=s1.url, headers={"Authorization": f"Bearer {token}"}) as http:
            page = http.get("/audit")
            assert re.search(rf"{2 * 2 * ROUNDS} entries", page.text) and ">two<" in page.text
    check_log(ds, shared, {"one": 2 * ROUNDS, "two": 2 * ROUNDS})


def authed_writer(server: Server, token: str, shared: str, mine: str, name: str, errors: list[str]) -> None:
    try:
        with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            found = CSRF.search(http.get("/queue").text)
            assert found is not None
            for i in range(ROUNDS):
                state = ("acknowledged", "closed")[i % 2]
                answer = http.post("/bulk", data={"csrf": found.group(1), "action": "state", "state": state,
                                                  "reason": f"{name} {i}", "fingerprint": [shared, mine]},
                                   headers={"Origin": server.url})
                assert answer.status_code == 303, answer.text
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(repr(exc))
