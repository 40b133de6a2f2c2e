"""The GitHub Action's scan step (``credsprawl action``), run by ``action.yml``.

Inputs arrive as environment variables (``INPUTS`` maps each action input to its variable); the
event comes from ``GITHUB_EVENT_NAME`` and the payload file at ``GITHUB_EVENT_PATH``, as a runner sets
them. The step:

1. chooses the commits: ``push`` scans ``before..after`` of the push (a new branch, git's all-zero
   ``before``, scans the commits no other ref has; a force push or a shallow checkout that lacks
   ``before`` first tries to fetch it, then falls back to the same); ``pull_request`` scans
   ``base..head``; ``full`` scans every ref's history;
2. runs the history scan, applies the baseline, prints the report in ``format`` and writes SARIF
   for code scanning;
3. writes a summary table to ``$GITHUB_STEP_SUMMARY``, annotations for the log, and the outputs
   ``findings``, ``exit-code``, ``sarif``, ``range`` and ``upload`` to ``$GITHUB_OUTPUT`` (``upload``
   is false when ``upload-sarif`` is off, and for a pull request from a fork, whose token cannot
   write code scanning alerts);
4. returns the exit code: 1 when there are findings and ``fail-on-findings`` is true, 2 on errors.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, TextIO

from scanner.errors import CredsprawlError, UsageError
from scanner.model import Finding, redact
from scanner.results import ExitStatus, ScanReport
from scanner.sources import git as gitsrc
from scanner.settings import Flags, Settings, build_settings
from scanner.sources.git import Repo

if TYPE_CHECKING:
    from scanner.history.scan import HistoryRequest

INPUTS = {
    "path": "INPUT_PATH",
    "mode": "INPUT_MODE",
    "config": "INPUT_CONFIG",
    "rules": "INPUT_RULES",
    "disable": "INPUT_DISABLE",
    "gitleaks-config": "INPUT_GITLEAKS_CONFIG",
    "exclude": "INPUT_EXCLUDE",
    "min-confidence": "INPUT_MIN_CONFIDENCE",
    "baseline": "INPUT_BASELINE",
    "format": "INPUT_FORMAT",
    "fail-on-findings": "INPUT_FAIL_ON_FINDINGS",
    "upload-sarif": "INPUT_UPLOAD_SARIF",
    "verify": "INPUT_VERIFY",
}
MODES = ("push", "pull_request", "full")
ZERO = "0" * 40
MAX_ROWS = 100
MAX_ANNOTATIONS = 50


def _bool(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "yes", "1", "on"):
        return True
    if v in ("false", "no", "0", "off", ""):
        return False
    raise UsageError(f"input {name} must be true or false, got {value!r}")


def _lines(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.splitlines() if v.strip())


@dataclass(frozen=True)
class ActionInputs:
    path: str = "."
    mode: str = "push"
    config: str = ""
    baseline: str = ""
    format: str = "text"
    fail_on_findings: bool = True
    upload_sarif: bool = True
    rules: tuple[str, ...] = ()  # the shared rule and filter options, one value a line
    disable: tuple[str, ...] = ()
    gitleaks_config: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_confidence: str = ""
    verify: bool = False  # --verify: ask each credential's provider (endpoints from the config input only)

    def flags(self) -> Flags:
        """The same Flags the CLI's options give (``scanner.cli.options.add_settings_options``)."""
        return Flags(config=Path(self.config) if self.config else None, rules=tuple(map(Path, self.rules)),
                     disable=self.disable, gitleaks=tuple(map(Path, self.gitleaks_config)), exclude=self.exclude,
                     min_confidence=self.min_confidence or None, verify=self.verify)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionInputs:
        from scanner.cli.options import FORMATS

        get = {name: env.get(var, "") for name, var in INPUTS.items()}
        mode = get["mode"].strip() or "push"
        if mode not in MODES:
            raise UsageError(f"input mode must be one of {', '.join(MODES)}, got {mode!r}")
        fmt = get["format"].strip() or "text"
        if fmt not in FORMATS:
            raise UsageError(f"input format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        confidence = get["min-confidence"].strip()
        if confidence not in ("", "low", "medium", "high"):
            raise UsageError(f"input min-confidence must be low, medium or high, got {confidence!r}")
        return cls(
            rules=_lines(get["rules"]), disable=_lines(get["disable"]), gitleaks_config=_lines(get["gitleaks-config"]),
            exclude=_lines(get["exclude"]), min_confidence=confidence,
            path=get["path"].strip() or ".", mode=mode, config=get["config"].strip(),
            baseline=get["baseline"].strip(), format=fmt,
            fail_on_findings=_bool(get["fail-on-findings"] or "true", "fail-on-findings"),
            upload_sarif=_bool(get["upload-sarif"] or "true", "upload-sarif"),
            verify=_bool(get["verify"] or "false", "verify"),
        )


@dataclass(frozen=True)
class Plan:
    """What to scan: git revision arguments (empty: every ref), and why."""

    rev_args: tuple[str, ...]
    label: str
    notes: tuple[str, ...] = ()
    nothing: bool = False  # a deleted branch: nothing to scan


def _payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        return {}
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read the event payload {path}: {exc}") from None
    return doc if isinstance(doc, dict) else {}


def _short(sha: str) -> str:
    return sha[:12]


class _Git:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo

    def has_commit(self, sha: str) -> bool:
        return bool(sha) and sha != ZERO and gitsrc.head_commit(self.repo, sha) is not None

    def fetch(self, *args: str) -> bool:
        code, _, _ = self.repo.try_run("fetch", "--no-tags", "--quiet", "origin", *args)
        return code == 0

    def other_ref_tips(self, after: str, branch: str) -> list[str]:
        """Tips of the refs that are not the pushed branch and do not point at ``after``."""
        own = {f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"} if branch else set()
        tips = {r.target for r in gitsrc.list_refs(self.repo)
                if r.kind == "commit" and r.name not in own and r.name != "HEAD" and r.target != after}
        return sorted(tips)


def _branch_of(payload: Mapping[str, Any], env: Mapping[str, str]) -> str:
    ref = str(payload.get("ref") or env.get("GITHUB_REF", ""))
    return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""


def _new_commits(g: _Git, after: str, branch: str, why: str) -> Plan:
    others = g.other_ref_tips(after, branch)
    if others:
        return Plan((after, *(f"^{t}" for t in others)), f"{_short(after)} (commits on no other ref)", (why,))
    return Plan((after,), f"all history of {_short(after)}",
                (why, "no other ref is fetched to compare with, so all of its history is scanned "
                      "(actions/checkout with fetch-depth: 0 fetches them)"))


def plan_push(g: _Git, payload: Mapping[str, Any], env: Mapping[str, str]) -> Plan:
    before = str(payload.get("before") or "")
    after = str(payload.get("after") or env.get("GITHUB_SHA", ""))
    if payload.get("deleted") or not after or after == ZERO:
        return Plan((), "nothing (branch deleted)", nothing=True)
    branch = _branch_of(payload, env)
    if not g.has_commit(after):
        g.fetch(after)
        if not g.has_commit(after):
            raise UsageError(f"the pushed commit {_short(after)} is not in the checkout")
    if not before or before == ZERO:
        return _new_commits(g, after, branch, "a new branch: no 'before' commit")
    forced = bool(payload.get("forced"))
    if not g.has_commit(before) or g.repo.shallow:
        if g.repo.shallow:  # the commits between before and after are needed too
            g.fetch(f"--deepen={len(payload.get('commits') or []) + 1}", after)
        if not g.has_commit(before):
            g.fetch(before)
    if g.has_commit(before):
        label = f"{_short(before)}..{_short(after)}" + (" (force push)" if forced else "")
        return Plan((after, f"^{before}"), label)
    why = f"the 'before' commit {_short(before)} is not available" + (" (force push)" if forced else "")
    return _new_commits(g, after, branch, why)


def plan_pull_request(g: _Git, payload: Mapping[str, Any], env: Mapping[str, str]) -> Plan:
    pr = payload.get("pull_request") or {}
    base = str((pr.get("base") or {}).get("sha") or "")
    head = str((pr.get("head") or {}).get("sha") or "")
    if not base or not head:
        raise UsageError("mode pull_request needs a pull_request event (no pull_request.base/head in the payload)")
    for sha in (head, base):
        if not g.has_commit(sha):
            g.fetch(sha)
    if g.has_commit(head) and g.has_commit(base):
        return Plan((head, f"^{base}"), f"{_short(base)}..{_short(head)}")
    current = env.get("GITHUB_SHA", "")
    if g.has_commit(current) and g.has_commit(base):
        return Plan((current, f"^{base}"), f"{_short(base)}..{_short(current)}",
                    (f"the pull request head {_short(head)} is not available; scanning the checked-out commit",))
    return _new_commits(g, current or head, "", "the pull request's base or head is not available")


def plan_scan(inputs: ActionInputs, env: Mapping[str, str], repo: Repo) -> Plan:
    if inputs.mode == "full":
        return Plan((), "all refs")
    g = _Git(repo)
    payload = _payload(env)
    event = env.get("GITHUB_EVENT_NAME", "")
    if inputs.mode == "pull_request" or (inputs.mode == "push" and event.startswith("pull_request")):
        return plan_pull_request(g, payload, env)
    if "after" not in payload and "before" not in payload:
        return Plan((), "all refs", (f"event {event or '(none)'} has no push range; scanning every ref",))
    return plan_push(g, payload, env)


# ------------------------------------------------------------------------------------------------
# outputs


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def summary_markdown(report: ScanReport, plan: Plan, suppressed: int) -> str:
    n = len(report.findings)
    s = report.summary
    head = f"## credsprawl: {n} secret{'s' if n != 1 else ''} found" if n else "## credsprawl: no secrets found"
    lines = [head, "", f"Scanned {_cell(plan.label)}: {s.files_scanned} blob(s), "
                       f"{s.bytes_scanned / 1e6:.2f} MB in {s.seconds:.2f} s.", ""]
    if suppressed:
        lines += [f"{suppressed} known finding(s) suppressed by the baseline.", ""]
    for note in plan.notes:
        lines += [f"> {_cell(note)}", ""]
    if n:
        lines += ["| Severity | Rule | Location | Commit | Status | Secret |", "|---|---|---|---|---|---|"]
        for f in report.findings[:MAX_ROWS]:
            extra = dict(f.origin.extra)
            commit = extra.get("commit", "")
            who = f" ({_cell(extra['author'])})" if extra.get("author") else ""
            lines.append(
                f"| {f.severity.value} | {_cell(f.rule_id)} | `{_cell(f.origin.render())}:{f.start_line}` | "
                f"{_short(commit) + who if commit else ''} | {extra.get('status', '')} | `{_cell(redact(f.secret))}` |")
        if n > MAX_ROWS:
            lines.append(f"\n… and {n - MAX_ROWS} more (see the SARIF report or the job log).")
        said = {f.fingerprint: f.verification for f in report.findings if f.verification is not None}
        if said:  # the verify input: what each credential's provider said
            counts = {st: sum(1 for v in said.values() if v.status == st) for st in ("live", "invalid")}
            lines += ["", f"Verified with their providers: {counts['live']} live (verified), {counts['invalid']} "
                          f"invalid (revoked or rotated), {len(said) - counts['live'] - counts['invalid']} unverified."]
            for f in report.findings[:MAX_ROWS]:
                v = f.verification
                if v is not None and v.status == "live":
                    lines.append(f"- `{_cell(f.origin.render())}:{f.start_line}`: {_cell(v.note())}")
        lines += ["", "A false positive? Add `credsprawl:allow` on the line, or record it in a baseline "
                      "(`credsprawl baseline create`) and pass it as the `baseline` input."]
    if s.warnings:
        lines += ["", f"{len(s.warnings)} warning(s): " + "; ".join(_cell(w) for w in s.warnings[:5])]
    return "\n".join(lines) + "\n"


def _escape_property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def write_annotations(findings: tuple[Finding, ...], out: TextIO) -> None:
    for f in findings[:MAX_ANNOTATIONS]:
        message = f"{f.rule_id}: {redact(f.secret)}"
        commit = f.origin.get("commit")
        if commit:
            message += f" (introduced in {_short(commit)})"
        out.write(f"::error file={_escape_property(f.origin.render())},line={f.start_line},"
                  f"title=credsprawl::{message.replace('%', '%25').replace(chr(10), '%0A')}\n")


def upload_refusal(env: Mapping[str, str], payload: Mapping[str, Any]) -> str:
    """Why the SARIF upload must be skipped for this event ('' when it may run).

    A pull request from a fork runs with a read-only token: GitHub refuses its upload whatever the
    workflow's permissions say, so the step is skipped instead of failing a clean scan."""
    if not env.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        return ""
    pr = payload.get("pull_request") or {}
    head_repo = (pr.get("head") or {}).get("repo") or {}
    base_repo = (pr.get("base") or {}).get("repo") or {}
    head_name = str(head_repo.get("full_name") or "")
    own_name = str(base_repo.get("full_name") or env.get("GITHUB_REPOSITORY", ""))
    if head_repo.get("fork") or (head_name and own_name and head_name.lower() != own_name.lower()):
        return (f"SARIF upload skipped: a pull request from the fork {head_name or '(unknown)'} has a read-only "
                "token; the findings are in this summary and the job log")
    return ""


def _append(path: str, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def run_action(env: Mapping[str, str], dry_run: bool = False, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        return _run(env, dry_run, out)
    except CredsprawlError as exc:
        _append(env.get("GITHUB_STEP_SUMMARY", ""), f"## credsprawl: error\n\n{_cell(str(exc))}\n")
        _append(env.get("GITHUB_OUTPUT", ""), f"exit-code={int(ExitStatus.ERROR)}\nfindings=0\n")
        raise


def history_request(inputs: ActionInputs, path: str, plan: Plan) -> HistoryRequest:
    return history_request_and_settings(inputs, path, plan)[0]


def history_request_and_settings(inputs: ActionInputs, path: str, plan: Plan) -> tuple[HistoryRequest, Settings]:
    """The history scan of the plan's commits, with the same Settings a ``history`` command builds
    (the repository's config, or the ``config`` input; its gitleaks rules, allowlists and excludes)."""
    from scanner.history.scan import HistoryRequest
    from scanner.pipeline.pool import default_jobs
    settings = build_settings(inputs.flags(), [Path(path), Path.cwd()])
    return HistoryRequest(path=path, ruleset=settings.ruleset, settings=settings.engine, excludes=settings.excludes,
                          rev_args=plan.rev_args, rev_label=plan.label, jobs=default_jobs(), progress=False,
                          config=settings.config), settings


def _run(env: Mapping[str, str], dry_run: bool, out: TextIO) -> int:
    from scanner.filters import baseline as baseline_mod
    from scanner.history.scan import run_history
    from scanner.report import ReportOptions, render

    inputs = ActionInputs.from_env(env)
    workspace = env.get("GITHUB_WORKSPACE", "")
    path = os.path.join(workspace, inputs.path) if workspace and not os.path.isabs(inputs.path) else inputs.path
    repo = gitsrc.open_repo(path)
    plan = plan_scan(inputs, env, repo)
    for note in plan.notes:
        print(f"credsprawl: {note}", file=sys.stderr)
    print(f"credsprawl: scanning {plan.label}", file=sys.stderr)
    if dry_run:
        out.write(f"{plan.label}\n{' '.join(plan.rev_args) or '--all'}\n")
        return ExitStatus.CLEAN
    request, settings = history_request_and_settings(inputs, path, plan)
    if plan.nothing:
        from scanner.results import ScanSummary
        from scanner.rules.load import load_rules

        report = ScanReport((), load_rules().by_id, ScanSummary())
    else:
        report = run_history(request)[0]
    suppressed = 0
    if inputs.baseline:
        base = Path(inputs.baseline)
        report, suppressed = baseline_mod.apply(report, baseline_mod.load(base if base.is_absolute() else Path(path) / base))
    from scanner.identity.enrich import enrich_report

    report = enrich_report(report)
    if settings.verify.enabled:  # the verify input: after the baseline, so a known finding is never sent
        from scanner import api

        report = api.verify_report(report, settings.verify)
    options = ReportOptions(root=repo.root)
    render(inputs.format, report, out, options)
    sarif_path = ""
    refusal = upload_refusal(env, _payload(env)) if inputs.upload_sarif else ""
    if refusal:
        plan = replace(plan, notes=(*plan.notes, refusal))
        print(f"credsprawl: {refusal}", file=sys.stderr)
    upload = inputs.upload_sarif and not refusal
    if inputs.upload_sarif or inputs.format == "sarif":
        sarif_path = os.path.join(env.get("RUNNER_TEMP") or repo.root, "credsprawl.sarif")
        with open(sarif_path, "w", encoding="utf-8") as fh:
            render("sarif", report, fh, options)
    write_annotations(report.findings, out)
    code = ExitStatus.FINDINGS if report.findings and inputs.fail_on_findings else ExitStatus.CLEAN
    _append(env.get("GITHUB_STEP_SUMMARY", ""), summary_markdown(report, plan, suppressed))
    _append(env.get("GITHUB_OUTPUT", ""),
            f"findings={len(report.findings)}\nexit-code={int(code)}\nsarif={sarif_path}\nrange={plan.label}\n"
            f"upload={'true' if upload else 'false'}\n")
    return code
