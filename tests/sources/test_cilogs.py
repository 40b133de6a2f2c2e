"""CI logs: recognised, normalised for matching, reported on the original lines; masked values are not findings."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from archiveutil import zip_bytes
from conftest import scan_json

from fixtures import fakecreds
from scanner.pipeline.route import scan_blob
from scanner.pipeline.engine import Engine
from scanner.model import Blob, Origin
from scanner.rules.load import load_rules
from scanner.sources import cilogs

TS = "2024-05-31T12:34:56.1234567Z "
BOM = "\ufeff"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules())


def github_log(lines: list[str]) -> bytes:
    return (BOM + "".join(f"{TS}{line}\n" for line in lines)).encode()


def test_formats_are_recognised() -> None:
    assert cilogs.detect(github_log(["Current runner version: '2.317.0'", "##[group]Operating System", "Ubuntu"])) == "github-actions"
    gitlab = b"\x1b[0KRunning with gitlab-runner 17.0.0\n" b"section_start:1717000000:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing\x1b[0;m\n"
    assert cilogs.detect(gitlab) == "gitlab"
    assert cilogs.detect(b"2024-05-31T12:00:00.123456Z 00O Running with gitlab-runner\n2024-05-31T12:00:00.2Z 00O+ more\n") == "gitlab"
    assert cilogs.detect(b"Started by user admin\n[Pipeline] Start of Pipeline\n[Pipeline] node\n") == "jenkins"
    assert cilogs.detect(b"Build-agent version 1.0.227\nSystem information:\n") == "circleci"
    assert cilogs.detect(b"\x1b[32mok\x1b[0m all good\n") == "console"
    assert cilogs.detect(b"import os\nprint('2024-05-31T12:00:00Z')\n") is None
    assert cilogs.detect(b"2024-05-31 is the date\nnothing else\n") is None


def test_normalise_keeps_lines_and_maps_offsets_back() -> None:
    data = github_log(["\x1b[36;1mecho hi\x1b[0m", "plain"])
    view = cilogs.normalise(data)
    assert view.data == b"echo hi\nplain\n"
    assert data[view.to_original(view.data.index(b"plain")):].startswith(b"plain")
    assert data[view.to_original(view.data.index(b"hi")):].startswith(b"hi\x1b[0m")


def test_github_actions_log_reports_original_line_and_column(engine: Engine, gh: str) -> None:
    log = github_log(["Run ./deploy.sh", "##[group]Run ./deploy.sh", f"\x1b[32mTOKEN={gh}\x1b[0m", "##[endgroup]"])
    result = scan_blob(engine, Blob(log, Origin("build/3_Deploy.txt")))
    [f] = result.findings
    assert (f.start_line, f.start_column) == (3, len(TS) + len("\x1b[32mTOKEN=") + 1)
    assert f.line_text.startswith(TS) and gh in f.line_text  # the original line, timestamp and colours included
    assert f.origin.get("log") == "github-actions"
    assert f.secret == gh


def test_secret_split_by_colour_codes_is_found(engine: Engine, gh: str) -> None:
    split = gh[:10] + "\x1b[1m" + gh[10:] + "\x1b[0m"
    [f] = scan_blob(engine, Blob(github_log(["step", f"export GH={split}"]), Origin("log.txt"))).findings
    assert f.secret == gh and f.start_line == 2


def test_masked_value_is_not_a_finding_and_unmasked_is(engine: Engine, gh: str) -> None:
    masked = github_log(["Run curl -H 'Authorization: token ***' https://api.github.com",
                         "git clone https://x-access-token:***@github.com/o/r.git", "PASSWORD=***"])
    assert scan_blob(engine, Blob(masked, Origin("a.txt"))).findings == ()
    leaked = github_log(["Run curl", f"git clone https://x-access-token:{gh}@github.com/o/r.git"])
    assert [f.start_line for f in scan_blob(engine, Blob(leaked, Origin("b.txt"))).findings] == [2]


@pytest.mark.parametrize("name, log, line", [
    ("gitlab", "\x1b[0KRunning with gitlab-runner 17.0.0\n"
               "section_start:1717000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting step\x1b[0;m\n"
               "2024-05-31T12:00:00.123456Z 00O $ export DEPLOY_TOKEN={s}\n"
               "section_end:1717000001:step_script\r\x1b[0K\n", 3),
    ("jenkins", "Started by user admin\n[Pipeline] Start of Pipeline\n"
                "\x1b[8mha:////4AAAAlYWZzZGZzZGY=\x1b[0m[Pipeline] sh\n"
                "[2024-05-31T12:00:01.000Z] + curl -u deploy:{s} https://example.com\n", 4),
    ("circleci", "Build-agent version 1.0.227\n#!/bin/bash -eo pipefail\n\x1b[33mexport TOKEN={s}\x1b[0m\n", 3),
])
def test_other_ci_logs(engine: Engine, gh: str, name: str, log: str, line: int) -> None:
    data = log.replace("{s}", gh).encode()
    [f] = scan_blob(engine, Blob(data, Origin(f"{name}.log"))).findings
    assert (f.origin.get("log"), f.start_line, f.secret) == (name, line, gh)
    original = data.decode().split("\n")[line - 1]
    assert f.start_column == original.index(gh) + 1
    assert f.line_text == original


def test_actions_logs_zip_from_disk(tmp_path: Path, rng: random.Random) -> None:
    a, b = fakecreds.github_token(rng), fakecreds.slack_bot_token(rng)
    zipped = zip_bytes({
        "0_build.txt": github_log(["Set up job", f"export A={a}"]),
        "build/1_Set up job.txt": github_log(["Set up job"]),
        "build/2_Run tests.txt": github_log(["pytest", "***", f"export A={a}"]),
        "deploy/system.txt": github_log(["Requested labels: ubuntu-latest"]),
        "1_deploy.txt": github_log([f"curl -H 'Authorization: Bearer {b}'"]),
    })
    (tmp_path / "logs_42.zip").write_bytes(zipped)
    code, report = scan_json(str(tmp_path))
    assert code == 1
    got = {(f["path"], f["start_line"], f["start_column"]) for f in report["findings"]}
    col = len(TS) + len("export A=") + 1
    assert ("logs_42.zip!build/2_Run tests.txt", 3, col) in got
    assert ("logs_42.zip!0_build.txt", 2, col) in got
    assert any(p == "logs_42.zip!1_deploy.txt" for p, _, _ in got)
    assert all(f["origin"][-1]["extra"]["log"] == "github-actions" for f in report["findings"])
