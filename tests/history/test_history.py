"""``credsprawl history``: every blob of every ref scanned once, each finding tied to its commits."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from fixtures import fakecreds
from gitutil import GitRepo, by_path, extra, history_json


@pytest.fixture
def tokens() -> list[str]:
    rng = random.Random(7)
    return [fakecreds.github_token(rng) for _ in range(4)]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write("README.md", "# demo\n")
    r.write("app.py", "print('hello')\n")
    r.commit("initial import")
    return r


def test_added_then_deleted_names_both_commits(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("app.py", f"print('hello')\nTOKEN = '{tokens[0]}'\n")
    added = repo.commit("add the token", author="Bob Builder <bob@example.com>")
    repo.write("app.py", "print('hello')\n")
    removed = repo.commit("remove the token")
    report = history_json(repo.path)
    [f] = report["findings"]
    facts = extra(f)
    assert f["path"] == "app.py" and f["start_line"] == 2 and f["origin"][0]["kind"] == "git-blob"
    assert facts["commit"] == added and facts["author"] == "Bob Builder" and facts["email"] == "bob@example.com"
    assert facts["subject"] == "add the token" and facts["date"].startswith("2026-01-01T")
    assert facts["removed_in"] == removed and facts["status"] == "history"
    assert facts["blob"] == repo.blob(f"{added}:app.py")
    assert facts["commits"] == "1" and facts["paths"] == "1" and facts["refs"] == "0"
    assert tokens[0] not in json.dumps(report)  # redacted


def test_live_secret_points_at_its_current_line(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    added = repo.commit("add")
    repo.write("app.py", f"# a comment\n# another\nTOKEN = '{tokens[0]}'\n")
    repo.commit("comments")
    [f] = history_json(repo.path)["findings"]
    facts = extra(f)
    assert facts["status"] == "live" and "removed_in" not in facts
    assert facts["commit"] == added  # introduced there, even though the blob changed since
    assert f["start_line"] == 3 and facts["blob"] == repo.blob("HEAD:app.py")
    assert facts["commits"] == "2" and facts["refs"] == "1" and facts["ref"] == "refs/heads/main"


def test_secret_only_on_an_unmerged_branch(repo: GitRepo, tokens: list[str]) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature.py", f"KEY = '{tokens[1]}'\n")
    commit = repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    [f] = history_json(repo.path)["findings"]
    facts = extra(f)
    assert facts["status"] == "history" and facts["commit"] == commit and "removed_in" not in facts
    assert facts["ref"] == "refs/heads/feature" and facts["refs"] == "1"
    # --branch main does not see it; --branch feature does
    assert history_json(repo.path, "--branch", "main")["findings"] == []
    assert len(history_json(repo.path, "--branch", "feature")["findings"]) == 1


def test_secret_only_in_a_tag(repo: GitRepo, tokens: list[str]) -> None:
    repo.git("checkout", "-q", "-b", "release")
    repo.write("release.cfg", f"token={tokens[2]}\n")
    repo.commit("release config")
    repo.git("tag", "-a", "v1.0", "-m", "release 1.0")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "release")
    [f] = history_json(repo.path)["findings"]
    assert extra(f)["ref"] == "refs/tags/v1.0" and extra(f)["status"] == "history"


def test_rewritten_history_needs_include_unreachable(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    lost = repo.commit("oops")
    repo.write("app.py", "TOKEN = os.environ['TOKEN']\n")
    repo.git("commit", "-q", "--amend", "-a", "-m", "read the token from the environment")
    # a blob that was staged and never committed
    repo.write("scratch.txt", f"key {tokens[3]}\n")
    repo.git("add", "scratch.txt")
    repo.git("reset", "-q")
    repo.remove("scratch.txt")
    assert history_json(repo.path)["findings"] == []
    report = history_json(repo.path, "--include-unreachable")
    found = by_path(report)
    assert extra(found["app.py"][0])["status"] == "unreachable"
    assert extra(found["app.py"][0])["commit"] == lost
    [dangling] = [p for p in found if p.startswith("(unreachable)/")]
    assert extra(found[dangling][0])["status"] == "unreachable"
    code = run_cli("history", str(repo.path), "--include-unreachable", "--branch", "main", "-q")
    assert code.returncode == 2 and "--include-unreachable" in code.stderr


def test_history_rewritten_with_filter_branch_keeps_refs_original(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("secrets.env", f"GITHUB_TOKEN={tokens[0]}\n")
    repo.commit("add env")
    repo.env["FILTER_BRANCH_SQUELCH_WARNING"] = "1"
    repo.git("filter-branch", "-f", "--index-filter", "git rm -q --cached --ignore-unmatch secrets.env", "HEAD")
    report = history_json(repo.path)
    [f] = report["findings"]
    assert extra(f)["ref"] == "refs/original/refs/heads/main"
    assert history_json(repo.path, "--branch", "main")["findings"] == []


def test_renamed_file_is_two_paths(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("old.py", f"TOKEN = '{tokens[0]}'\n")
    added = repo.commit("add")
    repo.git("mv", "old.py", "new.py")
    renamed = repo.commit("rename")
    found = by_path(history_json(repo.path))
    old, new = extra(found["old.py"][0]), extra(found["new.py"][0])
    assert old["commit"] == added and old["removed_in"] == renamed and old["status"] == "history"
    # a rename is not an introduction: the copy at new.py came from the commit that added it
    assert new["commit"] == added and new["moved_in"] == renamed and new["status"] == "live"
    assert "moved_in" not in old and "first_commit" not in new
    assert old["paths"] == new["paths"] == "2"
    assert old["blob"] == new["blob"]  # one blob, scanned once
    assert history_json(repo.path)["summary"]["files_scanned"] == 3


def test_secret_added_back_after_removal_names_the_commit_that_added_it_back(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    added = repo.commit("add")
    repo.write("app.py", "TOKEN = os.environ['TOKEN']\n")
    repo.commit("remove")
    repo.write("app.py", f"TOKEN = '{tokens[0]}'  # back for the demo\n")
    readded = repo.commit("add it back", author="Rita Revert <rita@example.com>")
    [f] = history_json(repo.path)["findings"]
    facts = extra(f)  # live: the copy HEAD has came from the commit that added it back
    assert facts["status"] == "live" and facts["commit"] == readded and facts["author"] == "Rita Revert"
    assert facts["first_commit"] == added and "moved_in" not in facts
    # then a rename: the rename is not blamed, the re-introduction is
    repo.git("mv", "app.py", "main.py")
    renamed = repo.commit("rename")
    found = by_path(history_json(repo.path))
    old, new = extra(found["app.py"][0]), extra(found["main.py"][0])
    assert new["status"] == "live" and new["commit"] == readded and new["moved_in"] == renamed
    assert new["first_commit"] == added
    assert old["status"] == "history" and old["commit"] == added and old["readded_in"] == readded
    assert old["removed_in"] == renamed  # the removal that ended the latest copy at app.py
    # the credential's lifecycle: first seen at the first introduction, still live
    from scanner.identity.lifecycle import Loc, lifecycle
    import datetime as dt

    locs = [Loc(None, p, 1, 1, e["commit"], e["date"], e["author"], e["status"], first_commit=e.get("first_commit"),
                first_date=e.get("first_date"), first_author=e.get("first_author")) for p, e in (("app.py", old), ("main.py", new))]
    life = lifecycle(locs, dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc))
    assert life.first_seen is not None and life.first_seen["commit"] == added and life.live


def test_merged_branch_is_attributed_to_the_branch_commit(repo: GitRepo, tokens: list[str]) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("svc.py", f"TOKEN = '{tokens[1]}'\n")
    introduced = repo.commit("feature: token")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "# demo\nmore\n")
    repo.commit("main moves on")
    repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    [f] = history_json(repo.path)["findings"]
    facts = extra(f)
    assert facts["commit"] == introduced and facts["status"] == "live"
    assert facts["refs"] == "2"  # main and feature
    assert facts["commits"] == "2"  # the feature commit and the merge


def test_same_secret_in_several_files(repo: GitRepo, tokens: list[str]) -> None:
    for name in ("a.env", "b/config.yml", "c.py"):
        repo.write(name, f"token: {tokens[0]}\n")
    repo.commit("spread")
    report = history_json(repo.path)
    assert sorted(f["path"] for f in report["findings"]) == ["a.env", "b/config.yml", "c.py"]
    assert {extra(f)["paths"] for f in report["findings"]} == {"3"}
    assert {f["fingerprint"] for f in report["findings"]} == {report["findings"][0]["fingerprint"]}
    assert report["summary"]["unique_secrets"] == 1
    # identical content at several paths is one blob, scanned once
    assert report["summary"]["files_scanned"] == 3  # README, app.py, and the one shared blob


def test_jobs_1_and_2_give_identical_reports(repo: GitRepo, tokens: list[str]) -> None:
    rng = random.Random(3)
    for i in range(30):
        body = "".join(f"value_{j} = {rng.random()}\n" for j in range(20))
        if i % 7 == 0:
            body += f"TOKEN = '{tokens[i % 4]}'\n"
        repo.write(f"pkg/mod{i % 9}.py", body)
        repo.commit(f"change {i}")
        if i == 15:
            repo.git("checkout", "-q", "-b", "side")
    repo.git("checkout", "-q", "main")
    one = history_json(repo.path, "--jobs", "1")
    two = history_json(repo.path, "--jobs", "2")
    for r in (one, two):
        r["summary"].pop("seconds")
        r["summary"].pop("mb_per_second")
    assert one == two
    assert len(one["findings"]) >= 5


def test_range_and_since_scan_only_what_the_range_introduced(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("old.env", f"T={tokens[0]}\n")
    base = repo.commit("old secret")
    repo.write("new.env", f"T={tokens[1]}\n")
    repo.commit("new secret")
    repo.write("README.md", "# changed\n")
    tip = repo.commit("docs")
    for args in (("--since", base), ("--range", f"{base}..{tip}"), ("--range", f"{base}..HEAD")):
        report = history_json(repo.path, *args)
        assert [f["path"] for f in report["findings"]] == ["new.env"], args
        assert report["summary"]["files_scanned"] == 2  # new.env and README.md
    # a new branch: git's all-zero "before"; nothing is on a remote, so all of it
    report = history_json(repo.path, "--range", f"{'0' * 40}..{tip}")
    assert [f["path"] for f in report["findings"]] == ["new.env", "old.env"]
    bad = run_cli("history", str(repo.path), "--range", "nope..HEAD", "-q")
    assert bad.returncode == 2 and "nope" in bad.stderr


def test_pre_push_uses_pre_commit_env(repo: GitRepo, tokens: list[str]) -> None:
    base = repo.head()
    repo.write("push.env", f"T={tokens[1]}\n")
    tip = repo.commit("to push")
    env = {"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": tip}
    report = history_json(repo.path, "--pre-push", env=env)
    assert [f["path"] for f in report["findings"]] == ["push.env"]
    assert history_json(repo.path, "--pre-push", env={"PRE_COMMIT_FROM_REF": tip, "PRE_COMMIT_TO_REF": tip})[
        "findings"] == []


def test_stash_and_notes_are_scanned(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    repo.git("stash", "-q")
    repo.git("notes", "add", "-m", f"deploy with {tokens[1]}", "HEAD")
    found = history_json(repo.path)["findings"]
    refs = {extra(f)["ref"] for f in found}
    assert refs == {"refs/stash", "refs/notes/commits"}


def test_detached_head_and_non_utf8_paths(repo: GitRepo, tokens: list[str]) -> None:
    repo.write(b"caf\xe9.cfg", f"token={tokens[0]}\n".encode())
    commit = repo.commit("latin-1 name")
    repo.git("checkout", "-q", "--detach", commit)
    report = history_json(repo.path)
    [f] = report["findings"]
    assert f["path"] == "caf\u00e9.cfg" and extra(f)["status"] == "live"
    sarif = json.loads(run_cli("history", str(repo.path), "-f", "sarif", "-q").stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "caf%C3%A9.cfg"


def test_detached_head_commits_are_scanned(repo: GitRepo, tokens: list[str]) -> None:
    repo.git("checkout", "-q", "--detach")
    repo.write("detached.txt", f"token={tokens[0]}\n")
    commit = repo.commit("on a detached HEAD")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", commit)  # HEAD is the only way to reach it
    [f] = history_json(repo.path)["findings"]
    assert extra(f)["ref"] == "HEAD" and extra(f)["status"] == "live"


def test_sarif_has_attribution_in_properties_and_relative_locations(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("conf/app.yml", f"token: {tokens[0]}\n")
    commit = repo.commit("config")
    proc = run_cli("history", str(repo.path), "-f", "sarif", "-q")
    assert proc.returncode == 1
    [result] = json.loads(proc.stdout)["runs"][0]["results"]
    props = result["properties"]
    assert props["git.commit"] == commit and props["git.status"] == "live" and props["git.author"] == "Ann Author"
    assert props["git.blob"] and props["git.paths"] == "1"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "conf/app.yml", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 1


def test_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_cli("history", str(tmp_path), "-q")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "not a git repository" in proc.stderr


def test_empty_repository_has_nothing_to_scan(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "empty")
    proc = run_cli("history", str(repo.path))
    assert proc.returncode == 0 and "nothing to scan" in proc.stderr


def test_shallow_clone_warns_and_scans_what_is_there(repo: GitRepo, tokens: list[str], tmp_path: Path) -> None:
    repo.write("old.env", f"T={tokens[0]}\n")
    repo.commit("old")
    repo.write("old.env", "T=\n")
    repo.commit("removed")
    repo.write("new.env", f"T={tokens[1]}\n")
    repo.commit("new")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True, env=repo.env)
    report = history_json(clone)
    assert [f["path"] for f in report["findings"]] == ["new.env"]
    assert any("shallow" in w for w in report["summary"]["warnings"])


def test_missing_object_is_a_warning_not_a_crash(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("lost.txt", "this blob will go missing\n")
    repo.write("kept.env", f"T={tokens[0]}\n")
    repo.commit("two files")
    sha = repo.blob("HEAD:lost.txt")
    (repo.path / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    report = history_json(repo.path)
    assert [f["path"] for f in report["findings"]] == ["kept.env"]
    assert any(sha in w for w in report["summary"]["warnings"])
    assert report["summary"]["skipped_by_reason"] == {"unreadable": 1}


def test_blobs_over_the_size_limit_are_skipped_and_counted(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("big.txt", "x" * 5000 + f"\nT={tokens[0]}\n")
    repo.commit("big")
    report = history_json(repo.path, "--max-file-size", "4KB")
    assert report["findings"] == [] and report["summary"]["skipped_by_reason"] == {"too-large": 1}
    assert len(history_json(repo.path)["findings"]) == 1


def test_binary_blobs_are_skipped(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("data.bin", b"\x00\x01\x02" * 50 + tokens[0].encode() + b"\x00" * 50)
    repo.commit("binary")
    report = history_json(repo.path)
    assert report["findings"] == [] and report["summary"]["skipped_by_reason"] == {"binary": 1}


def test_submodules_are_skipped_unless_asked(tmp_path: Path, tokens: list[str]) -> None:
    sub = GitRepo(tmp_path / "lib")
    sub.write("lib.env", f"T={tokens[0]}\n")
    sub.commit("lib secret")
    top = GitRepo(tmp_path / "top")
    top.write("main.py", "print(1)\n")
    top.commit("init")
    top.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "vendor/lib")
    top.commit("add submodule")
    report = history_json(top.path)
    assert report["findings"] == []
    assert report["summary"]["skipped_by_reason"] == {"submodule": 1}
    report = history_json(top.path, "--recurse-submodules")
    [f] = report["findings"]
    assert f["path"] == "vendor/lib/lib.env" and extra(f)["submodule"] == "vendor/lib"


def test_config_allowlist_paths_and_exclude_apply(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("tests/fixture.env", f"T={tokens[0]}\n")
    repo.write("src/real.env", f"T={tokens[1]}\n")
    repo.commit("two")
    report = history_json(repo.path, "--exclude", "tests/**")
    assert [f["path"] for f in report["findings"]] == ["src/real.env"]


def test_bare_repository(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.write("x.env", f"T={tokens[0]}\n")
    repo.commit("x")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True, env=repo.env)
    [f] = history_json(bare)["findings"]
    assert f["path"] == "x.env" and extra(f)["status"] == "live"


def test_history_is_linear_not_per_commit(repo: GitRepo, tokens: list[str]) -> None:
    """Each unique blob is scanned once, however many commits and paths hold it."""
    repo.write("k.env", f"T={tokens[0]}\n")
    repo.commit("k")
    for i in range(10):
        repo.write("counter.txt", f"{i}\n")
        repo.commit(f"bump {i}")
    report = history_json(repo.path)
    # README, app.py, k.env, and ten versions of counter.txt
    assert report["summary"]["files_scanned"] == 13
    assert extra(report["findings"][0])["commits"] == "11"


def test_text_report_shows_attribution(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("a.env", f"T={tokens[0]}\n")
    repo.commit("add a")
    proc = run_cli("history", str(repo.path), "--no-color")
    assert proc.returncode == 1
    assert "a.env" in proc.stdout and "status=live" in proc.stdout and "subject=add a" in proc.stdout
    assert tokens[0] not in proc.stdout


def test_history_needs_git_on_path_message(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    proc = run_cli("history", str(missing))
    assert proc.returncode == 2 and "not a git repository" in proc.stderr


def test_missing_head_tree_is_a_warning_and_findings_are_kept(repo: GitRepo, tokens: list[str]) -> None:
    """A damaged repository whose HEAD tree object is gone: the scan goes on with what can be read."""
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    added = repo.commit("add the token")
    repo.write("notes.md", "more\n")
    repo.commit("notes")
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    (repo.path / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    report = history_json(repo.path, "--list-skipped", code=(1,))
    [f] = report["findings"]
    assert f["path"] == "app.py" and extra(f)["commit"] == added and extra(f)["status"] == "history"
    [skip] = report["summary"]["skipped"]
    assert skip["path"].endswith(":HEAD") and skip["reason"] == "corrupt"  # an unscanned input: exit 2 when clean
    assert any("the tree of HEAD" in w for w in report["summary"]["warnings"])


def test_copy_to_a_second_path_is_introduced_by_the_copy(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("a.py", f"TOKEN = '{tokens[1]}'\n")
    added = repo.commit("add")
    repo.write("b.py", f"TOKEN = '{tokens[1]}'\n")
    copied = repo.commit("copy")
    found = by_path(history_json(repo.path))
    a, b = extra(found["a.py"][0]), extra(found["b.py"][0])
    assert a["commit"] == added and "first_commit" not in a
    assert b["commit"] == copied and b["first_commit"] == added and "moved_in" not in b
