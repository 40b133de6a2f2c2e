"""Keywords are lower case and match text in any case, but their base64 and hex forms depend on the
case of every letter: the prefilter also holds the encoded forms of a keyword as the rule's pattern
spells it (``:APA91b``, ``AKCp``), so a token encoded as it is written is decoded."""

from __future__ import annotations

import random

import pytest

from fixtures import fakecreds as fc
from scanner.match.backends import hyperscan_available
from scanner.match.prefilter import AhoCorasickPrefilter, base64_variants, keyword_table, spelled_forms
from scanner.rules.cache import for_scanning
from scanner.rules.load import load_rules, spellings

RULES = load_rules()


@pytest.mark.parametrize("keyword, pattern, forms", [
    (":apa91b", r"(?P<secret>AAAA[0-9A-Za-z_-]{7}:APA91b[0-9A-Za-z_-]{130,140})", {":APA91b"}),
    ("akcp", r"(?<![0-9A-Za-z_-])(?P<secret>AKCp[0-9A-Za-z]{69})", {"AKCp"}),
    ("sg.", r"(?P<secret>SG\.[\w-]{22}\.[\w-]{43})", set()),  # upper case: its forms are there already
    ("ghp_", r"(?P<secret>ghp_[0-9A-Za-z]{36})", set()),  # lower case
    ("atzr|", r"(?P<secret>Atzr\|[\w-]{100,})", {"Atzr|"}),  # an escaped character read as written
    ("secret", r"(?i:secret)|(?-i:Secret)|SECRET", {"Secret"}),
    ("token", r"(?P<secret>[a-f0-9]{32})", set()),  # not in the pattern at all
])
def test_spelled_forms(keyword: str, pattern: str, forms: set[str]) -> None:
    assert spelled_forms(keyword, pattern) == forms


def test_the_table_holds_the_encoded_forms_of_spelled_keywords() -> None:
    table = keyword_table(RULES.rules, decode_base64=True)
    assert ":APA91b".encode().hex() in table  # hex of the FCM server key's separator as written
    assert ":apa91b".encode().hex() in table and ":APA91B".encode().hex() in table
    assert base64_variants("AKCp", exact=True) <= table.keys()  # a JFrog API key's prefix, in base64
    assert not base64_variants("AKCp", exact=True) <= base64_variants("akcp")
    assert keyword_table(RULES.rules, decode_base64=False).keys() == {k for r in RULES.rules for k in r.keywords}


def test_spellings_are_the_keywords_as_the_examples_write_them() -> None:
    assert spellings(("password=", "pwd="), ["Server=db;User Id=app;Password=x1;", "Uid=a;Pwd=y2;pwd=z", "PASSWORD=q"]) \
        == ("Password=", "Pwd=")
    adonet = RULES.by_id["adonet-password"]
    assert set(adonet.spellings) == {"Password=", "Pwd="}
    table = keyword_table(RULES.rules, decode_base64=True)
    assert base64_variants("Password=", exact=True) <= table.keys()  # an ADO.NET connection string in base64
    assert not base64_variants("Password=", exact=True) <= base64_variants("password=")
    assert for_scanning(RULES).by_id["adonet-password"].spellings == adonet.spellings  # kept without the examples


BACKENDS = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])


def _prefilter(backend: str):  # type: ignore[no-untyped-def]
    if backend == "ahocorasick":
        return AhoCorasickPrefilter(RULES.rules)
    from scanner.match.hyperscan_backend import HyperscanPrefilter
    from scanner.rules.hscache import shipped_database

    return HyperscanPrefilter(RULES.rules, prebuilt=shipped_database())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hex_encoded_fcm_key_marks_its_run_for_decoding(backend: str) -> None:
    key = fc.ALL_GENERATORS["firebase-cloud-messaging-server-key"](random.Random(3))
    text = "FCM_SERVER_KEY_HEX=" + key.encode().hex() + "\n"
    hits = _prefilter(backend).scan(text)
    assert hits.base64  # an encoded keyword: the hex run is decoded and scanned again
