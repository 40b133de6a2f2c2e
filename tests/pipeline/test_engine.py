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


def _whole_and_chunked(data: bytes) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    chunked = Engine(RULES, EngineSettings(chunk_size=4096, chunk_overlap=512))
    whole = [(f.start_line, f.start_column) for f in Engine(RULES).scan_bytes(data, Origin("f")).findings]
    streamed = chunked.scan_stream(io.BytesIO(data), Origin("f"), len(data)).findings
    return whole, [(f.start_line, f.start_column) for f in streamed]


@pytest.mark.parametrize("filler", ["x", "\u00e9", "\u0a05", "\U0001f511"])
def test_chunked_stream_column_on_one_long_line(gh, filler) -> None:
    """Past the first chunk of one line, the column counts the characters of the chunks before
    (multi-byte characters too, even when a chunk border falls inside one)."""
    data = (filler * 10_001 + f' t="{gh}"\n').encode()
    whole, streamed = _whole_and_chunked(data)
    assert whole == streamed == [(1, 10_001 + 5)]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_chunked_stream_utf16_lines_with_0a_bytes(gh, codec) -> None:
    """U+0A05 is the bytes 05 0A: not a newline. Lines and columns past the first chunk stay right."""
    line = "\u0a05" * 20 + " \u010a text\n"
    text = line * 600 + "\u0a05" * 7 + f' t = "{gh}"\n'
    data = ("\ufeff" + text).encode(codec)
    whole, streamed = _whole_and_chunked(data)
    assert whole == streamed == [(601, 7 + 7)]


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
    assert [(f.rule_id, f.secret, f.decoded) for f in found] == [("uri-postgres", "Ab@cd/ef9Q", ("percent",))]


# ---- a percent escape glued to a token; a checksum that outranks a placeholder guess -------------


@pytest.mark.parametrize("backend", ["ahocorasick", "hyperscan"])
@pytest.mark.parametrize("escape", ["%3D", "%3d", "%2F", "%22"])
def test_a_single_percent_escape_before_a_token_hides_nothing(backend, escape, gh) -> None:
    from scanner.match.backends import hyperscan_available

    if backend == "hyperscan" and not hyperscan_available():
        pytest.skip("hyperscan is not installed on this platform")
    # the escape takes the word boundary the rule needs: only the decoded run shows the token
    found = Engine(RULES, EngineSettings(engine=backend)).scan_bytes(
        f'q = "state=token{escape}{gh}"\n'.encode(), Origin("f.txt")).findings
    assert [(f.rule_id, f.secret, f.decoded) for f in found] == [("github-pat-classic", gh, ("percent",))]


def test_a_percent_escape_does_not_report_a_token_twice(engine, gh) -> None:
    # found raw and in the decoded run: reported once, as found raw
    [f] = scan(engine, f"url = https://x.example/cb?a=1%20b&token={gh}\n")
    assert f.secret == gh and f.decoded == ()


def _with_marker(token: str, marker: str = "xxxx") -> str:
    """A checksum-valid GitHub/npm-style token whose random part holds ``marker``."""
    prefix, body = token[:-36], token[-36:]
    entropy = body[:10] + marker + body[10 + len(marker):30]
    return prefix + entropy + fakecreds.crc32_base62(entropy)


def _age_with_marker(rng) -> str:
    """A checksum-valid age identity whose data starts with "xxxx" (bech32 'x' is 5 bits 00110)."""
    data = bytes([0x31, 0x8C, 0x60 | rng.randrange(16)]) + bytes(rng.randrange(256) for _ in range(29))
    key = fakecreds.bech32_encode("age-secret" + "-key-", data).upper()
    assert "1XXXX" in key and fakecreds.bech32_verify(key)
    return key


CHECKSUM_VALIDATORS = ("crc32-base62", "bech32")  # the validators that return Validation.CHECKSUM


@pytest.mark.parametrize("rule_id", sorted(r.id for r in RULES.rules if r.validator in CHECKSUM_VALIDATORS))
def test_a_valid_checksum_outranks_a_placeholder_guess(engine, rng, rule_id) -> None:
    from scanner.match.safelist import is_placeholder
    from scanner.model import Validation

    rule = RULES.by_id[rule_id]
    secret = _age_with_marker(rng) if rule.validator == "bech32" else _with_marker(fakecreds.GENERATORS[rule_id](rng))
    assert is_placeholder(secret)  # the look of a placeholder ...
    found = [f for f in scan(engine, f"value = {secret}\n") if f.secret == secret]
    assert [(f.rule_id, f.validation) for f in found] == [(rule_id, Validation.CHECKSUM)]  # ... but proven real


def test_a_placeholder_with_a_wrong_checksum_stays_out(engine, rng) -> None:
    token = _with_marker(fakecreds.GENERATORS["github-pat-classic"](rng))
    wrong = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    assert not fakecreds.checksum_ok(wrong)
    assert scan(engine, f"value = {wrong}\n") == ()


# ---- the matcher is pure: compiled rules and a prefilter in, matches out ------------------------

_OPENED: list[str] | None = None  # while a list, every file opened is recorded in it


def _record_opens(event: str, args: tuple[object, ...]) -> None:
    if _OPENED is not None and event == "open":
        _OPENED.append(str(args[0]))


@pytest.mark.parametrize("backend", ["ahocorasick", "hyperscan"])
def test_the_matcher_opens_no_file(backend, gh, tmp_path, monkeypatch) -> None:
    """Built from compiled rules and a prefilter and run on bytes, the matcher reads no rule file and
    no cache: it opens nothing at all (the engine hands the caches' contents in)."""
    import sys

    from scanner.match.backends import hyperscan_available, make_prefilter
    from scanner.match.matcher import Matcher
    from scanner.rules.load import RuleSet

    global _OPENED
    if backend == "hyperscan" and not hyperscan_available():
        pytest.skip("hyperscan is not installed on this platform")
    monkeypatch.setenv("CREDSPRAWL_CACHE_DIR", str(tmp_path / "cache"))
    make_prefilter(backend, RULES.rules[:1])  # the backend's modules imported (an import opens files)
    sys.addaudithook(_record_opens)  # a hook stays for the process: it records only while _OPENED is a list
    _OPENED = []
    try:
        rules = RuleSet(RULES.rules).compiled  # patterns compiled here, not read from the regex cache
        matcher = Matcher(rules, make_prefilter(backend, RULES.rules), max_decode_depth=2)
        text = f"GITHUB_TOKEN={gh}\nblob: {base64.b64encode(f'token={gh}'.encode()).decode()}\n"
        found = matcher.scan(text).matches
        opened = _OPENED
    finally:
        _OPENED = None
    assert [(RULES.rules[m.rule_index].id, m.secret, m.decoded) for m in found] == [
        ("github-pat-classic", gh, ()), ("github-pat-classic", gh, ("base64",))]
    assert opened == [] and not (tmp_path / "cache").exists()
