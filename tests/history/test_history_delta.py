"""History scans of large files by what changed (``scanner.pipeline.delta``), on real repositories:
every report must equal the one of a scan that reads every blob whole (``CREDSPRAWL_NO_DELTA``), and
the versions must really have been scanned by their change (counted)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, by_path, extra, history_json
from scanner.pipeline import blobs

WORDS = ["request", "response", "handler", "config", "retries", "timeout", "payload", "session", "cursor",
         "buffer", "offset", "record", "schema", "widget", "encoder", "decoder", "journal", "ledger"]
UNICODE = ["# Größe der Einträge → ändern", "label = 'naïve café ☕'", "# 日本語のコメント", "msg = 'Ωmega ✓ done'"]


def code_lines(rng: random.Random, n: int, unicode: bool = False) -> list[str]:
    """Python-like lines, each different (so a file's versions align as real source does)."""
    out = []
    for i in range(n):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        if unicode and rng.random() < 0.2:
            out.append(f"{rng.choice(UNICODE)}  # {i}")
        elif rng.random() < 0.3:
            out.append(f"def {a}_{b}_{i}(self, {b}):")
        else:
            out.append(f"    {a}_{i} = {b}.get('{a}', {rng.randint(0, 9999)})  # {rng.random():.6f}")
    return out


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def token(rng: random.Random, kind: str = "github-pat-classic") -> str:
    return fakecreds.GENERATORS[kind](rng)


@pytest.fixture
def deltas(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per version offered to the delta scan: True when it was scanned by its change."""
    seen: list[bool] = []
    inner = blobs.scan_version

    def counted(*args: Any) -> Any:
        found = inner(*args)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(blobs, "scan_version", counted)
    return seen


def scan_both(repo: GitRepo, *args: str) -> dict[str, Any]:
    """The history report, checked equal to the one of a scan of every blob whole."""
    reports = []
    for env in ({}, {"CREDSPRAWL_NO_DELTA": "1"}):
        doc = history_json(repo.path, "--jobs", "1", "--show-secrets", *args, env=env)
        for key in ("seconds", "mb_per_second"):
            doc["summary"].pop(key)
        reports.append(doc)
    assert reports[0] == reports[1]
    return reports[0]


def secrets(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        out.setdefault(f["secret"], []).append(f)
    return out


def edit_versions(repo: GitRepo, name: str, lines: list[str], steps: int,
                  change: Callable[[int, list[str]], None]) -> list[str]:
    commits = []
    for step in range(steps):
        change(step, lines)
        repo.write(name, text(lines))
        commits.append(repo.commit(f"edit {step}"))
    return commits


def test_several_hunks_in_one_version(tmp_path: Path, deltas: list[bool]) -> None:
    rng = random.Random(1)
    repo = GitRepo(tmp_path / "repo")
    lines = code_lines(rng, 900)
    repo.write("src/big.py", text(lines))
    repo.commit("import")
    planted: dict[str, int] = {}

    def change(step: int, lines: list[str]) -> None:
        for at in sorted(rng.sample(range(20, len(lines) - 20), 4), reverse=True):  # four hunks, far apart
            lines[at:at + rng.randint(0, 2)] = code_lines(rng, rng.randint(1, 3))
        if step % 3 == 0:
            value = token(rng)
            at = rng.randrange(len(lines))
            lines.insert(at, f'GITHUB_TOKEN = "{value}"')
            planted[value] = step

    commits = edit_versions(repo, "src/big.py", lines, 12, change)
    report = scan_both(repo)
    found = secrets(report)
    assert set(planted) <= set(found)
    for value, step in planted.items():
        assert {extra(f)["commit"] for f in found[value]} == {commits[step]}
    assert len(deltas) == 12 and all(deltas)


def test_non_ascii_text(tmp_path: Path, deltas: list[bool]) -> None:
    rng = random.Random(2)
    repo = GitRepo(tmp_path / "repo")
    lines = code_lines(rng, 900, unicode=True)
    repo.write("docs/notes.py", text(lines))
    repo.commit("import")
    values = []

    def change(step: int, lines: list[str]) -> None:
        at = rng.randrange(10, len(lines) - 10)
        lines[at:at + 2] = [f"{rng.choice(UNICODE)} (Änderung {step})", rng.choice(UNICODE)]
        value = token(rng, "slack-bot-token")
        values.append(value)
        lines.insert(at + 1, f'SLACK = "{value}"  # Schlüssel für Übergabe ✓')
        lines.insert(rng.randrange(len(lines)), f'ÄÖÜ = "ß→{step}"; TOKEN_ÜBER = "{value}"')

    commits = edit_versions(repo, "docs/notes.py", lines, 6, change)
    report = scan_both(repo)
    found = secrets(report)
    for step, value in enumerate(values):
        assert {extra(f)["commit"] for f in found[value]} == {commits[step]}
        assert any(f["start_column"] == len('ÄÖÜ = "ß→0"; TOKEN_ÜBER = "') + 1 for f in found[value])
    assert all(deltas) and len(deltas) == 6


def test_private_key_edited_inside_and_far_from_the_edit(tmp_path: Path, deltas: list[bool]) -> None:
    rng = random.Random(3)
    repo = GitRepo(tmp_path / "repo")
    key = fakecreds.GENERATORS["rsa-private-key"](rng)
    head, tail = code_lines(rng, 30), code_lines(rng, 1500)
    block = key.splitlines()
    repo.write("certs/tool.py", text(head + ['KEY = """', *block, '"""'] + tail))
    first = repo.commit("add the tool with its key")
    # far from the key (more than two of its windows away): scanned by the change
    tail[1400:1401] = code_lines(rng, 2)
    repo.write("certs/tool.py", text(head + ['KEY = """', *block, '"""'] + tail))
    repo.commit("edit far below the key")
    # inside the key: one line of its body changed, so the block is another key
    inner = list(block)
    row = inner[5]
    inner[5] = row[:10] + ("A" if row[10] != "A" else "B") + row[11:]
    repo.write("certs/tool.py", text(head + ['KEY = """', *inner, '"""'] + tail))
    edited = repo.commit("edit inside the key")
    # the key's END line removed: no complete block any more
    repo.write("certs/tool.py", text(head + ['KEY = """', *inner[:-1], '"""'] + tail))
    cut = repo.commit("cut the key's last line")
    report = scan_both(repo)
    keys = [f for f in report["findings"] if f["rule_id"].startswith("private-key")]
    commits = {extra(f)["commit"] for f in keys}
    assert commits == {first, edited}
    assert {extra(f).get("removed_in") for f in keys} >= {cut}
    assert deltas[0] is True  # the edit far from the key did not widen to the whole blob


def test_secret_joined_across_a_hunk_boundary(tmp_path: Path, deltas: list[bool]) -> None:
    rng = random.Random(4)
    repo = GitRepo(tmp_path / "repo")
    lines = code_lines(rng, 900)
    repo.write("app/settings.py", text(lines))
    repo.commit("import")
    appended, prepended, joined = token(rng), token(rng, "gitlab-pat"), token(rng, "npm-token")
    lines[100] = f'A = "{appended[:14]}'
    lines[500] = f'{prepended[12:]}"'
    lines[700:701] = [f'C = "{joined[:15]}', f'{joined[15:]}"']
    repo.write("app/settings.py", text(lines))
    halves = repo.commit("halves only")
    lines[100] = f'A = "{appended}"'  # the rest appended to the line
    repo.write("app/settings.py", text(lines))
    c_append = repo.commit("append the rest")
    lines[500] = f'B = "{prepended}"'  # the start prepended
    repo.write("app/settings.py", text(lines))
    c_prepend = repo.commit("prepend the start")
    lines[700:702] = [f'C = "{joined}"']  # two lines joined into one
    repo.write("app/settings.py", text(lines))
    c_join = repo.commit("join the lines")
    report = scan_both(repo)
    found = secrets(report)
    assert {extra(f)["commit"] for f in found[appended]} == {c_append}
    assert {extra(f)["commit"] for f in found[prepended]} == {c_prepend}
    assert {extra(f)["commit"] for f in found[joined]} == {c_join}
    assert halves not in {extra(f)["commit"] for f in report["findings"]}
    assert all(deltas)


def test_secret_split_by_an_edit(tmp_path: Path, deltas: list[bool]) -> None:
    rng = random.Random(5)
    repo = GitRepo(tmp_path / "repo")
    lines = code_lines(rng, 900)
    value = token(rng)
    lines[450] = f'TOKEN = "{value}"'
    repo.write("svc/client.py", text(lines))
    added = repo.commit("add the token")
    lines[450:451] = [f'TOKEN = "{value[:18]}"', f'    "{value[18:]}"']  # split over two lines
    repo.write("svc/client.py", text(lines))
    split = repo.commit("split the token")
    lines[100] = "    unrelated = 1"
    repo.write("svc/client.py", text(lines))
    repo.commit("an edit elsewhere")
    report = scan_both(repo)
    [found] = secrets(report)[value]
    assert extra(found)["commit"] == added and extra(found)["removed_in"] == split
    assert all(deltas)


def test_readded_secret_keeps_its_first_commit(tmp_path: Path, deltas: list[bool]) -> None:
    rng = random.Random(6)
    repo = GitRepo(tmp_path / "repo")
    lines = code_lines(rng, 900)
    value = token(rng, "stripe-secret-key")
    repo.write("billing/api.py", text(lines))
    repo.commit("import")
    lines.insert(200, f'STRIPE_SECRET_KEY = "{value}"')
    repo.write("billing/api.py", text(lines))
    first = repo.commit("add the key")
    del lines[200]
    repo.write("billing/api.py", text(lines))
    repo.commit("remove the key")
    lines.insert(800, f'STRIPE_SECRET_KEY = "{value}"')  # the same value, elsewhere in the file
    repo.write("billing/api.py", text(lines))
    again = repo.commit("add it back")
    report = scan_both(repo)
    [found] = secrets(report)[value]
    # live again: the commit that brought it back, and the one that first introduced it
    assert extra(found)["first_commit"] == first and extra(found)["commit"] == again
    assert extra(found)["commits"] == "2" and all(deltas)


def test_path_and_ref_spread(tmp_path: Path, deltas: list[bool]) -> None:
    rng = random.Random(7)
    repo = GitRepo(tmp_path / "repo")
    lines = code_lines(rng, 900)
    value = token(rng, "huggingface-token")
    repo.write("pkg/a.py", text(lines))
    repo.commit("import")
    lines[300] = f'HF_TOKEN = "{value}"'
    repo.write("pkg/a.py", text(lines))
    added = repo.commit("add the token")
    repo.write("vendor/a_copy.py", text(lines))  # the same blob at a second path
    repo.commit("vendor a copy")
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "feature")
    lines[600] = "    changed_on_the_branch = True"
    repo.write("pkg/a.py", text(lines))
    repo.commit("branch edit")
    repo.git("checkout", "-q", "main")
    lines[800] = "    changed_on_main = True"
    repo.write("pkg/a.py", text(lines))
    repo.commit("main edit")
    report = scan_both(repo)
    paths = by_path(report)
    assert set(paths) == {"pkg/a.py", "vendor/a_copy.py"}
    [at_a] = paths["pkg/a.py"]
    assert extra(at_a)["commit"] == added and at_a["secret"] == value
    assert int(extra(at_a)["refs"]) >= 3  # main, feature, v1
    assert all(deltas) and len(deltas) >= 3
