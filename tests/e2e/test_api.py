"""The Python API (``scanner.api``): in-process scans of bytes, paths, a repository's history and its
staged changes give the findings the CLI gives for the same input, the report document redacts
secrets, settings carry custom and gitleaks rules, and calls share no state."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess
from scanner import api
from scanner.errors import CredsprawlError, UsageError
from scanner.results import ExitStatus


def _fake(kind: str, seed: int) -> str:
    return fakecreds.GENERATORS[kind](random.Random(seed))


@pytest.fixture
def creds() -> dict[str, str]:
    return {kind: _fake(kind, n) for n, kind in enumerate(("github-pat-classic", "stripe-secret-key", "npm-token"))}


@pytest.fixture
def folder(tmp_path: Path, creds: dict[str, str]) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(f"print('hi')\nGITHUB = '{creds['github-pat-classic']}'\n")
    (root / "deploy.env").write_text(f"STRIPE_KEY={creds['stripe-secret-key']}\nNPM_TOKEN={creds['npm-token']}\n")
    (root / "README.md").write_text("# nothing here\n")
    return root


@pytest.fixture
def repo(tmp_path: Path, creds: dict[str, str]) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write("README.md", "# demo\n")
    r.commit("initial import")
    r.write("app.py", f"TOKEN = '{creds['github-pat-classic']}'\n")
    r.commit("add a token", author="Bob Builder <bob@example.com>")
    r.write("app.py", "TOKEN = ''\n")
    r.write("deploy.env", f"STRIPE_KEY={creds['stripe-secret-key']}\n")
    r.commit("move the key")
    return r


def _cli_findings(*args: str) -> list[dict[str, Any]]:
    code, out, err = cli_inprocess(*args, "--format", "json", "--quiet")
    assert code in (ExitStatus.CLEAN, ExitStatus.FINDINGS), err
    return json.loads(out)["findings"]


def _api_findings(report: api.Report) -> list[dict[str, Any]]:
    return json.loads(api.report_document(report))["findings"]


def _secrets(report: api.Report) -> set[str]:
    return {f.secret for f in report.findings}


def test_the_public_names_are_exactly_these() -> None:
    assert sorted(api.__all__) == ["Finding", "Report", "Settings", "report_document", "scan_bytes", "scan_paths",
                                   "scan_repository", "scan_staged", "settings"]
    for name in api.__all__:
        assert getattr(api, name).__doc__, name
    assert "public surface" in (api.__doc__ or "")


def test_scan_paths_equals_the_cli(folder: Path, creds: dict[str, str]) -> None:
    report = api.scan_paths([folder], jobs=1)
    assert _secrets(report) == set(creds.values())
    assert all(isinstance(f, api.Finding) for f in report.findings)
    assert report.exit_status() == ExitStatus.FINDINGS and report.summary.files_scanned == 3
    assert _api_findings(report) == _cli_findings("scan", str(folder), "--jobs", "1")


def test_scan_paths_with_a_pool_equals_the_serial_scan(folder: Path) -> None:
    assert api.scan_paths([str(folder)], jobs=2).findings == api.scan_paths([str(folder)], jobs=1).findings


def test_scan_repository_equals_the_cli_and_attributes(repo: GitRepo, creds: dict[str, str]) -> None:
    report = api.scan_repository(repo.path, jobs=1)
    assert _secrets(report) == {creds["github-pat-classic"], creds["stripe-secret-key"]}
    [token] = [f for f in report.findings if f.secret == creds["github-pat-classic"]]
    extra = dict(token.origin.extra)
    assert extra["commit"] == repo.head("HEAD~1") and "Bob Builder" in extra["author"]
    assert _api_findings(report) == _cli_findings("history", str(repo.path), "--jobs", "1")


def test_scan_repository_branches_and_since(repo: GitRepo, creds: dict[str, str]) -> None:
    first = repo.head("HEAD~2")
    assert _secrets(api.scan_repository(repo.path, since=repo.head("HEAD~1"), jobs=1)) == {creds["stripe-secret-key"]}
    assert api.scan_repository(repo.path, branches=[first], jobs=1).findings == ()
    with pytest.raises(UsageError):
        api.scan_repository(repo.path.parent / "not-a-repo", jobs=1)


def test_scan_staged_equals_the_cli(repo: GitRepo, creds: dict[str, str]) -> None:
    repo.write("service.env", f"NPM_TOKEN={creds['npm-token']}\n")
    repo.git("add", "service.env")
    repo.write("unstaged.env", f"GH={_fake('github-pat-classic', 99)}\n")
    report = api.scan_staged(repo.path)
    assert _secrets(report) == {creds["npm-token"]}
    assert _api_findings(report) == _cli_findings("staged", str(repo.path))
    assert _secrets(api.scan_staged(repo.path, all_lines=True)) == {creds["npm-token"]}


def test_scan_bytes_finds_and_names(creds: dict[str, str]) -> None:
    data = f"x = 1\nkey = '{creds['stripe-secret-key']}'\n".encode()
    report = api.scan_bytes(data, name="config/settings.py", settings=api.settings())
    [finding] = report.findings
    assert finding.secret == creds["stripe-secret-key"] and finding.start_line == 2
    assert finding.origin.render() == "config/settings.py"
    assert report.summary.files_scanned == 1 and report.summary.bytes_scanned == len(data)
    assert api.scan_bytes(b"nothing to see\n").findings == ()


def test_scan_bytes_equals_scan_paths(tmp_path: Path, creds: dict[str, str]) -> None:
    data = f"GH={creds['github-pat-classic']}\nNPM={creds['npm-token']}\n".encode()
    (tmp_path / "one.env").write_bytes(data)
    from_file = api.scan_paths([tmp_path / "one.env"], api.settings(), jobs=1)
    from_bytes = api.scan_bytes(data, name="one.env", settings=api.settings())
    assert [(f.rule_id, f.secret, f.start_line, f.fingerprint, f.attributes) for f in from_bytes.findings] == \
           [(f.rule_id, f.secret, f.start_line, f.fingerprint, f.attributes) for f in from_file.findings]


def test_facts_are_derived_as_the_cli_derives_them(tmp_path: Path) -> None:
    key = _fake("gcp-service-account-json", 3)
    (tmp_path / "sa.json").write_text(key)
    report = api.scan_paths([tmp_path], jobs=1)
    emails = {f.attribute("gcp.client_email") for f in report.findings} - {None}
    assert len(emails) == 1  # a fact from elsewhere in the document than the secret
    assert {f.attribute("gcp.client_email") for f in api.scan_bytes(key.encode(), name="sa.json").findings} - {None} \
        == emails
    assert _api_findings(report) == _cli_findings("scan", str(tmp_path), "--jobs", "1")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif", "csv", "text"])
def test_report_document_redacts_by_default(folder: Path, creds: dict[str, str], fmt: str) -> None:
    report = api.scan_paths([folder], jobs=1)
    document = api.report_document(report, fmt)
    assert document and not any(secret in document for secret in creds.values())
    shown = api.report_document(report, fmt, show_secrets=True)
    assert all(secret in shown for secret in creds.values())


def test_report_document_is_the_cli_output(folder: Path) -> None:
    report = api.scan_paths([folder], jobs=1)
    code, out, _ = cli_inprocess("scan", str(folder), "--jobs", "1", "--format", "sarif", "--quiet")
    assert code == ExitStatus.FINDINGS
    assert _timeless(json.loads(api.report_document(report, "sarif", root=folder))) == _timeless(json.loads(out))


def _timeless(sarif: dict[str, Any]) -> dict[str, Any]:
    for run in sarif["runs"]:
        for key in ("seconds", "mb_per_second"):
            run["properties"]["summary"].pop(key)
    return sarif


def test_an_unknown_format_is_a_usage_error(folder: Path) -> None:
    with pytest.raises(UsageError):
        api.report_document(api.scan_paths([folder], jobs=1), "yaml")


RULE = textwrap.dedent('''\
    [[rules]]
    id = "acme-internal"
    name = "Acme internal token"
    kind = "token"
    provider = "acme"
    severity = "high"
    confidence = "high"
    keywords = ["acmetok_"]
    regex = \'\'\'\\b(?P<secret>acmetok_[a-z0-9]{24})\\b\'\'\'
    examples = [{text = "t = acmetok_abcdefghij0123456789klmn", secret = "acmetok_abcdefghij0123456789klmn"}]
    negatives = ["acmetok_short"]
    ''')

GITLEAKS = textwrap.dedent('''\
    title = "globex"

    [[rules]]
    id = "globex-key"
    description = "Globex key"
    regex = \'\'\'globex_key_([0-9a-f]{20})\'\'\'
    keywords = ["globex_key_"]
    ''')


def test_settings_with_a_rule_file_and_a_gitleaks_config(tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(RULE)
    (tmp_path / "gitleaks.toml").write_text(GITLEAKS)
    rng = random.Random(5)
    acme = "acmetok_" + fakecreds.chars(rng, "abcdefghijklmnopqrstuvwxyz0123456789", 24)
    globex = "globex_key_" + fakecreds.chars(rng, "0123456789abcdef", 20)
    data = f"a = '{acme}'\nb = '{globex}'\n".encode()
    assert api.scan_bytes(data, settings=api.settings()).findings == ()
    custom = api.settings(rules=[tmp_path / "acme.toml"], gitleaks_config=[tmp_path / "gitleaks.toml"])
    assert {(f.rule_id, f.secret) for f in api.scan_bytes(data, settings=custom).findings} == \
           {("acme-internal", acme), ("globex-key", globex[len("globex_key_"):])}
    without = api.settings(rules=[tmp_path / "acme.toml"], disable=["acme-internal"])
    assert api.scan_bytes(data, settings=without).findings == ()
    # the same through a config file, found in a search folder or named
    (tmp_path / ".credsprawl.toml").write_text('rules = ["acme.toml"]\n\n[extend]\ngitleaks = "gitleaks.toml"\n')
    for chosen in (api.settings(search=[tmp_path]), api.settings(tmp_path / ".credsprawl.toml")):
        assert {f.rule_id for f in api.scan_bytes(data, settings=chosen).findings} == {"acme-internal", "globex-key"}


def test_settings_none_reads_the_scanned_folders_config_as_the_cli_does(tmp_path: Path) -> None:
    (tmp_path / "gitleaks.toml").write_text(GITLEAKS)
    (tmp_path / ".credsprawl.toml").write_text('[extend]\ngitleaks = "gitleaks.toml"\n')
    globex = "globex_key_" + fakecreds.chars(random.Random(6), "0123456789abcdef", 20)
    (tmp_path / "app.cfg").write_text(f"key = {globex}\n")
    report = api.scan_paths([tmp_path], jobs=1)
    assert [f.rule_id for f in report.findings] == ["globex-key"]
    assert _api_findings(report) == _cli_findings("scan", str(tmp_path), "--jobs", "1")


def test_settings_filters_and_bad_values(tmp_path: Path, folder: Path, creds: dict[str, str]) -> None:
    assert _secrets(api.scan_paths([folder], api.settings(exclude=["*.env"]), jobs=1)) == \
           {creds["github-pat-classic"]}
    with pytest.raises(UsageError):
        api.settings(min_confidence="extreme")
    with pytest.raises(CredsprawlError, match="missing.toml"):
        api.settings(rules=[tmp_path / "missing.toml"])


def test_gitleaksignore_at_the_root_is_honoured_as_by_the_cli(folder: Path, creds: dict[str, str]) -> None:
    [token] = [f for f in api.scan_paths([folder], jobs=1).findings if f.secret == creds["github-pat-classic"]]
    (folder / ".gitleaksignore").write_text(f"src/app.py:{token.rule_id}:{token.start_line}\n")
    report = api.scan_paths([folder], jobs=1)
    assert creds["github-pat-classic"] not in _secrets(report)
    assert _api_findings(report) == _cli_findings("scan", str(folder), "--jobs", "1")


def test_calls_share_no_state(tmp_path: Path, folder: Path, creds: dict[str, str]) -> None:
    (tmp_path / "acme.toml").write_text(RULE)
    acme = "acmetok_" + fakecreds.chars(random.Random(8), "abcdefghijklmnopqrstuvwxyz0123456789", 24)
    (folder / "acme.txt").write_text(f"t = {acme}\n")
    plain = api.scan_paths([folder], api.settings(), jobs=1)
    custom = api.scan_paths([folder], api.settings(rules=[tmp_path / "acme.toml"], disable=["npm-token"]), jobs=1)
    again = api.scan_paths([folder], api.settings(), jobs=1)
    assert acme not in _secrets(plain) and acme in _secrets(custom)
    assert creds["npm-token"] in _secrets(plain) and creds["npm-token"] not in _secrets(custom)
    assert again.findings == plain.findings and set(again.rules) == set(plain.rules)
    assert "acme-internal" not in again.rules


def test_a_bare_repository_has_no_index(tmp_path: Path) -> None:
    bare = GitRepo(tmp_path / "bare.git", bare=True)
    with pytest.raises(UsageError, match="bare repository"):
        api.scan_staged(bare.path)
