"""``credsprawl staged``: the index's content, the lines the commit adds, and a clear way out."""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path

import pytest

from conftest import run_cli
from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess
from scanner.sources.index import parse_staged_diff, unquote


@pytest.fixture
def tokens() -> list[str]:
    rng = random.Random(11)
    return [fakecreds.github_token(rng) for _ in range(3)]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write("app.py", "import os\n\nprint('hello')\n")
    r.commit("initial")
    return r


def staged(repo: GitRepo, *args: str) -> tuple[int, str, str]:
    return cli_inprocess("staged", str(repo.path), *args)


def test_a_staged_secret_blocks_with_location_rule_and_help(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("app.py", f"import os\n\nTOKEN = '{tokens[0]}'\nprint('hello')\n")
    repo.git("add", "app.py")
    proc = run_cli("staged", str(repo.path))  # the real process, as the hook runs it
    assert proc.returncode == 1
    assert "app.py:3:10" in proc.stdout and "github-pat-classic" in proc.stdout
    assert "commit blocked" in proc.stdout
    assert "credsprawl:allow" in proc.stdout and "baseline" in proc.stdout
    assert tokens[0] not in proc.stdout + proc.stderr
    assert tokens[0][:6] in proc.stdout  # the redacted form keeps a recognisable prefix


def test_index_not_working_tree(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("app.py", "import os\nprint('clean')\n")
    repo.git("add", "app.py")
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")  # only in the working tree
    assert staged(repo)[0] == 0
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    repo.git("add", "app.py")
    repo.write("app.py", "print('fixed in the working tree, but not staged')\n")
    assert staged(repo)[0] == 1


def test_only_added_lines_unless_all_lines(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("legacy.cfg", f"token={tokens[0]}\nname=demo\n")
    repo.commit("old secret already committed")
    repo.write("legacy.cfg", f"token={tokens[0]}\nname=demo2\n")
    repo.git("add", "legacy.cfg")
    code, out, _ = staged(repo)
    assert code == 0 and out == ""
    code, out, _ = staged(repo, "--all-lines")
    assert code == 1 and "legacy.cfg:1:7" in out


def test_inline_allow_passes(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("test_data.py", f"FAKE = '{tokens[0]}'  # credsprawl:allow\n")
    repo.git("add", "test_data.py")
    assert staged(repo)[0] == 0


def test_baseline_suppresses_known_findings(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("fixture.py", f"FAKE = '{tokens[0]}'\n")
    baseline = repo.path / ".credsprawl-baseline.json"
    assert cli_inprocess("baseline", "create", str(repo.path / "fixture.py"), "-o", str(baseline), "-q")[0] == 0
    repo.git("add", "fixture.py")
    assert staged(repo)[0] == 1
    code, _, err = staged(repo, "--baseline", str(baseline))
    assert code == 0 and "suppressed by baseline" in err
    repo.write("other.py", f"NEW = '{tokens[1]}'\n")
    repo.git("add", "other.py")
    code, out, _ = staged(repo, "--baseline", str(baseline))
    assert code == 1 and "other.py:1" in out and "fixture.py" not in out


def test_renames_and_deletions_add_nothing(repo: GitRepo, tokens: list[str]) -> None:
    repo.write("secret.env", f"T={tokens[0]}\n")
    repo.commit("old")
    repo.git("mv", "secret.env", "moved.env")
    assert staged(repo)[0] == 0
    repo.git("rm", "-q", "--cached", "moved.env")
    assert staged(repo)[0] == 0


def test_first_commit_and_odd_names(tmp_path: Path, tokens: list[str]) -> None:
    repo = GitRepo(tmp_path / "fresh")
    repo.write('we"ird name.env', f"T={tokens[0]}\n")
    repo.write(b"caf\xc3\xa9/conf.ini", f"[x]\ntoken={tokens[1]}\n".encode())
    repo.write("bin.dat", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    repo.write("utf16.txt", f"token={tokens[2]}\n".encode("utf-16"))  # binary to git, text to credsprawl
    repo.git("add", "-A")
    code, out, _ = staged(repo, "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert {(f["path"], f["start_line"]) for f in report["findings"]} == {
        ('we"ird name.env', 1), ("café/conf.ini", 2), ("utf16.txt", 1)}
    assert report["summary"]["skipped_by_reason"] == {"binary": 1}
    assert {f["origin"][0]["kind"] for f in report["findings"]} == {"staged"}


def test_nothing_staged_is_clean(repo: GitRepo) -> None:
    code, out, err = staged(repo)
    assert code == 0 and out == "" and "no secrets in 0 staged file(s)" in err


def test_not_a_repository(tmp_path: Path) -> None:
    proc = run_cli("staged", str(tmp_path))
    assert proc.returncode == 2 and "not a git repository" in proc.stderr


def test_config_allowlist_and_ignore_file(repo: GitRepo, tokens: list[str]) -> None:
    repo.write(".credsprawlignore", "fixtures/\n")
    repo.write("fixtures/fake.env", f"T={tokens[0]}\n")
    repo.git("add", "-A")
    assert staged(repo)[0] == 0
    assert staged(repo, "--exclude", "nothing")[0] == 0


def test_multiline_hunks_are_parsed() -> None:
    out = (b":100644 100644 " + b"1" * 40 + b" " + b"2" * 40 + b" M\ta.py\n"
           b":000000 100644 " + b"0" * 40 + b" " + b"3" * 40 + b" A\t\"q\\\"x\\303\\251.txt\"\n"
           b":100644 100644 " + b"4" * 40 + b" " + b"5" * 40 + b" R090\told.py\tnew.py\n"
           b"\n"
           b"diff --git a/a.py b/a.py\nindex 1..2 100644\n--- a/a.py\n+++ b/a.py\n"
           b"@@ -1 +1 @@\n-x\n+y\n@@ -5,0 +6,3 @@\n+a\n+b\n+c\n@@ -9,2 +11,0 @@\n-d\n-e\n"
           b"diff --git \"a/q\\\"x\\303\\251.txt\" \"b/q\\\"x\\303\\251.txt\"\nnew file mode 100644\n"
           b"--- /dev/null\n+++ \"b/q\\\"x\\303\\251.txt\"\n@@ -0,0 +1,2 @@\n+1\n+2\n"
           b"diff --git a/old.py b/new.py\nsimilarity index 90%\nrename from old.py\nrename to new.py\n"
           b"@@ -3 +3 @@\n-k\n+v\n")
    files = parse_staged_diff(out)
    assert [(f.path, f.status, f.added) for f in files] == [
        ("a.py", "M", ((1, 1), (6, 8))),
        ('q"xé.txt', "A", ((1, 2),)),
        ("new.py", "R", ((3, 3),)),
    ]
    assert unquote(b'"tab\\there"') == b"tab\there"


def test_rule_cache_is_the_same_ruleset_and_follows_rule_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.rules.cache import for_scanning, load_rules_cached
    from scanner.rules.load import load_rules

    monkeypatch.delenv("CREDSPRAWL_CACHE_DIR", raising=False)  # the folder then follows XDG_CACHE_HOME
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    extra = tmp_path / "extra.toml"
    rule = ('[[rules]]\nid = "acme-key"\nname = "Acme key"\nkind = "api-key"\nprovider = "acme"\n'
            'severity = "high"\nconfidence = "high"\nkeywords = ["acme_"]\nregex = \'\'\'(?P<secret>acme_[a-z0-9]{{{n}}})\'\'\'\n'
            'examples = [{{ text = "k=acme_{ex}", secret = "acme_{ex}" }}]\nnegatives = ["acme_"]\n')
    extra.write_text(rule.format(n=16, ex="0123456789abcdef"))
    first = load_rules_cached([extra])
    assert any((tmp_path / "cache" / "credsprawl").glob("rules-*.cache"))
    again = load_rules_cached([extra])
    assert again.rules == first.rules == for_scanning(load_rules(extra=[extra])).rules
    assert again.rules[-1].examples == () and load_rules(extra=[extra]).rules[-1].examples  # kept out of the cache
    extra.write_text(rule.format(n=20, ex="0123456789abcdef0123"))  # a changed rule file is a miss
    changed = load_rules_cached([extra])
    assert changed.by_id["acme-key"].regex.endswith("{20})")


# ---- staged archives and big files are scanned as `scan` scans them ---------------------------


def test_a_staged_archive_is_opened(repo: GitRepo, tokens: list[str]) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("conf/app.properties", f"name=demo\ntoken={tokens[0]}\n")
    repo.write("dist/app.zip", buf.getvalue())
    repo.git("add", "dist/app.zip")
    code, out, _ = staged(repo)
    assert code == 1 and "dist/app.zip!conf/app.properties:2:7" in out
    code, out, _ = staged(repo, "-f", "json")
    [f] = json.loads(out)["findings"]
    assert [(o["path"], o["kind"]) for o in f["origin"]] == [("dist/app.zip", "staged"), ("conf/app.properties", "archive-member")]


@pytest.mark.slow
def test_a_staged_file_over_50mb_is_scanned_in_chunks(repo: GitRepo, tokens: list[str]) -> None:
    filler = "filler line of text\n" * 2_800_000  # 56 MB: over the 50MB default that used to skip it
    repo.write("data/big.txt", filler + f'token = "{tokens[0]}"\n')
    repo.write("assets/big.bin", b"\x89PNG\r\n\x1a\n" + os.urandom(9 * 1024 * 1024))  # a big binary: declined
    repo.git("add", "-A")
    code, out, err = staged(repo, "-f", "json", "--list-skipped")
    report = json.loads(out)
    assert code == 1, err
    assert [(f["path"], f["start_line"]) for f in report["findings"]] == [("data/big.txt", 2_800_001)]
    assert report["summary"]["skipped"] == [{"path": "assets/big.bin", "reason": "binary", "detail": ""}]
    # an explicit --max-file-size skips it, counted (exit 0), never an error
    code, out, err = staged(repo, "-f", "json", "--list-skipped", "--max-file-size", "20MB")
    assert code == 0, err
    assert {(s["path"], s["reason"]) for s in json.loads(out)["summary"]["skipped"]} == {
        ("data/big.txt", "too-large"), ("assets/big.bin", "binary")}
    assert not list(Path(tempfile.gettempdir()).glob("credsprawl-staged-*"))  # the spooled copy is gone


def test_a_staged_file_that_cannot_be_read_is_exit_2(repo: GitRepo) -> None:
    repo.write("lost.txt", "this blob will go missing\n")
    repo.git("add", "lost.txt")
    sha = repo.git("rev-parse", ":lost.txt")
    (repo.path / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    code, _, err = staged(repo)
    assert code == 2 and "credsprawl: warning: not scanned: lost.txt: unreadable" in err


def test_the_staged_index_answers_as_one_off_git_commands(repo: GitRepo, tokens: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """``StagedIndex`` starts its git processes at once (the hook's git work overlaps its start-up) and
    answers as the one-off commands do; closed, nothing it started is left running."""
    from scanner.sources.git import ObjectSizer, object_info, open_worktree
    from scanner.sources.index import StagedIndex, staged_files

    repo.write("app.py", f"import os\n\nTOKEN = '{tokens[0]}'\nprint('hello')\n")
    repo.write("docs/new.txt", "a new file\n")
    repo.git("add", "-A")
    opened = open_worktree(str(repo.path))
    with StagedIndex(opened, names=True) as index:
        started = [index._diff, index._names, index._sizer._proc, index.reader._proc]
        assert all(p is not None for p in started)
        files = index.files()
        assert files == staged_files(opened) and {f.path for f in files} == {"app.py", "docs/new.txt"}
        shas = sorted({f.blob for f in files})
        index.ask_sizes(shas)
        assert index.sizes(shas) == object_info(opened, shas)
        assert index.names() == {"app.py", "docs/new.txt"}
        blob = next(f.blob for f in files if f.path == "docs/new.txt")
        assert index.reader.read(blob) == b"a new file\n"
    assert all(p.poll() is not None for p in started if p is not None)
    monkeypatch.setattr(ObjectSizer, "ROUND", 1)  # more ids than one round: asked when collected
    with StagedIndex(opened) as index:
        index.ask_sizes(shas)
        assert index.sizes(shas) == object_info(opened, shas)
    unused = StagedIndex(opened, names=True)  # closed before anything was asked (a failed start-up)
    started = [unused._diff, unused._names, unused._sizer._proc, unused.reader._proc]
    unused.close()
    unused.close()
    assert all(p is not None and p.poll() is not None for p in started)


def test_a_bare_repository_has_no_index_to_scan(tmp_path: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "bare.git")], check=True)
    proc = run_cli("staged", str(tmp_path / "bare.git"))
    assert proc.returncode == 2 and "bare repository: there is no index to scan" in proc.stderr


def test_the_hook_leaves_the_garbage_collector_as_it_found_it(repo: GitRepo, tokens: list[str]) -> None:
    """``staged`` runs with the cyclic collector off (its objects live to its end) and a short switch
    interval while its caches are read ahead, and hands both back."""
    import gc
    import sys

    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    repo.git("add", "app.py")
    assert gc.isenabled()
    switching = sys.getswitchinterval()
    assert staged(repo)[0] == 1 and gc.isenabled() and sys.getswitchinterval() == switching
    assert cli_inprocess("staged", "--all-lines", str(repo.path))[0] == 1 and gc.isenabled()
    gc.disable()
    try:
        assert staged(repo)[0] == 1 and not gc.isenabled()
    finally:
        gc.enable()


def test_the_json_report_of_a_staged_run_holds_the_facts_the_blocked_lines_leave_out(repo: GitRepo) -> None:
    rng = random.Random(5)
    key_id = fakecreds.aws_access_key_id(rng, account_id=123456789012)
    repo.write("deploy.env", f"AWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={fakecreds.aws_secret_access_key(rng)}\n")
    repo.git("add", "deploy.env")
    code, out, _ = staged(repo, "-f", "json")
    assert code == 1
    facts = {k: v for f in json.loads(out)["findings"] for k, v in f.get("attributes", {}).items()}
    assert facts.get("aws.account_id") == "123456789012", facts
    code, out, _ = staged(repo)  # the hook's lines: where, rule, redacted secret
    assert code == 1 and "deploy.env:1:" in out and "123456789012" not in out
