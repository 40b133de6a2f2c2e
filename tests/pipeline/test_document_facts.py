"""Facts that need the whole document (a GCP service-account key file's ``client_email``, a kubeconfig
user's cluster) are the same whatever the source: the filesystem, git history (whole blobs and blobs
scanned by their change), staged changes, and a CI log."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

from fixtures import fakecreds as fc
from gitutil import GitRepo, cli_inprocess
from keyutil import new_key, private_pem

PAD = "".join(f"# filler line {i} of a long kubeconfig, so the next version is scanned by its change\n"
              for i in range(400))  # above the 16 KB from which a new version is delta-scanned


def _kubeconfig(rng: random.Random, tail: str = "") -> str:
    key_b64 = base64.b64encode(private_pem(new_key("ec"), "sec1").encode()).decode()
    return f"""{PAD}apiVersion: v1
kind: Config
current-context: prod
clusters:
- cluster:
    server: https://prod.k8s.example.test:6443
  name: prod
contexts:
- context:
    cluster: prod
    user: deployer
  name: prod
users:
- name: deployer
  user:
    client-key-data: {key_b64}
- name: ci-bot
  user:
    token: {fc.chars(rng, fc.ALNUM, 48)}
{tail}"""


def _files(rng: random.Random) -> dict[str, str]:
    return {"gcp/sa.json": json.dumps(json.loads(fc.gcp_service_account_json(rng)), indent=2),
            "kube/config": _kubeconfig(rng)}


def _facts(stdout: str) -> dict[tuple[str, str], dict[str, str]]:
    doc, _ = json.JSONDecoder().raw_decode(stdout)
    out: dict[tuple[str, str], dict[str, str]] = {}
    for f in doc["findings"]:
        wanted = {k: v for k, v in f.get("attributes", {}).items() if k.startswith(("gcp.", "kube."))}
        out[(f["path"], f["rule_id"])] = wanted
    return out


def _run(*args: str) -> dict[tuple[str, str], dict[str, str]]:
    code, out, err = cli_inprocess(*args, "-f", "json", "--engine", "ahocorasick")
    assert code == 1, err
    return _facts(out)


def _document_facts_present(facts: dict[tuple[str, str], dict[str, str]]) -> None:
    gcp = facts[("gcp/sa.json", "gcp-service-account-json")]
    assert {"gcp.client_email", "gcp.project_id", "gcp.private_key_id"} <= set(gcp)
    assert any(k.startswith("kube.") for k in facts[("kube/config", "kubeconfig-client-key")])


def test_scan_history_and_staged_give_the_same_document_facts(tmp_path: Path) -> None:
    rng = random.Random(21)
    files = _files(rng)
    repo = GitRepo(tmp_path / "work")
    for name, text in files.items():
        repo.write(name, text)
    repo.commit("keys")
    scanned = _run("scan", str(repo.path))
    _document_facts_present(scanned)
    assert _run("history", str(repo.path), "--jobs", "1") == scanned

    staged = GitRepo(tmp_path / "staged")
    for name, text in files.items():
        staged.write(name, text)
    staged.git("add", "-A")
    assert _run("staged", str(staged.path)) == scanned


def test_a_blob_scanned_by_its_change_keeps_its_document_facts(tmp_path: Path) -> None:
    rng = random.Random(22)
    files = _files(rng)
    repo = GitRepo(tmp_path / "work")
    for name, text in files.items():
        repo.write(name, text)
    repo.commit("keys")
    repo.write("kube/config", files["kube/config"] + "preferences: {}\n")  # the new version: a delta scan
    repo.commit("prefs")
    scanned = _run("scan", str(repo.path))
    _document_facts_present(scanned)
    assert _run("history", str(repo.path), "--jobs", "1") == scanned


def test_a_ci_log_gives_the_document_facts_of_a_file(tmp_path: Path) -> None:
    rng = random.Random(23)
    doc = json.loads(fc.gcp_service_account_json(rng))
    text = json.dumps(doc, indent=2)
    (tmp_path / "sa.json").write_text(text)
    stamp = "2024-05-31T10:00:00.0000000Z "
    (tmp_path / "build.log").write_text("".join(stamp + line + "\n" for line in ["##[group]Run cat sa.json", *text.splitlines()]))
    found: dict[str, Any] = {}
    for (path, rule), facts in _run("scan", str(tmp_path)).items():
        if rule == "gcp-service-account-json":
            found[path] = facts
    assert found["build.log"] == found["sa.json"] != {}
