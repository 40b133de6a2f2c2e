"""The GitHub Action: action.yml's own shell steps, run locally as a runner would run them."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from fixtures import fakecreds
from gitutil import GitRepo
from scanner.cli.action import INPUTS

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@pytest.fixture
def tokens() -> list[str]:
    rng = random.Random(31)
    return [fakecreds.github_token(rng) for _ in range(4)]


# ------------------------------------------------------------------------------------------------
# action.yml itself


# the actions action.yml uses, at the major versions that are current (Node 24 runtimes; codeql-action
# v3 is deprecated)
PINNED = {"actions/setup-python": "v7", "actions/cache": "v6", "github/codeql-action/upload-sarif": "v4"}


def _step(step_id: str) -> dict[str, Any]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def test_action_is_composite_and_declares_what_its_steps_use() -> None:
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    assert declared == {"path", "mode", "config", "baseline", "format", "fail-on-findings", "upload-sarif",
                        "rules", "disable", "gitleaks-config", "exclude", "min-confidence", "verify"}
    assert ACTION["inputs"]["verify"]["default"] == "false"  # never on unless asked
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", json.dumps(ACTION["runs"])))
    assert used == declared
    scan = _step("scan")
    # every input reaches the scan step under the variable scanner/cli/action.py reads
    assert {k: v for k, v in scan["env"].items() if k.startswith("INPUT_")} == {
        var: f"${{{{ inputs.{name} }}}}" for name, var in INPUTS.items()}
    assert scan["env"]["CREDSPRAWL_PYTHON"] == "${{ steps.install.outputs.python }}"
    assert scan["env"]["CREDSPRAWL_CACHE_DIR"] == "${{ steps.prepare.outputs.scanner-cache }}"
    for output in ACTION["outputs"].values():
        assert output["value"].startswith("${{ steps.scan.outputs.")
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "expressions go through env, never into the script text"
            for script in re.findall(r"\$GITHUB_ACTION_PATH/(\S+?)\"", step["run"]):
                assert (ROOT / script).is_file(), script


def test_uses_steps_are_pinned_to_current_majors() -> None:
    uses = [s["uses"] for s in ACTION["runs"]["steps"] if "uses" in s]
    assert {u.rsplit("@", 1)[0] for u in uses} == set(PINNED)
    for u in uses:
        name, ref = u.rsplit("@", 1)
        assert ref == PINNED[name], u
    python = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    major, minor = (int(x) for x in python["with"]["python-version"].split("."))
    assert (major, minor) >= (3, 11)  # ubuntu-22.04's own Python is 3.10
    assert str(python["with"]["update-environment"]).lower() == "false"  # the job's Python stays the user's
    # both caches are keyed on the credsprawl digest the prepare step computes; the rules cache exactly
    caches = [s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert {c["with"]["path"].strip() for c in caches} == {
        "${{ steps.prepare.outputs.pip-cache }}",
        "${{ steps.prepare.outputs.scanner-cache }}\n${{ steps.prepare.outputs.state }}"}  # the files and their key
    assert _step("scan")["env"]["XDG_STATE_HOME"] == "${{ steps.prepare.outputs.state }}"
    for c in caches:
        assert "steps.prepare.outputs.digest" in c["with"]["key"]
    upload = _step("upload")
    assert upload["continue-on-error"] is True
    assert "steps.scan.outputs.upload == 'true'" in upload["if"]
    assert "steps.scan.outputs.sarif" in upload["with"]["sarif_file"]


# ------------------------------------------------------------------------------------------------
# a local runner for the composite steps


@dataclass
class StepRun:
    exit_code: int  # of the action as a whole: the first failing step's, else 0
    outputs: dict[str, str]  # the scan step's outputs
    summary: str
    stdout: str
    stderr: str
    uploaded: str | None  # the SARIF file the upload step would upload
    all_outputs: dict[str, dict[str, str]]
    cached: dict[str, str]  # actions/cache: key -> path


def _evaluate(expr: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]],
              outcomes: dict[str, str] | None = None) -> Any:
    """The small part of GitHub's expression language action.yml uses."""
    outcomes = outcomes or {}

    def value(m: re.Match[str]) -> str:
        if m.group(1):
            return repr(inputs.get(m.group(2), ""))
        if m.group(5):
            return repr(outcomes.get(m.group(5), ""))
        return repr(outputs.get(m.group(3), {}).get(m.group(4), ""))

    python = re.sub(r"\b(inputs)\.([A-Za-z0-9_-]+)|\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)"
                    r"|\bsteps\.([A-Za-z0-9_-]+)\.outcome", value, expr)
    python = python.replace("&&", " and ").replace("||", " or ")
    return eval(python, {"__builtins__": {}}, {})  # noqa: S307 - test-only, fixed expressions


def _substitute(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    return _EXPR.sub(lambda m: str(_evaluate(m.group(1), inputs, outputs)), text)


def _read_outputs(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key] = value
    return out


def run_action(tmp_path: Path, repo: GitRepo, event: str, payload: dict[str, Any], sha: str,
               ref: str = "refs/heads/main", install: bool = False, upload_fails: bool = False,
               **given: str) -> StepRun:
    """Run action.yml's steps as a runner would: each ``run:`` step in bash with its env, the
    outputs each writes to $GITHUB_OUTPUT, the ``if:`` conditions and ``continue-on-error``.
    ``uses:`` steps do not run here: setup-python gives this interpreter, actions/cache records its
    key and path, the upload records its file (or fails, with ``upload_fails``). Without
    ``install`` a shim stands in for the pip install (fast); with it the step really installs."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items()})
    runner = tmp_path / "runner"
    (runner / "bin").mkdir(parents=True, exist_ok=True)
    shim = runner / "bin" / "python-shim"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" "$@"\n')
    shim.chmod(0o755)
    event_file = runner / "event.json"
    event_file.write_text(json.dumps(payload))
    summary = runner / "summary.md"
    summary.write_text("")
    base_env = {k: v for k, v in repo.env.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    base_env.pop("CREDSPRAWL_CACHE_DIR", None)
    base_env.update({
        "PATH": os.environ["PATH"], "CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
        "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(event_file), "GITHUB_SHA": sha, "GITHUB_REF": ref,
        "GITHUB_REPOSITORY": "acme/service",
        "GITHUB_WORKSPACE": str(repo.path), "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_PATH": str(runner / "path.txt"), "RUNNER_TEMP": str(runner),
    })
    outputs: dict[str, dict[str, str]] = {}
    outcomes: dict[str, str] = {}
    cached: dict[str, str] = {}
    code, stdout, stderr, uploaded = 0, "", "", None
    for step in ACTION["runs"]["steps"]:
        sid = step.get("id", "")
        condition = step.get("if")
        if condition and not _evaluate(_EXPR.sub(lambda m: m.group(1), condition), inputs, outputs, outcomes):
            outcomes[sid] = "skipped"
            continue
        if "uses" in step:
            action = step["uses"].rsplit("@", 1)[0]
            if action == "actions/setup-python":
                outputs[sid] = {"python-path": sys.executable, "python-version": sys.version.split()[0]}
            elif action == "actions/cache":
                with_ = {k: _substitute(str(v), inputs, outputs) for k, v in step["with"].items()}
                cached[with_["key"]] = with_["path"]
            else:
                uploaded = _substitute(step["with"]["sarif_file"], inputs, outputs)
                if upload_fails:
                    outcomes[sid] = "failure"
                    if not step.get("continue-on-error"):
                        code = 1
                        break
                    continue
            outcomes[sid] = "success"
            continue
        if sid == "install" and not install:
            outputs[sid] = {"python": str(shim)}  # the shim stands in for the pip install
            outcomes[sid] = "success"
            continue
        output_file = runner / f"output-{sid}.txt"
        output_file.write_text("")
        env = {**base_env, "GITHUB_OUTPUT": str(output_file)}
        env.update({k: _substitute(str(v), inputs, outputs) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo.path, env=env, capture_output=True,
                              text=True, timeout=900)
        outputs[sid] = _read_outputs(output_file)
        if sid == "prepare" and not install:  # share the session's compiled rules between the fast tests
            outputs[sid]["scanner-cache"] = os.environ["CREDSPRAWL_CACHE_DIR"]
            outputs[sid]["state"] = os.environ["XDG_STATE_HOME"]  # and the key that authenticates them
        stdout += proc.stdout
        stderr += proc.stderr
        outcomes[sid] = "success" if proc.returncode == 0 else "failure"
        if proc.returncode != 0:
            code = proc.returncode
            break
    return StepRun(code, outputs.get("scan", {}), summary.read_text(), stdout, stderr, uploaded, outputs, cached)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "work")
    r.write("README.md", "# service\n")
    r.commit("initial")
    return r


def test_push_scans_before_to_after_and_fails(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.write("old.env", f"T={tokens[0]}\n")
    before = repo.commit("old secret, pushed earlier")
    repo.write("app.py", f"TOKEN = '{tokens[1]}'\n")
    repo.commit("new secret")
    repo.write("README.md", "# service\nmore\n")
    after = repo.commit("docs")
    run = run_action(tmp_path, repo, "push", {"before": before, "after": after, "ref": "refs/heads/main"}, after)
    assert run.exit_code == 1, run.stderr
    assert run.outputs["findings"] == "1" and run.outputs["exit-code"] == "1"
    assert run.outputs["range"] == f"{before[:12]}..{after[:12]}"
    assert "## credsprawl: 1 secret found" in run.summary
    assert "| critical | github-pat-classic | `app.py:1` |" in run.summary and "old.env" not in run.summary
    assert tokens[1] not in run.summary + run.stdout + run.stderr
    assert run.uploaded == run.outputs["sarif"]
    sarif = json.loads(Path(run.outputs["sarif"]).read_text())
    [result] = sarif["runs"][0]["results"]
    assert result["properties"]["git.subject"] == "new secret"
    assert "::error file=app.py,line=1,title=credsprawl::" in run.stdout


def test_clean_push_passes(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.write("old.env", f"T={tokens[0]}\n")
    before = repo.commit("old secret, already pushed")
    repo.write("README.md", "# changed\n")
    after = repo.commit("docs")
    run = run_action(tmp_path, repo, "push", {"before": before, "after": after}, after)
    assert run.exit_code == 0 and run.outputs["findings"] == "0"
    assert "no secrets found" in run.summary


def test_new_branch_scans_only_its_own_commits(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.write("main.env", f"T={tokens[0]}\n")
    repo.commit("secret on main")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature.env", f"T={tokens[1]}\n")
    after = repo.commit("secret on the branch")
    payload = {"before": "0" * 40, "after": after, "ref": "refs/heads/feature", "created": True}
    run = run_action(tmp_path, repo, "push", payload, after, ref="refs/heads/feature")
    assert run.exit_code == 1
    assert "feature.env" in run.summary and "main.env" not in run.summary
    assert run.outputs["range"] == f"{after[:12]} (commits on no other ref)"


def test_force_push_with_unknown_before(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("topic.env", f"T={tokens[2]}\n")
    after = repo.commit("rewritten topic")
    payload = {"before": "1234567890abcdef1234567890abcdef12345678", "after": after, "forced": True,
               "ref": "refs/heads/topic"}
    run = run_action(tmp_path, repo, "push", payload, after, ref="refs/heads/topic", fail_on_findings="false")
    assert run.exit_code == 0 and run.outputs["findings"] == "1" and run.outputs["exit-code"] == "0"
    assert "not available (force push)" in run.summary and "topic.env" in run.summary


def test_force_push_with_known_before(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("a.env", f"T={tokens[0]}\n")
    before = repo.commit("first version")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("b.env", f"T={tokens[1]}\n")
    after = repo.commit("second version")
    run = run_action(tmp_path, repo, "push", {"before": before, "after": after, "forced": True}, after)
    assert run.exit_code == 1 and "b.env" in run.summary and "a.env" not in run.summary
    assert "(force push)" in run.outputs["range"]


def test_deleted_branch_has_nothing_to_scan(tmp_path: Path, repo: GitRepo) -> None:
    head = repo.head()
    run = run_action(tmp_path, repo, "push", {"before": head, "after": "0" * 40, "deleted": True}, "0" * 40)
    assert run.exit_code == 0 and run.outputs["range"] == "nothing (branch deleted)"


def test_pull_request_scans_base_to_head(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.write("base.env", f"T={tokens[0]}\n")
    base = repo.commit("secret already on main")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("pr.env", f"T={tokens[1]}\n")
    head = repo.commit("pr adds a secret")
    payload = {"pull_request": {"number": 7, "base": {"sha": base, "ref": "main"}, "head": {"sha": head, "ref": "pr"}}}
    for mode in ("pull_request", "push"):  # push mode on a pull_request event uses the PR range
        run = run_action(tmp_path, repo, "pull_request", payload, head, ref="refs/pull/7/merge", mode=mode)
        assert run.exit_code == 1 and "pr.env" in run.summary and "base.env" not in run.summary
        assert run.outputs["range"] == f"{base[:12]}..{head[:12]}"


def test_full_mode_with_baseline_and_format(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    repo.write("old.env", f"T={tokens[0]}\n")
    repo.commit("old")
    repo.write("old.env", "T=\n")
    repo.commit("removed")
    baseline = repo.path / ".credsprawl-baseline.json"
    code = subprocess.run([sys.executable, "-m", "scanner", "history", str(repo.path), "-f", "json", "-q"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    report = tmp_path / "r.json"
    report.write_text(code.stdout)
    subprocess.run([sys.executable, "-m", "scanner", "baseline", "create", "--from-report", str(report), "-o",
                    str(baseline), "-q"], check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    head = repo.head()
    run = run_action(tmp_path, repo, "schedule", {}, head, mode="full", format="json")
    assert run.exit_code == 1 and "old.env" in run.summary and run.outputs["range"] == "all refs"
    assert json.loads(run.stdout.split("\n::error")[0])["summary"]["findings"] == 1
    run = run_action(tmp_path, repo, "schedule", {}, head, mode="full", baseline=".credsprawl-baseline.json",
                     upload_sarif="false")
    assert run.exit_code == 0 and "1 known finding(s) suppressed by the baseline" in run.summary
    assert run.uploaded is None and run.outputs["sarif"] == ""


def test_bad_input_is_exit_2_with_a_summary(tmp_path: Path, repo: GitRepo) -> None:
    head = repo.head()
    run = run_action(tmp_path, repo, "push", {"before": head, "after": head}, head, mode="everything")
    assert run.exit_code == 2 and run.outputs["exit-code"] == "2"
    assert "## credsprawl: error" in run.summary and "mode must be one of" in run.summary


def _fork_pr(repo: GitRepo, tokens: list[str], secret: bool) -> tuple[dict[str, Any], str]:
    repo.git("checkout", "-q", "main")
    base = repo.head()
    repo.git("checkout", "-q", "-B", "contrib")
    repo.write("pr.py", f"T = '{tokens[3]}'\n" if secret else "print('hi')\n")
    head = repo.commit("a contribution")
    payload = {"pull_request": {"number": 9, "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/service"}},
                                "head": {"sha": head, "ref": "contrib",
                                         "repo": {"full_name": "someone/service", "fork": True}}},
               "repository": {"full_name": "acme/service"}}
    return payload, head


def test_fork_pull_request_skips_the_upload(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    payload, head = _fork_pr(repo, tokens, secret=False)
    run = run_action(tmp_path, repo, "pull_request", payload, head, ref="refs/pull/9/merge")
    assert run.exit_code == 0, run.stderr  # a clean fork PR passes: no upload that GitHub would refuse
    assert run.outputs["upload"] == "false" and run.uploaded is None
    assert "SARIF upload skipped: a pull request from the fork someone/service" in run.summary
    # the verdict still comes from the scan
    payload, head = _fork_pr(repo, tokens, secret=True)
    run = run_action(tmp_path, repo, "pull_request", payload, head, ref="refs/pull/9/merge")
    assert run.exit_code == 1 and run.outputs["findings"] == "1" and run.uploaded is None


def test_same_repository_pull_request_uploads(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    payload, head = _fork_pr(repo, tokens, secret=False)
    payload["pull_request"]["head"]["repo"] = {"full_name": "acme/service", "fork": False}
    run = run_action(tmp_path, repo, "pull_request", payload, head, ref="refs/pull/9/merge")
    assert run.exit_code == 0 and run.outputs["upload"] == "true" and run.uploaded == run.outputs["sarif"]


def test_failed_upload_is_a_warning_and_the_scan_decides(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    """A private repository without code scanning refuses the upload: the job's verdict stays the scan's."""
    head = repo.head()
    repo.write("README.md", "# changed\n")
    after = repo.commit("docs")
    run = run_action(tmp_path, repo, "push", {"before": head, "after": after}, after, upload_fails=True)
    assert run.uploaded and run.exit_code == 0, run.stderr
    assert "::warning title=credsprawl::The SARIF upload to code scanning failed" in run.stdout
    repo.write("app.py", f"TOKEN = '{tokens[1]}'\n")
    dirty = repo.commit("secret")
    run = run_action(tmp_path, repo, "push", {"before": after, "after": dirty}, dirty, upload_fails=True)
    assert run.exit_code == 1 and "The SARIF upload to code scanning failed" in run.stdout


def test_prepare_keys_the_caches_on_the_code(tmp_path: Path, repo: GitRepo) -> None:
    head = repo.head()
    run = run_action(tmp_path, repo, "push", {"before": head, "after": head}, head)
    prepared = run.all_outputs["prepare"]
    assert prepared["platform"] == f"Linux-X64-py{sys.version_info[0]}.{sys.version_info[1]}"
    version = re.search(r'(?m)^version = "(.+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    assert re.fullmatch(re.escape(version) + r"-[0-9a-f]{20}", prepared["digest"])
    home = Path(repo.env["HOME"])
    assert prepared["pip-cache"] == str(home / ".cache" / "credsprawl-action" / "pip")
    assert set(run.cached) == {f"credsprawl-pip-{prepared['platform']}-{prepared['digest']}",
                               f"credsprawl-rules-{prepared['platform']}-{prepared['digest']}"}
    again = run_action(tmp_path, repo, "push", {"before": head, "after": head}, head)
    assert again.all_outputs["prepare"]["digest"] == prepared["digest"]  # the same code, the same key


@pytest.mark.slow
def test_every_run_step_for_real(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    """All of action.yml's run: steps, the pip install into a fresh virtualenv included (needs PyPI
    for the dependencies, as a runner does); the scan fills the cache folder actions/cache saves."""
    before = repo.head()
    repo.write("app.py", f"TOKEN = '{tokens[1]}'\n")
    after = repo.commit("new secret")
    run = run_action(tmp_path, repo, "push", {"before": before, "after": after}, after, install=True)
    assert run.exit_code == 1, run.stdout + run.stderr
    python = run.all_outputs["install"]["python"]
    assert python == f"{tmp_path / 'runner'}/credsprawl-venv/bin/python" and os.access(python, os.X_OK)
    assert run.outputs["findings"] == "1" and tokens[1] not in run.stdout + run.stderr + run.summary
    scanner_cache = Path(run.all_outputs["prepare"]["scanner-cache"])
    assert scanner_cache.is_dir() and any(scanner_cache.iterdir())  # what actions/cache saves for the next run
    state = Path(run.all_outputs["prepare"]["state"])
    assert (state / "credsprawl" / "cache.key").is_file()  # saved beside them, so the next run can read them


def test_verify_input_asks_the_provider(tmp_path: Path, repo: GitRepo, tokens: list[str]) -> None:
    """``verify: true``: each leaked token is asked about at the endpoint the config input names (a
    loopback stand-in of GitHub's API here); without it nothing is sent."""
    from verifyfakes import ByToken

    repo.write("app.env", f"A={tokens[0]}\nB={tokens[1]}\n")
    after = repo.commit("two tokens")
    with ByToken(tokens[0]) as server:
        cfg = tmp_path / "verify.toml"
        cfg.write_text(f'[verify]\nendpoints = {{ github = "{server.base}/api/v3" }}\n')
        quiet = run_action(tmp_path, repo, "push", {"after": after}, after, mode="full", config=str(cfg))
        assert quiet.exit_code == 1 and server.requests == []
        run = run_action(tmp_path, repo, "push", {"after": after}, after, mode="full", config=str(cfg),
                         verify="true", format="json")
        assert run.exit_code == 1, run.stderr
        assert len(server.requests) == 2
    report = json.loads(run.stdout[:run.stdout.rindex("}") + 1])
    said = {f["secret"][:6]: f["verification"]["status"] for f in report["findings"]}
    assert sorted(said.values()) == ["invalid", "live"]
    assert "1 live (verified), 1 invalid (revoked or rotated)" in run.summary and "octocat" in run.summary
    sarif = json.loads(Path(run.outputs["sarif"]).read_text())
    assert sorted(r["properties"]["verification"]["status"] for r in sarif["runs"][0]["results"]) == ["invalid", "live"]
    for token in tokens:
        assert token not in run.summary + run.stdout + run.stderr
