"""fixtures/fakecreds.py: shapes, checksums and determinism of the fake credentials."""

from __future__ import annotations

import base64
import json
import random
import re
import string
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures import fakecreds  # noqa: E402

B62 = "[0-9A-Za-z]"
URL = "[A-Za-z0-9_-]"
PEM_BODY = r"(?:[A-Za-z0-9+/=]{1,64}\n)+"
B64_BODY = r"[A-Za-z0-9+/]+={0,2}"
PASS = r"[A-Za-z0-9._~-]{12,24}"


def _pem(label: str, width: int = 64, headers: str = "") -> str:
    body = rf"(?:[A-Za-z0-9+/=]{{1,{width}}}\n)+"
    return rf"-{{5}}BEGIN {label}-{{5}}\n{headers}{body}-{{5}}END {label}-{{5}}"


SHAPES: dict[str, str] = {
    "aws-access-key-id": "AKIA[A-Z2-7]{16}",
    "aws-secret-access-key": "[A-Za-z0-9/+]{40}",
    "aws-temporary-access-key-id": "ASIA[A-Z2-7]{16}",
    "aws-session-token": "IQoJb3JpZ2luX2Vj[A-Za-z0-9/+]{500,1000}={0,2}",
    "github-pat-classic": f"ghp_{B62}{{36}}",
    "github-oauth-token": f"gho_{B62}{{36}}",
    "github-user-to-server-token": f"ghu_{B62}{{36}}",
    "github-server-to-server-token": f"ghs_{B62}{{36}}",
    "github-refresh-token": f"ghr_{B62}{{36}}",
    "github-fine-grained-pat": f"github_pat_{B62}{{22}}_{B62}{{59}}",
    "gitlab-pat": f"glpat-{URL}{{20}}",
    "slack-bot-token": "xoxb-[1-9][0-9]{9,12}-[1-9][0-9]{9,12}-[A-Za-z0-9]{24}",
    "slack-user-token": "xoxp-(?:[1-9][0-9]{9,12}-){3}[0-9a-f]{32}",
    "slack-app-token": "xapp-1-A[A-Z0-9]{10}-[0-9]{13}-[0-9a-f]{64}",
    "slack-webhook-url": r"https://hooks\.slack\.com/services/T[A-Z0-9]{8}/B[A-Z0-9]{8,10}/[A-Za-z0-9]{24}",
    "stripe-secret-key": "sk_live_(?:[A-Za-z0-9]{24}|[A-Za-z0-9]{99})",
    "stripe-restricted-key": "rk_live_(?:[A-Za-z0-9]{24}|[A-Za-z0-9]{99})",
    "stripe-webhook-secret": "whsec_[A-Za-z0-9]{32}",
    "google-api-key": f"AIza{URL}{{35}}",
    "gcp-service-account-json": r"\{\n  \"type\": \"service_account\",\n[\s\S]+\n\}",
    "azure-storage-connection-string": (
        "DefaultEndpointsProtocol=https;AccountName=[a-z0-9]{3,24};AccountKey=[A-Za-z0-9+/]{86}==;"
        r"EndpointSuffix=core\.windows\.net"
    ),
    "twilio-account-sid": "AC[0-9a-f]{32}",
    "twilio-api-key": "SK[0-9a-f]{32}",
    "twilio-auth-token": "[0-9a-f]{32}",
    "sendgrid-api-key": rf"SG\.{URL}{{22}}\.{URL}{{43}}",
    "mailgun-api-key": "key-[0-9a-f]{32}",
    "mailchimp-api-key": "[0-9a-f]{32}-us[0-9]{1,2}",
    "npm-token": f"npm_{B62}{{36}}",
    "pypi-token": f"pypi-AgEIcHlwaS5vcmc{URL}{{70,150}}",
    "dockerhub-pat": f"dckr_pat_{URL}{{27}}",
    "openai-project-key": f"sk-proj-{URL}{{74}}T3BlbkFJ{URL}{{74}}",
    "openai-legacy-key": "sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}",
    "anthropic-api-key": f"sk-ant-api03-{URL}{{93}}AA",
    "huggingface-token": "hf_[A-Za-z]{34}",
    "shopify-access-token": "shpat_[0-9a-f]{32}",
    "shopify-shared-secret": "shpss_[0-9a-f]{32}",
    "shopify-custom-app-token": "shpca_[0-9a-f]{32}",
    "shopify-private-app-token": "shppa_[0-9a-f]{32}",
    "datadog-api-key": "[0-9a-f]{32}",
    "datadog-app-key": "[0-9a-f]{40}",
    "newrelic-user-api-key": "NRAK-[A-Z0-9]{27}",
    "databricks-token": "dapi[0-9a-f]{32}",
    "vault-service-token": f"hvs\\.CAESI{URL}{{90,100}}",
    "vault-legacy-token": "s\\.[A-Za-z0-9]{24}",
    "terraform-cloud-token": f"[A-Za-z0-9]{{14}}\\.atlasv1\\.{URL}{{67}}",
    "heroku-api-key": f"HRKU-AA{URL}{{58}}",
    "heroku-legacy-api-key": "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    "digitalocean-pat": "dop_v1_[0-9a-f]{64}",
    "discord-bot-token": f"[MN]{URL}{{23,25}}\\.{URL}{{6}}\\.(?:{URL}{{27}}|{URL}{{38}})",
    "telegram-bot-token": f"[1-9][0-9]{{7,9}}:AA{URL}{{33}}",
    "square-access-token": f"EAAA{URL}{{60}}",
    "square-oauth-secret": f"sq0csp-{URL}{{43}}",
    "okta-api-token": f"00{URL}{{40}}",
    "postman-api-key": "PMAK-[0-9a-f]{24}-[0-9a-f]{34}",
    "doppler-token": "dp\\.pt\\.[A-Za-z0-9]{43}",
    "pulumi-access-token": "pul-[0-9a-f]{40}",
    "linear-api-key": "lin_api_[A-Za-z0-9]{40}",
    "grafana-cloud-token": "glc_eyJ[A-Za-z0-9+/]{32,400}={0,2}",
    "grafana-service-account-token": "glsa_[A-Za-z0-9]{32}_[0-9a-f]{8}",
    "jwt": f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\\.eyJ{URL}+\\.{URL}{{43}}",
    "rsa-private-key": _pem("RSA PRIVATE KEY"),
    "rsa-private-key-encrypted-legacy": _pem(
        "RSA PRIVATE KEY", headers="Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,[0-9A-F]{32}\n\n"
    ),
    "ec-private-key": _pem("EC PRIVATE KEY"),
    "dsa-private-key": _pem("DSA PRIVATE KEY"),
    "pkcs8-private-key": _pem("PRIVATE KEY"),
    "encrypted-private-key": _pem("ENCRYPTED PRIVATE KEY"),
    "openssh-private-key": _pem("OPENSSH PRIVATE KEY", width=70),
    "pgp-private-key-block": r"-{5}BEGIN PGP PRIVATE KEY BLOCK-{5}\n\n" + PEM_BODY
    + r"=[A-Za-z0-9+/]{4}\n-{5}END PGP PRIVATE KEY BLOCK-{5}",
    "age-secret-key": "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    "password": r"[!-~]{12,24}",
    "postgres-uri": rf"postgres(?:ql)?://\w+:{PASS}@[\w.-]+:5432/\w+",
    "mysql-uri": rf"mysql://\w+:{PASS}@[\w.-]+:3306/\w+",
    "mongodb-uri": rf"mongodb\+srv://\w+:{PASS}@cluster\d\.[a-z0-9]{{5}}\.mongodb\.net/\w+\?retryWrites=true&w=majority",
    "redis-uri": rf"redis://default:{PASS}@[\w.-]+:6379/\d+",
    "amqp-uri": rf"amqp://\w+:{PASS}@[\w.-]+:5672/\w+",
    "smtp-uri": rf"smtp://\w+:{PASS}@[\w.-]+:587",
    "jdbc-url": rf"jdbc:(?:postgresql|mysql|sqlserver)://[\w.-]+:\d+[/;].*password={PASS}.*",
    "adonet-connection-string": rf"Server=tcp:[\w.-]+,1433;Initial Catalog=\w+;.*User ID=\w+;Password={PASS};.*",
    "basic-auth-url": rf"https://\w+:{PASS}@[\w.:-]+/.*",
}

SEEDS = range(12)


# --- an implementation of GitHub's checksum independent of the module's -------------------------

_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _independent_checksum(entropy: str) -> str:
    crc = zlib.crc32(entropy.encode())
    digits = []
    while crc > 0:
        digits.append(_ALPHABET[crc % 62])
        crc //= 62
    return "".join(reversed(digits)).zfill(6)


def _independent_ok(token: str) -> bool:
    body = token[token.rindex("_") + 1 :]
    return len(body) == 36 and _independent_checksum(body[:30]) == body[30:]


def test_every_generator_has_a_shape() -> None:
    assert set(SHAPES) == set(fakecreds.GENERATORS)
    assert set(fakecreds.VARIABLE_NAMES) == set(fakecreds.GENERATORS)


@pytest.mark.parametrize("kind", sorted(fakecreds.GENERATORS))
def test_generator_returns_expected_shape(kind: str) -> None:
    shape = re.compile(SHAPES[kind])
    for seed in SEEDS:
        value = fakecreds.GENERATORS[kind](random.Random(seed))
        assert isinstance(value, str)
        assert shape.fullmatch(value), f"{kind} seed {seed}: {value[:120]!r}"


@pytest.mark.parametrize("kind", sorted(fakecreds.GENERATORS))
def test_same_seed_same_value_and_different_seeds_differ(kind: str) -> None:
    gen = fakecreds.GENERATORS[kind]
    first = [gen(random.Random(seed)) for seed in SEEDS]
    again = [gen(random.Random(seed)) for seed in SEEDS]
    assert first == again
    assert len(set(first)) == len(first)


def test_a_shared_rng_sequence_is_deterministic() -> None:
    def run() -> list[str]:
        rng = random.Random(42)
        return [fakecreds.generate(k, rng) for k in sorted(fakecreds.GENERATORS) * 2]

    assert run() == run()


@pytest.mark.parametrize("kind", ["classic", "oauth", "user-to-server", "server-to-server", "refresh"])
def test_github_checksum_round_trip(kind: str) -> None:
    for seed in range(200):
        token = fakecreds.github_token(random.Random(seed), kind)
        assert token.startswith(fakecreds.GITHUB_PREFIXES[kind])
        assert _independent_ok(token)
        assert fakecreds.checksum_ok(token)


def test_npm_checksum_round_trip() -> None:
    for seed in range(200):
        token = fakecreds.npm_token(random.Random(seed))
        assert _independent_ok(token)
        assert fakecreds.checksum_ok(token)


def test_base62_pads_small_checksums() -> None:
    # zlib.crc32 of some strings is small: the checksum still has 6 characters.
    assert fakecreds.base62(0, 6) == "000000"
    assert fakecreds.base62(61, 6) == "00000z"
    assert fakecreds.base62(62, 6) == "000010"
    assert fakecreds.base62(2**32 - 1, 6) == _independent_checksum_of_int(2**32 - 1)


def _independent_checksum_of_int(value: int) -> str:
    digits = []
    while value:
        digits.append(_ALPHABET[value % 62])
        value //= 62
    return "".join(reversed(digits)).zfill(6)


def test_wrong_checksum_differs_and_fails() -> None:
    for seed in range(200):
        good = fakecreds.github_token(random.Random(seed))
        bad = fakecreds.github_token_wrong_checksum(random.Random(seed))
        assert re.fullmatch(SHAPES["github-pat-classic"], bad)
        assert bad[:34] == good[:34]  # same prefix and entropy, only the checksum differs
        assert bad != good
        assert not _independent_ok(bad)
        assert not fakecreds.checksum_ok(bad)
        assert not _independent_ok(fakecreds.npm_token_wrong_checksum(random.Random(seed)))


def test_negative_generators() -> None:
    rng = random.Random(3)
    assert re.fullmatch("pk_live_(?:[A-Za-z0-9]{24}|[A-Za-z0-9]{99})", fakecreds.generate("stripe-publishable-key", rng))
    with pytest.raises(KeyError, match="unknown fake credential type"):
        fakecreds.generate("no-such-type", rng)


def test_aws_key_id_encodes_account_id() -> None:
    for seed in SEEDS:
        key = fakecreds.aws_access_key_id(random.Random(seed), account_id=123456789012 + seed)
        assert fakecreds.aws_account_id_of(key) == 123456789012 + seed
        assert key[4] in "QRSTUVWXYZ234567"  # modern key ids: the top bit of the encoded part is set


def test_azure_account_key_is_64_bytes() -> None:
    value = fakecreds.azure_storage_connection_string(random.Random(1))
    key = re.search("AccountKey=([^;]+);", value)
    assert key and len(key.group(1)) == 88 and len(base64.b64decode(key.group(1))) == 64


def test_jwt_decodes() -> None:
    token = fakecreds.jwt(random.Random(7))
    head, body, sig = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    assert json.loads(base64.urlsafe_b64decode(pad(head))) == {"alg": "HS256", "typ": "JWT"}
    claims = json.loads(base64.urlsafe_b64decode(pad(body)))
    assert {"sub", "iat", "exp"} <= set(claims) and claims["exp"] > claims["iat"]
    assert len(base64.urlsafe_b64decode(pad(sig))) == 32


def test_gcp_service_account_document() -> None:
    doc = json.loads(fakecreds.gcp_service_account_json(random.Random(2)))
    assert doc["type"] == "service_account"
    assert doc["client_email"].endswith(f"@{doc['project_id']}.iam.gserviceaccount.com")
    assert re.fullmatch(_pem("PRIVATE KEY") + "\n", doc["private_key"])
    assert re.fullmatch("[0-9a-f]{40}", doc["private_key_id"])


def _pem_der(text: str) -> bytes:
    lines = [line for line in text.splitlines() if line and not line.startswith("-----") and ":" not in line]
    return base64.b64decode("".join(lines))


def _der_read(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """(tag, content, next position) of one DER element."""
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    return tag, data[pos : pos + length], pos + length


@pytest.mark.parametrize("kind", ["rsa-private-key", "ec-private-key", "dsa-private-key", "pkcs8-private-key",
                                  "encrypted-private-key"])
def test_pem_bodies_are_one_well_formed_der_sequence(kind: str) -> None:
    for seed in SEEDS:
        der = _pem_der(fakecreds.GENERATORS[kind](random.Random(seed)))
        tag, _content, end = _der_read(der)
        assert tag == 0x30 and end == len(der)


def test_ec_public_point_is_on_p256() -> None:
    p = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    for seed in range(4):
        der = _pem_der(fakecreds.ec_private_key(random.Random(seed)))
        point = der[-64:]
        x, y = int.from_bytes(point[:32], "big"), int.from_bytes(point[32:], "big")
        assert (y * y - (x * x * x - 3 * x + b)) % p == 0


def test_real_rsa_key_is_consistent() -> None:
    der = fakecreds.rsa_private_key_der(random.Random(5), bits=512, real=True)
    _, seq, _ = _der_read(der)
    ints, pos = [], 0
    while pos < len(seq):
        _, content, pos = _der_read(seq, pos)
        ints.append(int.from_bytes(content, "big"))
    _version, n, e, d, p, q, dp, dq, qinv = ints
    assert n == p * q and n.bit_length() == 512
    assert (d * e) % ((p - 1) * (q - 1)) == 1
    assert dp == d % (p - 1) and dq == d % (q - 1) and (qinv * q) % p == 1


def test_openssh_key_layout() -> None:
    blob = _pem_der(fakecreds.openssh_private_key(random.Random(1)))
    assert blob.startswith(b"openssh-key-v1\x00\x00\x00\x00\x04none\x00\x00\x00\x04none")
    assert b"ssh-ed25519" in blob


def test_pgp_armor_checksum() -> None:
    text = fakecreds.pgp_private_key_block(random.Random(1))
    lines = text.splitlines()
    crc_line = next(line for line in lines if line.startswith("="))
    packet = base64.b64decode("".join(line for line in lines[2:] if not line.startswith(("=", "-"))))
    assert packet[0] == 0x95  # secret-key packet
    assert base64.b64decode(crc_line[1:]) == _crc24(packet).to_bytes(3, "big")


def _crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc = (crc << 1) ^ (0x1864CFB if crc & 0x800000 else 0)
    return crc & 0xFFFFFF


def test_age_key_has_valid_bech32_checksum() -> None:
    for seed in SEEDS:
        key = fakecreds.age_secret_key(random.Random(seed))
        assert fakecreds.bech32_verify(key)
        broken = key[:-1] + ("Q" if key[-1] != "Q" else "P")
        assert not fakecreds.bech32_verify(broken)


def test_passwords_have_every_class_and_no_quotes() -> None:
    for seed in range(100):
        pw = fakecreds.password(random.Random(seed))
        assert not set(pw) & set(" \t\n'\"`\\")
        assert any(c.islower() for c in pw) and any(c.isupper() for c in pw) and any(c.isdigit() for c in pw)


def test_source_has_no_credential_shaped_literals() -> None:
    source = (ROOT / "fixtures" / "fakecreds.py").read_text()
    for pattern in (r"AKIA[0-9A-Z]{16}", r"gh[pousr]_[A-Za-z0-9]{36}", r"xox[bp]-[0-9]{8,}",
                    r"-----BEGIN [A-Z ]*PRIVATE KEY", r"sk_live_[A-Za-z0-9]{20,}", r"glpat-[A-Za-z0-9_-]{20}"):
        assert not re.search(pattern, source), pattern


def test_metadata_sets_name_known_types() -> None:
    known = set(fakecreds.GENERATORS)
    assert fakecreds.IDENTIFIERS <= known and fakecreds.NEEDS_CONTEXT <= known and fakecreds.MULTILINE <= known
    assert "twilio-account-sid" not in fakecreds.plantable()


def test_bench_corpus_is_deterministic_and_plants_where_it_says(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus  # bench/corpus.py
    finally:
        sys.path.remove(str(ROOT / "bench"))
    one = corpus.build(tmp_path / "one", 1.5, seed=7, jobs=1, quiet=True)
    two = corpus.build(tmp_path / "two", 1.5, seed=7, jobs=2, quiet=True)
    assert one["bytes"] == two["bytes"] and one["files"] == two["files"]
    files_one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file())
    assert files_one == files_two
    assert all((tmp_path / "one" / f).read_bytes() == (tmp_path / "two" / f).read_bytes() for f in files_one)
    planted = [json.loads(line) for line in (tmp_path / "one" / ".planted.jsonl").read_text().splitlines()]
    assert planted
    tree = tmp_path / "one" / "tree"
    for rec in planted:
        lines = (tree / rec["path"]).read_text().split("\n")
        span = "\n".join(lines[rec["line"] - 1 : rec["end_line"]])
        first = rec["secret"].split("\n")[0][:24]
        assert first in span or json.dumps(first)[1:-1] in span or "service_account" in span, rec
    # a second build with the same manifest is skipped
    assert corpus.build(tmp_path / "one", 1.5, seed=7, quiet=True) == json.loads((tmp_path / "one" / ".manifest.json").read_text())
