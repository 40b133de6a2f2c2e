"""Redaction is the default in every format; show_secrets turns it off; the registry is strict."""

from __future__ import annotations

import io
import json

import pytest
from test_report_support import FORMATS, output, scenario

from scanner.errors import UsageError
from scanner.model import redact
from scanner.report import REPORTERS, ReportOptions, render

WINDOW = 8  # redact() keeps at most 6 leading characters, so no 8-character piece may survive

# which secrets a format shows at all when asked: csv and text have no companion column
SHOWS_COMPANION = {"json", "jsonl", "sarif"}


def clear_text(fmt: str, raw: str) -> str:
    """The output as a reader sees it: JSON string escapes decoded."""
    if fmt == "json" or fmt == "sarif":
        return json.dumps(json.loads(raw), ensure_ascii=False)
    if fmt == "jsonl":
        return "\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in raw.splitlines())
    return raw


def pieces(secret: str) -> set[str]:
    flat = "".join(secret.split())
    return {flat[i : i + WINDOW] for i in range(len(flat) - WINDOW + 1)}


def test_registry_has_every_format() -> None:
    assert set(REPORTERS) == {"text", "json", "jsonl", "csv", "sarif"}
    assert FORMATS == tuple(sorted(REPORTERS))


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_by_default(fmt: str) -> None:
    scen = scenario()
    for color in (False, True):
        seen = clear_text(fmt, output(fmt, scen.report, color=color))
        for secret in (*scen.secrets, scen.encoded):
            assert secret not in seen
            leaked = {p for p in pieces(secret) if p in seen}
            assert leaked == set(), f"{fmt} leaks part of a secret: {leaked}"
        assert redact(scen.repeated) in seen  # and the redacted form is there to recognise it


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_secrets_shows_them(fmt: str) -> None:
    scen = scenario()
    seen = clear_text(fmt, output(fmt, scen.report, show_secrets=True))
    wanted = [scen.repeated, scen.nested, scen.decoded, scen.git, scen.dsn, *scen.multiline.splitlines()]
    if fmt in SHOWS_COMPANION:
        wanted.append(scen.companion)
    for secret in wanted:
        assert secret in seen, f"{fmt} hides {secret[:6]} although show_secrets is set"
    if fmt in SHOWS_COMPANION:
        assert scen.encoded in seen  # the context line is shown as it was


@pytest.mark.parametrize("fmt", ["", "xml", "JSON", "html"])
def test_unknown_format_is_a_usage_error(fmt: str) -> None:
    out = io.StringIO()
    with pytest.raises(UsageError, match="unknown report format") as err:
        render(fmt, scenario().report, out, ReportOptions())
    assert "sarif" in str(err.value)
    assert out.getvalue() == ""


def test_reporters_do_not_change_the_report() -> None:
    scen = scenario()
    before = scen.report
    for fmt in FORMATS:
        output(fmt, scen.report, show_secrets=True)
    assert scen.report == before == scenario().report
