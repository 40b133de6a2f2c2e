"""``credsprawl ci github OWNER/REPO``: the logs and artifacts of a repository's workflow runs, as blobs.

For each of the latest ``--runs N`` runs (``--since DATE``, ``--workflow NAME``): list its jobs, download
its logs zip and its artifacts (zips) in memory, and scan them like any archive. Locations carry
the run: ``actions/runs/42/attempts/1/logs.zip!build/3_Run tests.txt:12`` with origin facts ``repo``,
``workflow``, ``run_id``, ``run_attempt``, ``head_sha``, and ``job``, ``job_id``, ``step``,
``step_name`` on a log, or ``artifact``, ``artifact_id``, ``artifact_digest`` on an artifact.

- A job's whole log (``2_build.txt`` at the top of the zip) repeats its step logs
  (``build/3_Run tests.txt``); when the step logs are there, the whole log is not scanned twice.
- Identical artifacts (by the digest the API lists, else the SHA-256 of the download) are scanned
  once; later copies are skipped as ``duplicate`` naming the first.
- Expired or deleted logs and artifacts (410, 404, or ``expired`` in the listing) are skips, and so
  are downloads over ``--max-archive-size``; a run whose requests fail otherwise is a warning, and the
  other runs are still scanned. Answers in the wrong shape (:mod:`scanner.sources.ci.github_shapes`), a
  refused URL, the run's ``--timeout`` or an exhausted quota end the command (exit 2).
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from dataclasses import dataclass
from typing import Iterator

from scanner.sources.ci.github import GitHubClient, Unavailable
from scanner.sources.ci.github_shapes import Artifact, Job, Run
from scanner.errors import UsageError
from scanner.model import Blob, Origin
from scanner.results import Skip
from scanner.sources import archives
from scanner.sources.archives import ArchiveLimits, Source
from scanner.sources.views import with_extra

_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d)?Z?)?$")
_STEP = re.compile(r"^(\d+)_(.*)\.txt$")
_UNSAFE = re.compile(r'[\\/:*?"<>|]')

Facts = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RunQuery:
    repo: str
    runs: int = 10
    since: str | None = None
    workflow: str | None = None

    def __post_init__(self) -> None:
        if not _REPO.match(self.repo):
            raise UsageError(f"not a repository: {self.repo!r} (expected OWNER/REPO)")
        if self.since is not None and not _DATE.match(self.since):
            raise UsageError(f"--since {self.since!r}: expected a date like 2024-05-31")


def list_runs(client: GitHubClient, query: RunQuery) -> list[Run]:
    """The latest runs (newest first) that match the query."""
    workflow = query.workflow
    by_file = workflow is not None and (workflow.isdigit() or workflow.endswith((".yml", ".yaml")))
    if by_file:
        path = f"/repos/{query.repo}/actions/workflows/{urllib.parse.quote(workflow or '', safe='')}/runs"
    else:
        path = f"/repos/{query.repo}/actions/runs"
    params = {"created": f">={query.since}"} if query.since else {}
    runs: list[Run] = []
    for item in client.pages(path, "workflow_runs", params):
        run = Run.from_json(item, path)
        if workflow and not by_file and run.name.lower() != workflow.lower():
            continue
        runs.append(run)
        if len(runs) >= query.runs:
            break
    return runs


def _folder(name: str) -> str:
    return _UNSAFE.sub("", name).strip()


def _log_facts(path: str, jobs: list[Job]) -> tuple[Facts, str | None]:
    """Job and step facts of a member of a run's logs zip, and the job folder it belongs to."""
    folder, _, leaf = path.rpartition("/")
    step = _STEP.match(leaf)
    job_name = folder or (step.group(2) if step else leaf.removesuffix(".txt"))
    job = next((j for j in jobs if _folder(j.name) == _folder(job_name)), None)
    facts: list[tuple[str, str]] = [("job", job.name if job else job_name)]
    if job:
        facts.append(("job_id", str(job.id)))
    if folder and step:
        number = int(step.group(1))
        facts.append(("step", str(number)))
        facts.append(("step_name", (job.step_name(number) if job else None) or step.group(2)))
    elif folder:
        facts.append(("step", leaf.removesuffix(".txt")))
    return tuple(facts), folder or None


def log_members(data: bytes, origin: Origin, jobs: list[Job], limits: ArchiveLimits) -> Iterator[Blob | Skip]:
    """The logs of a run's zip, labelled with job and step; whole-job logs only where no step logs are."""
    source = Source.from_bytes(data, origin)
    try:
        names = [i.filename for i in archives.zip_members(source) if not archives.zip_entry_is_dir(i)]
    except archives.CORRUPT as exc:
        yield Skip(origin.render(), "corrupt", f"logs archive: {exc}")
        return
    with_steps = {n.rpartition("/")[0] for n in names if "/" in n and _STEP.match(n.rpartition("/")[2])}
    for item in archives.expand(source, limits):
        if not isinstance(item, Blob):
            if isinstance(item, Skip):
                yield item
            continue
        facts, folder = _log_facts(item.origin.path, jobs)
        if folder is None and _folder(dict(facts)["job"]) in {_folder(f) for f in with_steps}:
            continue  # the whole-job log repeats the step logs scanned on their own
        yield Blob(item.data, with_extra(item.origin, facts))


class RunSource:
    """The blobs of a repository's workflow runs: each run's log members (labelled with job and step)
    and its artifacts, identical artifacts once. The pipeline scans them
    (``scanner.pipeline.ciscan.scan_github``)."""

    def __init__(self, client: GitHubClient, limits: ArchiveLimits, repo: str) -> None:
        self.client = client
        self.limits = limits
        self.repo = repo
        self.digests: dict[str, str] = {}  # artifact digest -> where it was first seen

    def run_facts(self, run: Run) -> Facts:
        return (("repo", self.repo), ("workflow", run.name), ("run_id", str(run.id)),
                ("run_attempt", str(run.attempt)), ("head_sha", run.head_sha))

    def items(self, run: Run) -> Iterator[Blob | Skip]:
        """A run's blobs and skips, in order; raises GitHubError when the run cannot be read further."""
        facts = self.run_facts(run)
        base = f"/repos/{self.repo}/actions/runs/{run.id}"
        jobs = [Job.from_json(j, f"{base}/jobs")
                for j in self.client.pages(f"{base}/jobs", "jobs", {"filter": "latest"})]
        artifacts = [Artifact.from_json(a, f"{base}/artifacts")
                     for a in self.client.pages(f"{base}/artifacts", "artifacts")]
        where = Origin(f"actions/runs/{run.id}/attempts/{run.attempt}/logs.zip", "ci-logs", extra=facts)
        try:
            data = self.client.download(f"{base}/logs")
        except Unavailable as exc:
            yield Skip(where.render(), exc.reason, str(exc), _limit_of(exc))
        else:
            yield from log_members(data, where, jobs, self.limits)
        for artifact in artifacts:
            yield from self.artifact(run.id, facts, artifact)

    def artifact(self, run_id: int, facts: Facts, artifact: Artifact) -> Iterator[Blob | Skip]:
        where = f"actions/runs/{run_id}/artifacts/{artifact.name}.zip"
        if artifact.expired:
            yield Skip(where, "expired", f"artifact expired {artifact.expires_at}".strip())
            return
        digest = artifact.digest
        if digest and digest in self.digests:
            yield Skip(where, "duplicate", f"same digest as {self.digests[digest]}")
            return
        try:
            data = self.client.download(f"/repos/{self.repo}/actions/artifacts/{artifact.id}/zip")
        except Unavailable as exc:
            yield Skip(where, exc.reason, str(exc), _limit_of(exc))
            return
        digest = digest or "sha256:" + hashlib.sha256(data).hexdigest()
        if digest in self.digests:
            yield Skip(where, "duplicate", f"same digest as {self.digests[digest]}")
            return
        self.digests[digest] = where
        extra = facts + (("artifact", artifact.name), ("artifact_id", str(artifact.id)), ("artifact_digest", digest))
        yield Blob(data, Origin(where, "ci-artifact", extra=extra))


def _limit_of(exc: Unavailable) -> str:
    """The option whose limit a download over the cap tripped (downloads are capped at --max-archive-size)."""
    return "--max-archive-size" if exc.reason == "too-large" else ""
