"""``credsprawl ci github``: the real client against a loopback HTTP server that answers in the
documented shapes of the GitHub REST API (runs, jobs, artifacts, log and artifact downloads)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from archiveutil import sha256, zip_bytes
from conftest import run_cli
from fakeapi import FakeAPI, Reply

from fixtures import fakecreds
from scanner.sources.ci.github import ClientSettings, GitHubClient, GitHubError, Unavailable

TOKEN = "test-token-for-the-loopback-server"
TS = "2024-05-31T12:00:00.0000000Z "


def log(*lines: str) -> bytes:
    return ("\ufeff" + "".join(f"{TS}{line}\n" for line in lines)).encode()


class FakeGitHub(FakeAPI):
    """The loopback server, answering in the GitHub REST API's shapes the tests set."""


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server


def run_obj(run_id: int, attempt: int = 1, name: str = "CI") -> dict[str, Any]:
    return {"id": run_id, "name": name, "run_attempt": attempt, "head_sha": f"{run_id:040x}", "status": "completed",
            "path": ".github/workflows/ci.yml", "event": "push"}


def serve_repo(api: FakeGitHub, rng: random.Random) -> dict[str, str]:
    s = {"step": fakecreds.github_token(rng), "artifact": fakecreds.slack_bot_token(rng), "job": fakecreds.github_token(rng)}
    repo = "/repos/octo/app/actions"
    runs_page2 = f"{{base}}{repo}/runs?per_page=100&page=2"
    api.routes[f"{repo}/runs"] = [
        Reply(200, {"total_count": 3, "workflow_runs": [run_obj(101, 2), run_obj(102)]},
              {"Link": f'<{runs_page2}>; rel="next", <{runs_page2}>; rel="last"', "x-ratelimit-remaining": "4999"}),
        Reply(200, {"total_count": 3, "workflow_runs": [run_obj(103)]}),
    ]
    # run 101: rate limited once on its jobs, logs redirect to storage, one artifact after a 502
    reset = str(int(time.time()) + 1)
    jobs = {"total_count": 1, "jobs": [{"id": 5001, "run_id": 101, "name": "build", "status": "completed",
                                        "steps": [{"number": 1, "name": "Set up job"}, {"number": 2, "name": "Run tests"}]}]}
    api.routes[f"{repo}/runs/101/jobs"] = [
        Reply(403, {"message": "API rate limit exceeded"}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}),
        Reply(200, jobs)]
    api.routes[f"{repo}/runs/101/logs"] = Reply(302, headers={"Location": "{base}/storage/logs-101.zip?sig=abc"})
    api.routes["/storage/logs-101.zip"] = Reply(200, zip_bytes({
        "0_build.txt": log("Set up job", "pytest", f"export GH={s['step']}"),
        "build/1_Set up job.txt": log("Set up job"),
        "build/2_Run tests.txt": log("pytest", "export MASKED=***", f"export GH={s['step']}"),
        "1_lint.txt": log("lint", f"curl -u ci:{s['job']} https://ci.example"),
    }))
    artifact = zip_bytes({"config/app.env": f"SLACK={s['artifact']}\n".encode()})
    digest = sha256(artifact)
    api.routes[f"{repo}/runs/101/artifacts"] = Reply(200, {"total_count": 2, "artifacts": [
        {"id": 9001, "name": "dist", "size_in_bytes": len(artifact), "expired": False, "digest": digest},
        {"id": 9002, "name": "coverage", "size_in_bytes": 10, "expired": True, "expires_at": "2024-01-01T00:00:00Z"}]})
    api.routes[f"{repo}/artifacts/9001/zip"] = [Reply(502, b"bad gateway"),
                                               Reply(302, headers={"Location": "/storage/a9001.zip"})]
    api.routes["/storage/a9001.zip"] = Reply(200, artifact)
    # run 102: its logs connection resets once; an identical artifact, and one deleted meanwhile
    api.routes[f"{repo}/runs/102/jobs"] = Reply(200, {"total_count": 0, "jobs": []})
    api.routes[f"{repo}/runs/102/logs"] = [Reply(drop=True), Reply(302, headers={"Location": "/storage/logs-102.zip"})]
    api.routes["/storage/logs-102.zip"] = Reply(200, zip_bytes({"test/1_Set up job.txt": log("nothing here")}))
    api.routes[f"{repo}/runs/102/artifacts"] = Reply(200, {"total_count": 2, "artifacts": [
        {"id": 9003, "name": "dist-again", "expired": False, "digest": digest},
        {"id": 9004, "name": "gone", "expired": False}]})
    # run 103: logs expired
    api.routes[f"{repo}/runs/103/jobs"] = Reply(200, {"total_count": 0, "jobs": []})
    api.routes[f"{repo}/runs/103/logs"] = Reply(410, {"message": "Gone"})
    api.routes[f"{repo}/runs/103/artifacts"] = Reply(200, {"total_count": 0, "artifacts": []})
    return s


def extras(finding: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in finding["origin"]:
        out.update(node["extra"])
    return out


def test_ci_github_end_to_end(api: FakeGitHub, rng: random.Random, tmp_path: Path) -> None:
    s = serve_repo(api, rng)
    started = time.monotonic()
    proc = run_cli("ci", "github", "octo/app", "--runs", "3", "-f", "json", "-q", "--list-skipped", "--show-secrets",
                   env={"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN}, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert time.monotonic() - started < 30
    report = json.loads(proc.stdout)
    by_secret = {f["secret"]: f for f in report["findings"]}
    step = by_secret[s["step"]]
    assert (step["path"], step["start_line"]) == ("actions/runs/101/attempts/2/logs.zip!build/2_Run tests.txt", 3)
    assert step["start_column"] == len(TS) + len("export GH=") + 1
    facts = extras(step)
    assert facts | {"head_sha": ""} == {"repo": "octo/app", "workflow": "CI", "run_id": "101", "run_attempt": "2",
                                        "head_sha": "", "job": "build", "job_id": "5001", "step": "2",
                                        "step_name": "Run tests", "log": "github-actions"}
    lint = by_secret[s["job"]]
    assert lint["path"] == "actions/runs/101/attempts/2/logs.zip!1_lint.txt" and extras(lint)["job"] == "lint"
    art = by_secret[s["artifact"]]
    assert art["path"] == "actions/runs/101/artifacts/dist.zip!config/app.env"
    assert {k: extras(art)[k] for k in ("artifact", "artifact_id", "run_id")} == {
        "artifact": "dist", "artifact_id": "9001", "run_id": "101"}
    assert extras(art)["artifact_digest"].startswith("sha256:")

    # the whole-job log duplicates the step logs and is not scanned twice; the masked value is no finding
    paths = [f["path"] for f in report["findings"]]
    assert sorted(paths) == sorted([step["path"], lint["path"], art["path"]])
    skipped = {(x["path"], x["reason"]) for x in report["summary"]["skipped"]}
    assert skipped == {("actions/runs/101/artifacts/coverage.zip", "expired"),
                       ("actions/runs/102/artifacts/dist-again.zip", "duplicate"),
                       ("actions/runs/102/artifacts/gone.zip", "not-found"),
                       ("actions/runs/103/attempts/1/logs.zip", "expired")}

    requested = api.paths()
    assert requested.count("/repos/octo/app/actions/runs/101/jobs?per_page=100&filter=latest") >= 2  # waited, retried
    assert "/repos/octo/app/actions/runs?per_page=100&page=2" in requested  # followed the Link header
    assert requested.count("/repos/octo/app/actions/artifacts/9001/zip") >= 2  # 502 retried
    assert "/repos/octo/app/actions/artifacts/9003/zip" not in requested  # dedup by the listed digest
    assert all(h.get("authorization") == f"Bearer {TOKEN}" for p, h in api.requests if p.startswith("/repos/"))
    assert all(h.get("x-github-api-version") for p, h in api.requests if p.startswith("/repos/"))


def test_workflow_and_since_select_runs(api: FakeGitHub) -> None:
    api.routes["/repos/octo/app/actions/workflows/ci.yml/runs"] = Reply(200, {"total_count": 0, "workflow_runs": []})
    api.routes["/repos/octo/app/actions/runs"] = Reply(200, {"total_count": 2, "workflow_runs": [
        run_obj(1, name="Release"), run_obj(2, name="CI")]})
    for i in (1, 2):
        api.routes[f"/repos/octo/app/actions/runs/{i}/jobs"] = Reply(200, {"jobs": []})
        api.routes[f"/repos/octo/app/actions/runs/{i}/logs"] = Reply(404, {"message": "Not Found"})
        api.routes[f"/repos/octo/app/actions/runs/{i}/artifacts"] = Reply(200, {"artifacts": []})
    env = {"GITHUB_API_URL": api.base + "/", "GITHUB_TOKEN": TOKEN}
    proc = run_cli("ci", "github", "octo/app", "--workflow", "ci.yml", "--since", "2024-05-01", "-f", "json", "-q", "--list-skipped", env=env)
    assert proc.returncode == 0, proc.stderr
    assert any(p.startswith("/repos/octo/app/actions/workflows/ci.yml/runs?") and "created=%3E%3D2024-05-01" in p
               for p in api.paths())
    proc = run_cli("ci", "github", "octo/app", "--workflow", "CI", "-f", "json", "-q", "--list-skipped", env=env)
    skipped = json.loads(proc.stdout)["summary"]["skipped"]
    assert [(x["path"], x["reason"]) for x in skipped] == [("actions/runs/2/attempts/1/logs.zip", "not-found")]


def test_usage_and_api_errors_are_one_line_exit_2(api: FakeGitHub) -> None:
    env = {"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN}
    proc = run_cli("ci", "github", "not a repo", env=env)
    assert proc.returncode == 2 and "OWNER/REPO" in proc.stderr and proc.stderr.count("\n") == 1
    proc = run_cli("ci", "github", "octo/app", "--since", "yesterday", env=env)
    assert proc.returncode == 2 and "--since" in proc.stderr
    api.routes["/repos/octo/app/actions/runs"] = Reply(401, {"message": "Bad credentials"})
    proc = run_cli("ci", "github", "octo/app", env=env)
    assert proc.returncode == 2 and "GITHUB_TOKEN" in proc.stderr and proc.stderr.count("\n") == 1
    api.routes["/repos/octo/app/actions/runs"] = Reply(404, {"message": "Not Found"})
    proc = run_cli("ci", "github", "octo/app", env=env)
    assert proc.returncode == 2 and "not found" in proc.stderr


# ------------------------------------------------------------------------------------------------
# the client on its own (waits recorded instead of slept)


def client_for(api: FakeGitHub, sleeps: list[float], **kw: Any) -> GitHubClient:
    return GitHubClient(ClientSettings(base_url=api.base, token=TOKEN, **kw), sleep=sleeps.append)


def test_retry_after_and_exhausted_quota(api: FakeGitHub) -> None:
    sleeps: list[float] = []
    api.routes["/x"] = [Reply(429, {"message": "secondary rate limit"}, {"retry-after": "7"}), Reply(200, {"ok": 1})]
    assert client_for(api, sleeps).get_json("/x")[0] == {"ok": 1}
    assert sleeps == [7.0]
    far = str(int(time.time()) + 7200)
    api.routes["/y"] = Reply(403, {"message": "API rate limit exceeded"}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": far})
    with pytest.raises(GitHubError, match="rate limit exhausted until"):
        client_for(api, sleeps).get_json("/y")


def test_spent_quota_waits_before_the_next_request(api: FakeGitHub) -> None:
    sleeps: list[float] = []
    reset = time.time() + 30
    api.routes["/a"] = Reply(200, {"a": 1}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(reset))})
    api.routes["/b"] = Reply(200, {"b": 1})
    client = client_for(api, sleeps)
    client.get_json("/a")
    assert sleeps == []
    client.get_json("/b")
    assert len(sleeps) == 1 and 25 < sleeps[0] <= 31


def test_transient_failures_back_off_then_give_up(api: FakeGitHub) -> None:
    sleeps: list[float] = []
    api.routes["/flaky"] = [Reply(500), Reply(503), Reply(drop=True), Reply(200, {"ok": 1})]
    assert client_for(api, sleeps).get_json("/flaky")[0] == {"ok": 1}
    assert sleeps == [0.5, 1.0, 2.0]
    sleeps.clear()
    api.routes["/down"] = Reply(500, {"message": "boom"})
    with pytest.raises(GitHubError, match="HTTP 500"):
        client_for(api, sleeps, retries=2).get_json("/down")
    assert sleeps == [0.5, 1.0]


def test_token_is_not_sent_to_another_host_and_gone_is_unavailable(api: FakeGitHub) -> None:
    with FakeGitHub() as storage:
        storage.routes["/blob"] = Reply(200, b"zip bytes")
        api.routes["/dl"] = Reply(302, headers={"Location": storage.base + "/blob?sig=1"})
        assert client_for(api, []).download("/dl") == b"zip bytes"
        assert storage.requests and "authorization" not in storage.requests[0][1]
    api.routes["/old"] = Reply(410, {"message": "Gone"})
    with pytest.raises(Unavailable) as info:
        client_for(api, []).download("/old")
    assert info.value.reason == "expired"
    api.routes["/huge"] = Reply(200, b"x" * 5000)
    with pytest.raises(Unavailable) as info:
        client_for(api, [], max_download=1000).download("/huge")
    assert info.value.reason == "too-large"


# ------------------------------------------------------------------------------------------------
# hostile servers and bad configuration: one line on stderr, exit 2, within the bounds


def one_line_exit_2(proc: Any) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1 and TOKEN not in proc.stderr
    return str(proc.stderr)


def test_the_token_never_follows_pagination_to_another_host(api: FakeGitHub) -> None:
    with FakeGitHub() as other:
        other.routes["/repos/octo/app/actions/runs"] = Reply(200, {"workflow_runs": []})
        api.routes["/repos/octo/app/actions/runs"] = Reply(200, {"workflow_runs": [run_obj(1)]}, {
            "Link": f'<{other.base}/repos/octo/app/actions/runs?page=2>; rel="next"'})
        proc = run_cli("ci", "github", "octo/app", "-q", env={"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN})
        err = one_line_exit_2(proc)
        assert "another host" in err and other.base.split("//")[1] in err
        assert other.requests == []


@pytest.mark.parametrize("reply, options, expected", [
    (Reply(endless=True), (), "larger than the limit of 67108864 bytes"),
    (Reply(trickle=0.5), ("--request-timeout", "2"), "no complete answer within 2 s"),
    (Reply(silent=True), ("--timeout", "2"), "--timeout"),
], ids=["endless", "trickle", "silent"])
def test_hostile_servers_end_the_run_within_its_bounds(api: FakeGitHub, reply: Reply, options: tuple[str, ...],
                                                      expected: str) -> None:
    api.routes["/repos/octo/app/actions/runs"] = reply
    started = time.monotonic()
    proc = run_cli("ci", "github", "octo/app", "-q", *options, env={"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN})
    assert expected in one_line_exit_2(proc)
    assert time.monotonic() - started < 20


def test_the_run_deadline_covers_every_request(api: FakeGitHub) -> None:
    """Each request well within --request-timeout, the run past --timeout: ends at the run's limit."""
    api.routes["/repos/octo/app/actions/runs"] = Reply(200, {"workflow_runs": [run_obj(i) for i in range(1, 6)]})
    for i in range(1, 6):
        api.routes[f"/repos/octo/app/actions/runs/{i}/jobs"] = Reply(trickle=0.3)
    started = time.monotonic()
    proc = run_cli("ci", "github", "octo/app", "-q", "--timeout", "3", "--request-timeout", "1.5",
                   env={"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN})
    assert "whole run (3 s)" in one_line_exit_2(proc)
    assert time.monotonic() - started < 15


@pytest.mark.parametrize("runs, jobs, artifacts, expected", [
    ([{"name": "x"}], [], [], "a workflow run has no integer id"),
    (["str", 5], [], [], "a workflow run is not an object"),
    ({"a": 1}, [], [], "not a list of items"),
    ([{"id": "../../../../x?"}], [], [], "a workflow run has no integer id"),
    ([{"id": True}], [], [], "a workflow run has no integer id"),
    ([{"id": 1, "run_attempt": "2"}], [], [], "'run_attempt' of the wrong type"),
    ([{"id": 1}], [5, "x"], [], "a job is not an object"),
    ([{"id": 1}], [{"id": 2, "steps": "x"}], [], "'steps' of the wrong type"),
    ([{"id": 1}], [], [{"name": "noid"}], "an artifact has no integer id"),
    ([{"id": 1}], [], [{"id": 9, "name": "a", "digest": 5}], "'digest' of the wrong type"),
], ids=["no-id", "not-objects", "not-a-list", "id-a-path", "id-a-bool", "attempt-a-string", "jobs-not-objects",
        "steps-not-a-list", "artifact-no-id", "digest-a-number"])
def test_answers_in_the_wrong_shape_are_one_line_exit_2(api: FakeGitHub, runs: Any, jobs: Any, artifacts: Any,
                                                        expected: str) -> None:
    repo = "/repos/octo/app/actions"
    api.routes[f"{repo}/runs"] = Reply(200, {"workflow_runs": runs})
    api.routes[f"{repo}/runs/1/jobs"] = Reply(200, {"jobs": jobs})
    api.routes[f"{repo}/runs/1/artifacts"] = Reply(200, {"artifacts": artifacts})
    api.routes[f"{repo}/runs/1/logs"] = Reply(404, {"message": "Not Found"})
    proc = run_cli("ci", "github", "octo/app", "-q", env={"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN})
    assert expected in one_line_exit_2(proc)


def test_artifact_names_are_labels_that_cannot_forge_a_location(api: FakeGitHub, rng: random.Random) -> None:
    secret = fakecreds.github_token(rng)
    repo = "/repos/octo/app/actions"
    api.routes[f"{repo}/runs"] = Reply(200, {"workflow_runs": [run_obj(1)]})
    api.routes[f"{repo}/runs/1/jobs"] = Reply(200, {"jobs": []})
    api.routes[f"{repo}/runs/1/logs"] = Reply(404, {"message": "Not Found"})
    api.routes[f"{repo}/runs/1/artifacts"] = Reply(200, {"artifacts": [{"id": 9, "name": "../../../etc/evil\n::x"}]})
    api.routes[f"{repo}/artifacts/9/zip"] = Reply(200, zip_bytes({"a.env": f"T={secret}\n".encode()}))
    proc = run_cli("ci", "github", "octo/app", "-q", "-f", "json",
                   env={"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN})
    assert proc.returncode == 1, proc.stderr
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["path"] == "actions/runs/1/artifacts/.._.._.._etc_evil___x.zip!a.env"


@pytest.mark.parametrize("url, expected", [
    ("not a url", "not an https:// URL"), ("file:///etc/passwd", "not an https:// URL"),
    ("http://api.example.com", "only for a loopback address"), ("https://u:p@api.example.com", "user name"),
    ("https://api.example.com/?x=1", "no query"),
])
def test_the_api_url_must_be_https_or_loopback_http(url: str, expected: str) -> None:
    proc = run_cli("ci", "github", "octo/app", "-q", env={"GITHUB_API_URL": url, "GITHUB_TOKEN": TOKEN})
    err = one_line_exit_2(proc)
    assert "GITHUB_API_URL" in err and expected in err


def test_a_download_without_length_is_cut_while_streaming(api: FakeGitHub) -> None:
    api.routes["/endless.zip"] = Reply(endless=True)
    with pytest.raises(Unavailable) as info:
        client_for(api, [], max_download=2 * 1024 * 1024).download("/endless.zip")
    assert info.value.reason == "too-large"
def test_ci_github_takes_the_shared_rule_and_filter_options(api: FakeGitHub, tmp_path: Path) -> None:
    """The same Settings as every scanning command: config gitleaks rules and --gitleaks-config, and
    --exclude / config allowlist paths (matched against each part of a location: a log or artifact
    member's path, or the download's own)."""
    rng = random.Random(31)
    team = "teamtok_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))
    gh = fakecreds.github_token(rng)
    repo = "/repos/octo/app/actions"
    api.routes[f"{repo}/runs"] = Reply(200, {"total_count": 1, "workflow_runs": [run_obj(201)]})
    api.routes[f"{repo}/runs/201/jobs"] = Reply(200, {"total_count": 0, "jobs": []})
    api.routes[f"{repo}/runs/201/logs"] = Reply(200, zip_bytes({"build/1_Run.txt": log("deploy", f"export TEAM={team}")}))
    api.routes[f"{repo}/runs/201/artifacts"] = Reply(200, {"total_count": 1, "artifacts": [
        {"id": 9101, "name": "dist", "expired": False}]})
    api.routes[f"{repo}/artifacts/9101/zip"] = Reply(200, zip_bytes({"config/app.env": f"GH={gh}\n".encode()}))
    (tmp_path / "gitleaks.toml").write_text(
        "[[rules]]\nid = \"team-token\"\nregex = '''teamtok_[a-z0-9]{24}'''\nkeywords = [\"teamtok_\"]\n")
    env = {"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN}

    def secrets(*args: str) -> list[str]:
        proc = run_cli("ci", "github", "octo/app", "-f", "json", "-q", "--show-secrets", "--engine", "ahocorasick",
                       *args, env=env, cwd=tmp_path)
        assert proc.returncode in (0, 1), proc.stderr
        return sorted(f["secret"] for f in json.loads(proc.stdout)["findings"])

    assert secrets() == [gh]
    assert secrets("--gitleaks-config", "gitleaks.toml") == sorted([gh, team])
    assert secrets("--gitleaks-config", "gitleaks.toml", "--exclude", "*.env") == [team]
    assert secrets("--exclude", "artifacts/") == []
    (tmp_path / ".credsprawl.toml").write_text('[extend]\ngitleaks = "gitleaks.toml"\n[allowlist]\npaths = ["build/"]\n')
    assert secrets() == [gh]
