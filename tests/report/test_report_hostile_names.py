"""A file name that is not UTF-8 (hostile-inputs case 4) is reported, escaped, in every format of
``scan`` and of ``report``: never a crash, never a lost finding."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from fixtures import fakecreds
from gitutil import cli_inprocess

FORMATS = ("text", "json", "jsonl", "csv", "sarif")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "nu").mkdir()
    token = fakecreds.GENERATORS["github-pat-classic"](random.Random(31))
    with open(os.path.join(os.fsencode(tmp_path / "nu"), b"f\xff.txt"), "w") as fh:
        fh.write(f't = "{token}"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_scan_format_reports_the_file(folder: Path, fmt: str) -> None:
    out = folder / f"out.{fmt}"
    code, _, err = cli_inprocess("scan", "nu", "-q", "-f", fmt, "-o", str(out), "--engine", "ahocorasick")
    assert code == 1 and "Traceback" not in err and err == "", err
    text = out.read_text("utf-8")  # valid UTF-8 throughout
    if fmt == "sarif":
        assert "nu/f%FF.txt" in text and "f\\\\udcff.txt" in text  # URI bytes; text a backslash escape
    elif fmt in ("json", "jsonl"):
        lines = text.splitlines() if fmt == "jsonl" else [text]
        assert any("f\udcff.txt" in json.dumps(json.loads(line), ensure_ascii=False) for line in lines)
    else:
        assert "f\\udcff.txt" in text


@pytest.mark.parametrize("fmt", ("text", "json", "sarif", "html"))
def test_every_identity_report_format_reports_the_file(folder: Path, fmt: str) -> None:
    code, _, err = cli_inprocess("scan", "nu", "-q", "-f", "json", "-o", "nu.json", "--engine", "ahocorasick")
    assert code == 1, err
    out = folder / f"report.{fmt}"
    code, _, err = cli_inprocess("report", "nu.json", "-q", "-f", fmt, "-o", str(out), "--no-color")
    assert code == 1 and "Traceback" not in err and err == "", err
    text = out.read_text("utf-8")
    if fmt == "sarif":
        log = json.loads(text)
        assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "f%FF.txt"
    if fmt != "text":  # the text tables name no paths
        assert "udcff" in text
