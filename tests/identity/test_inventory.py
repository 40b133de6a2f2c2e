"""The inventory file: the documented example, every kind of bad input (named by file and line),
normalised selectors, JSON inventories, writing and merging, and the ``inventory`` commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import sys
from pathlib import Path

import pytest

from gitutil import cli_inprocess
from scanner.errors import UsageError
from scanner.identity.inventory import Identity, Inventory, Owner, load_inventory, parse_inventory
from scanner.identity.inventory_write import dump_inventory, merge

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "inventory.md"


def doc_example() -> str:
    """The full TOML example of docs/inventory.md."""
    text = DOC.read_text("utf-8")
    example = re.search(r"## A full example\n\n```toml\n(.*?)```", text, re.S).group(1)  # type: ignore[union-attr]
    # the document shows a placeholder where a key id goes; AWS's documented example id stands in for it
    return example.replace("AKIA_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")


def write(tmp_path: Path, text: str, name: str = "inv.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, marker: str) -> int:
    """The number of the last line of ``text`` that is exactly ``marker``."""
    lines = text.splitlines()
    return len(lines) - lines[::-1].index(marker)


def error_of(tmp_path: Path, text: str, name: str = "inv.toml") -> str:
    with pytest.raises(UsageError) as exc:
        load_inventory(write(tmp_path, text, name))
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_the_documented_example_loads(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, doc_example()))
    assert [i.id for i in inv.identities] == ["billing-exporter", "gcp:etl@data-platform.iam.gserviceaccount.com",
                                              "deploy-bot", "edge-gateway", "orders-db"]
    billing = inv.by_id["billing-exporter"]
    assert billing.owner == Owner("payments", "payments-oncall@example.com")
    assert billing.kind == "service-account" and billing.environment == "production" and billing.tags == ("pci", "aws")
    assert billing.created == dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)
    assert billing.last_rotated == dt.datetime(2025, 1, 15, tzinfo=dt.timezone.utc)
    assert billing.max_age_days == 90 and billing.line == doc_example().splitlines().index("[[identity]]") + 1
    assert billing.values("aws_key_ids") == ("AKIAIOSFODNN7EXAMPLE",)
    assert inv.by_id["orders-db"].owner == Owner("orders")
    # normalised: colons and leading zeros gone from the serial
    assert inv.by_id["edge-gateway"].values("cert_serials") == ("a1b2c3d",)
    assert [(p.pattern, p.owners, p.repository) for p in inv.path_owners] == [
        ("/services/billing/", ("@acme/payments",), None), ("/services/orders/", ("@acme/orders",), "acme/shop")]


GOOD = '''version = 1

[[identity]]
id = "a"
kind = "bot"

[[identity]]
id = "b"
kind = "host"
owner = { team = "ops" }

[identity.selectors]
user_hosts = ["deploy@web1"]
'''

TOKEN_LIKE = "tkn_" + "Zq8Lr2Vw9Xb4Nc7Md1Kp5Ys3"  # high entropy, not a hash: must never be accepted


C = '\n[[identity]]\nid = "c"\nkind = "bot"\n'
SEL = C + "\n[identity.selectors]\n"


@pytest.mark.parametrize("text, marker, needle", [
    ("version = 1\n[[identity]\nid = 'x'\n", "[[identity]", "invalid TOML"),
    ("version = 2\n", "version = 2", "unsupported inventory version 2"),
    ("version = 1\nidentities = []\n", "identities = []", "unknown top-level key 'identities'"),
    (GOOD + C + 'ownr = "x"\n', 'ownr = "x"', "unknown identity field 'ownr'"),
    (GOOD + '\n[[identity]]\nid = "a"\nkind = "bot"\n', 'id = "a"', "duplicate identity id 'a' (first defined on line 3)"),
    (GOOD + '\n[[identity]]\nkind = "bot"\n', "[[identity]]", "missing required key 'id'"),
    (GOOD + '\n[[identity]]\nid = "c"\nkind = "robot"\n', 'kind = "robot"', "unknown kind 'robot'"),
    (GOOD + '\n[[identity]]\nid = "c d"\nkind = "bot"\n', 'id = "c d"', "may hold only letters"),
    (GOOD + C + 'created = "last tuesday"\n', 'created = "last tuesday"', "'created' must be a date"),
    (GOOD + C + "rotation_max_age_days = 0\n", "rotation_max_age_days = 0", "whole number of days"),
    (GOOD + C + 'tags = "one"\n', 'tags = "one"', "'tags' must be a list"),
    (GOOD + C + 'owner = { team = "x", phone = "1" }\n', 'owner = { team = "x", phone = "1" }', "unknown owner field 'phone'"),
    (GOOD + SEL + 'aws_keys = ["x"]\n', 'aws_keys = ["x"]', "unknown selector 'aws_keys'"),
    (GOOD + SEL + 'aws_key_ids = ["AKIA123"]\n', 'aws_key_ids = ["AKIA123"]', "not an AWS access key id"),
    (GOOD + SEL + 'ssh_fingerprints = [\n  "SHA256:abc",\n]\n', '  "SHA256:abc",', "not a SHA-256 fingerprint"),
    (GOOD + SEL + 'gcp_client_emails = ["nobody"]\n', 'gcp_client_emails = ["nobody"]', "not an e-mail address"),
    (GOOD + SEL + 'cert_serials = ["zz:01"]\n', 'cert_serials = ["zz:01"]', "not a certificate serial"),
    (GOOD + SEL + 'paths = ["!keep"]\n', 'paths = ["!keep"]', "negation"),
    (GOOD + '\n[[path_owner]]\nowners = ["@x"]\n', "[[path_owner]]", "missing required key 'pattern'"),
    (GOOD + '\n[[path_owner]]\npattern = "/a/"\nowners = ["@x"]\nteam = "y"\n', 'team = "y"', "unknown path_owner field 'team'"),
    (GOOD + 'user_hosts = ["x@y"]\n', 'user_hosts = ["x@y"]', "invalid TOML"),  # a key twice: TOML itself refuses
])
def test_every_error_names_the_file_and_line(tmp_path: Path, text: str, marker: str, needle: str) -> None:
    line = line_of(text, marker)
    message = error_of(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'inv.toml'}:{line}: "), message
    assert needle in message


def test_a_token_in_clear_is_rejected_and_never_echoed(tmp_path: Path) -> None:
    text = GOOD + SEL + f'secret_sha256 = ["{TOKEN_LIKE}"]\n'
    message = error_of(tmp_path, text)
    line = line_of(text, f'secret_sha256 = ["{TOKEN_LIKE}"]')
    assert message.startswith(f"{tmp_path / 'inv.toml'}:{line}: identity 'c': secret_sha256: looks like a token in clear")
    assert TOKEN_LIKE not in message and "hash-token" in message


def test_a_secret_pasted_into_another_selector_is_not_echoed(tmp_path: Path) -> None:
    text = GOOD + SEL + f'aws_key_ids = ["{TOKEN_LIKE}"]\n'
    message = error_of(tmp_path, text)
    assert "not an AWS access key id" in message and "not shown" in message and TOKEN_LIKE not in message


def test_the_line_of_a_bad_value_inside_a_multi_line_list(tmp_path: Path) -> None:
    text = GOOD + SEL + 'aws_key_ids = [\n  "AKIAIOSFODNN7EXAMPLE",\n  "AKIA-not-a-key",\n]\n'
    line = line_of(text, '  "AKIA-not-a-key",')
    assert error_of(tmp_path, text).startswith(f"{tmp_path / 'inv.toml'}:{line}: identity 'c': aws_key_ids 'AKIA-not-a-key'")


def test_selectors_are_normalised_whatever_form_they_come_in(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"public key blob").digest()
    import base64

    b64 = base64.b64encode(digest).decode().rstrip("=")
    colons = ":".join(f"{b:02X}" for b in digest)
    text = (f'[[identity]]\nid = "x"\nkind = "host"\n[identity.selectors]\n'
            f'ssh_fingerprints = ["SHA256:{b64}", "{digest.hex()}"]\n'
            f'spki_sha256 = ["{colons}", "SHA256:{b64}"]\n'
            f'cert_serials = [4660, "0x00:12:34"]\n'
            f'gcp_client_emails = ["ETL@Proj.iam.gserviceaccount.com"]\n'
            f'secret_sha256 = ["{digest.hex().upper()}"]\n')
    ident = load_inventory(write(tmp_path, text)).identities[0]
    assert ident.values("ssh_fingerprints") == (f"SHA256:{b64}",)  # both forms, one value
    assert ident.values("spki_sha256") == (digest.hex(),)
    assert ident.values("cert_serials") == ("1234",)  # the integer 4660 is 0x1234
    assert ident.values("gcp_client_emails") == ("etl@proj.iam.gserviceaccount.com",)
    assert ident.values("secret_sha256") == (digest.hex(),)


def test_json_inventory_with_the_same_keys(tmp_path: Path) -> None:
    doc = {"version": 1, "identity": [
        {"id": "svc", "kind": "workload", "owner": {"team": "t", "contact": "c"}, "created": "2024-02-03T04:05:06Z",
         "selectors": {"paths": ["/svc/"]}}],
        "path_owner": [{"pattern": "*.env", "owners": []}]}
    inv = load_inventory(write(tmp_path, json.dumps(doc, indent=2), "inv.json"))
    assert inv.identities[0].created == dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)
    assert inv.path_owners[0].owners == ()  # explicitly unowned


def test_json_inventory_errors_have_lines_too(tmp_path: Path) -> None:
    broken = '{\n  "identity": [\n    {"id": "a", "kind": "bot"},\n    {"id": "b",\n     "kind": "bot",\n     "ownr": "x"}\n  ]\n}\n'
    assert error_of(tmp_path, broken, "inv.json").startswith(f"{tmp_path / 'inv.json'}:6: unknown identity field 'ownr'")
    assert error_of(tmp_path, '{\n  "identity": [\n', "inv.json").startswith(f"{tmp_path / 'inv.json'}:3: invalid JSON")


def test_a_missing_inventory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="inventory file not found"):
        load_inventory(tmp_path / "nope.toml")


def test_what_is_written_reads_back_the_same(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, doc_example()))
    again = parse_inventory(dump_inventory(inv), "again.toml")
    strip = lambda i: (i.id, i.kind, i.name, i.owner, i.environment, i.tags, i.created, i.last_rotated,  # noqa: E731
                       i.max_age_days, i.notes, i.selectors)
    assert [strip(i) for i in again.identities] == [strip(i) for i in inv.identities]
    assert [(p.pattern, p.owners, p.repository) for p in again.path_owners] == \
           [(p.pattern, p.owners, p.repository) for p in inv.path_owners]


def test_merge_keeps_what_people_wrote_and_adds_what_providers_say() -> None:
    base = Inventory.of((Identity("svc", "workload", name="Service", owner=Owner("team-a"), max_age_days=30,
                                  selectors=(("aws_key_ids", ("AKIAIOSFODNN7EXAMPLE",)),)),))
    imported = Identity("svc", "service-account", name="svc-import", owner=Owner("team-b"), tags=("aws",),
                        last_rotated=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
                        selectors=(("gcp_client_emails", ("svc@p.iam.gserviceaccount.com",)),))
    merged, added, updated = merge(base, [imported, Identity("new", "bot")])
    svc = merged.by_id["svc"]
    assert (added, updated) == (1, 1)
    assert svc.name == "Service" and svc.kind == "workload" and svc.owner == Owner("team-a") and svc.max_age_days == 30
    assert svc.tags == ("aws",) and svc.last_rotated == dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    assert dict(svc.selectors) == {"aws_key_ids": ("AKIAIOSFODNN7EXAMPLE",),
                                   "gcp_client_emails": ("svc@p.iam.gserviceaccount.com",)}


def test_inventory_check_command(tmp_path: Path) -> None:
    good = write(tmp_path, doc_example())
    rc, out, err = cli_inprocess("inventory", "check", str(good))
    assert rc == 0 and out.startswith(f"ok: {good}: 5 identities, 11 selectors, 2 path owners"), err
    bad = write(tmp_path, GOOD + C + 'kind2 = "x"\n', "bad.toml")
    rc, out, err = cli_inprocess("inventory", "check", str(bad))
    assert rc == 2 and err.strip() == f"credsprawl: error: {bad}:18: unknown identity field 'kind2' " \
                                      f"(known: id, name, kind, owner, environment, tags, created, last_rotated, " \
                                      f"rotation_max_age_days, notes, selectors)"


def test_hash_token_prints_the_selector_and_never_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO((TOKEN_LIKE + "\n").encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    rc, out, _err = cli_inprocess("inventory", "hash-token")
    assert rc == 0 and out.strip() == hashlib.sha256(TOKEN_LIKE.encode()).hexdigest()
    assert TOKEN_LIKE not in out
