"""The engine on in-memory content: decoders, chunking, inline allows, overlaps, companions."""

from __future__ import annotations

import base64
import io
import json
from urllib.parse import quote

import pytest

from fixtures import fakecreds
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.model import Origin
from scanner.rules.load import load_rules

RULES = load_rules()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(RULES)


def scan(engine: Engine, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return engine.scan_bytes(data, Origin("f.txt")).findings


def test_base64_kubernetes_secret_value_is_decoded_and_located(engine, gh) -> None:
    encoded = base64.b64encode(f"GITHUB_TOKEN={gh}".encode()).decode()
    doc = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  env: {encoded}\n"
    [f] = [f for f in scan(engine, doc) if f.rule_id == "github-pat-classic"]
    assert f.secret == gh and f.decoded == ("base64",)
    assert (f.start_line, f.start_column, f.end_column) == (6, 8, 8 + len(encoded))


def test_url_safe_base64_unpadded_is_decoded(engine, gh) -> None:
    encoded = base64.urlsafe_b64encode(f"{{'t': '{gh}'}}".encode()).decode().rstrip("=")
    [f] = scan(engine, f"blob = {encoded}\n")
    assert f.secret == gh and f.decoded == ("base64",)


def test_percent_encoded_token_is_found_at_the_encoded_text(engine, gh) -> None:
    url = "https://ci.example.org/hook?payload=" + quote(json.dumps({"token": gh}), safe="")
    [f] = scan(engine, f"# call\ncurl '{url}'\n")
    assert f.secret == gh and f.decoded == ("percent",) and f.start_line == 2


def test_json_escaped_string_is_found_once(engine, gh) -> None:
    doc = '{"remote": "https:\\/\\/x-access-token:' + gh + '@github.com\\/org\\/repo.git"}'
    found = [f for f in scan(engine, doc) if f.rule_id == "github-pat-classic"]
    assert len(found) == 1 and found[0].secret == gh


def test_unicode_escaped_delimiters_are_decoded(engine, gh) -> None:
    # HTML-safe JSON escapes quotes and angle brackets: the token is glued to "0022" until decoded
    doc = '{"html": "\\u003cmeta content=\\u0022' + gh + '\\u0022\\u003e"}'
    [f] = scan(engine, doc)
    assert f.secret == gh and f.decoded == ("json-escape",)


def test_decode_depth_zero_disables_decoding(gh) -> None:
    encoded = base64.b64encode(f"token={gh}".encode()).decode()
    plain = Engine(RULES, EngineSettings(max_decode_depth=0))
    assert scan(plain, f"x: {encoded}\n") == ()


@pytest.mark.parametrize("marker", ["# credsprawl:allow", "// gitleaks:allow", "# pragma: allowlist secret"])
def test_inline_allow_markers(engine, gh, marker) -> None:
    assert scan(engine, f"t = '{gh}'  {marker}\n") == ()
    assert len(scan(engine, f"t = '{gh}'\n")) == 1


def test_wrong_checksum_is_not_a_finding(engine, rng) -> None:
    assert scan(engine, f"t = '{fakecreds.github_token_wrong_checksum(rng)}'\n") == ()


def test_specific_rule_wins_over_generic_on_the_same_text(engine, gh) -> None:
    [f] = scan(engine, f'password = "{gh}"\n')
    assert f.rule_id == "github-pat-classic"


def test_fingerprint_ignores_location_and_whitespace(engine, gh) -> None:
    a = scan(engine, f"t = '{gh}'\n")[0]
    b = scan(engine, f"\n\n\n    other = \"{gh}\"\n")[0]
    assert a.fingerprint == b.fingerprint and a.start_line != b.start_line


def test_chunked_stream_finds_secret_across_a_chunk_border_once(gh) -> None:
    settings = EngineSettings(chunk_size=4096, chunk_overlap=512)
    engine = Engine(RULES, settings)
    lines = [f"line {i} " + "x" * 40 for i in range(400)]
    text = "\n".join(lines) + "\n"
    border = 4096 - 20  # the token starts 20 bytes before the first chunk border
    line_no = text.count("\n", 0, border) + 1
    data = (text[:border] + f" {gh} " + text[border:]).encode()
    whole = Engine(RULES).scan_bytes(data, Origin("big.txt")).findings
    chunked = engine.scan_stream(io.BytesIO(data), Origin("big.txt"), len(data)).findings
    assert [(f.secret, f.start_line, f.start_column) for f in chunked] == [
        (f.secret, f.start_line, f.start_column) for f in whole
    ]
    assert len(chunked) == 1 and chunked[0].start_line == line_no


def test_chunked_stream_counts_lines_across_many_chunks(gh) -> None:
    engine = Engine(RULES, EngineSettings(chunk_size=1024, chunk_overlap=256))
    body = "".join(f"row {i}\n" for i in range(5000))
    data = (body + f"t={gh}\n" + body + f"u={gh}\n").encode()
    found = engine.scan_stream(io.BytesIO(data), Origin("log"), len(data)).findings
    assert [f.start_line for f in found] == [5001, 10002]


@pytest.mark.parametrize(("generator", "rule_id"), [
    ("rsa-private-key", "private-key-rsa"),
    ("ec-private-key", "private-key-ec"),
    ("pkcs8-private-key", "private-key-pkcs8"),
    ("openssh-private-key", "private-key-openssh"),
])
def test_multiline_private_key_region(engine, rng, generator, rule_id) -> None:
    key = fakecreds.GENERATORS[generator](rng)
    [f] = scan(engine, "# deploy key\n" + key + "\n")
    assert f.rule_id == rule_id
    assert (f.start_line, f.start_column) == (2, 1)
    assert f.end_line == 1 + key.count("\n") + 1
    assert f.secret.startswith("-----BEGIN") and f.secret.rstrip().endswith("-----")


def test_indented_legacy_encrypted_pem_passes_the_validator(rng) -> None:
    from scanner.match.validators import pem_private_key

    key = fakecreds.GENERATORS["rsa-private-key-encrypted-legacy"](rng)
    indented = "\n".join("    " + line for line in key.splitlines())
    assert pem_private_key(indented) is not None


def test_percent_encoded_password_is_reported_once_decoded(engine) -> None:
    found = scan(engine, "DATABASE_URL=postgresql://etl:Ab%40cd%2Fef9Q@db.internal:5432/app\n")
    assert [(f.rule_id, f.secret, f.decoded) for f in found] == [("uri-postgres", "Ab@cd/ef9Q", ())]
