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


def test_action_is_composite_and_declares_what_its_steps_use() -> None:
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    assert declared == {"path", "mode", "config", "baseline", "format", "fail-on-findings", "upload-sarif",
                        "rules", "disable", "gitleaks-config", "exclude", "min-confidence"}
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", json.dumps(ACTION["runs"])))
    assert used == declared
    scan = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "scan")
    # every input reaches the scan step under the variable scanner/cli/action.py reads
    assert {k: v for k, v in scan["env"].items()} == {var: f"${{{{ inputs.{name} }}}}" for name, var in INPUTS.items()}
    upload = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert "steps.scan.outputs.sarif" in upload["with"]["sarif_file"]
    for output in ACTION["outputs"].values():
        assert output["value"].startswith("${{ steps.scan.outputs.")
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "expressions go through env, never into the script text"
            for script in re.findall(r"\$GITHUB_ACTION_PATH/(\S+?)\"", step["run"]):
                assert (ROOT / script).is_file(), script


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


def _evaluate(expr: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> Any:
    """The small part of GitHub's expression language action.yml uses."""
    python = re.sub(r"\b(inputs)\.([A-Za-z0-9_-]+)|\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)",
                    lambda m: repr(inputs.get(m.group(2), "")) if m.group(1) else
                    repr(outputs.get(m.group(3), {}).get(m.group(4), "")), expr)
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
               ref: str = "refs/heads/main", **given: str) -> StepRun:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items()})
    runner = tmp_path / "runner"
    (runner / "bin").mkdir(parents=True, exist_ok=True)
    shim = runner / "bin" / "credsprawl"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m scanner "$@"\n')
    shim.chmod(0o755)
    event_file = runner / "event.json"
    event_file.write_text(json.dumps(payload))
    summary = runner / "summary.md"
    summary.write_text("")
    base_env = {k: v for k, v in repo.env.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    base_env.update({
        "PATH": f"{runner / 'bin'}{os.pathsep}{os.environ['PATH']}", "CI": "true", "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(event_file), "GITHUB_SHA": sha, "GITHUB_REF": ref,
        "GITHUB_WORKSPACE": str(repo.path), "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_PATH": str(runner / "path.txt"), "RUNNER_TEMP": str(runner),
    })
    outputs: dict[str, dict[str, str]] = {}
    code, stdout, stderr, uploaded = 0, "", "", None
    for step in ACTION["runs"]["steps"]:
        if step.get("id") == "install":
            continue  # the shim stands in for the pip install from the action's checkout
        condition = step.get("if")
        if condition and not _evaluate(_EXPR.sub(lambda m: m.group(1), condition), inputs, outputs):
            continue
        if "uses" in step:
            uploaded = _substitute(step["with"]["sarif_file"], inputs, outputs)
            continue
        output_file = runner / f"output-{step['id']}.txt"
        output_file.write_text("")
        env = {**base_env, "GITHUB_OUTPUT": str(output_file)}
        env.update({k: _substitute(str(v), inputs, outputs) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo.path, env=env, capture_output=True,
                              text=True, timeout=120)
        outputs[step["id"]] = _read_outputs(output_file)
        stdout += proc.stdout
        stderr += proc.stderr
        if proc.returncode != 0:
            code = proc.returncode
            break
    return StepRun(code, outputs.get("scan", {}), summary.read_text(), stdout, stderr, uploaded)


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
