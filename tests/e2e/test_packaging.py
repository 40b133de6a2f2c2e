"""A non-editable install ships the rules inside the wheel, and `credsprawl rules list` reads them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_ships_rules_and_cli_lists_them(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = list((tmp_path / "dist").glob("credsprawl-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n for n in names if n.startswith("scanner/_rules/") and n.endswith(".toml"))
    expected = sorted(f"scanner/_rules/{p.name}" for p in (ROOT / "rules").glob("*.toml"))
    assert shipped == expected and shipped
    assert any(n.endswith("entry_points.txt") for n in names)
    # the license travels with the wheel, and the metadata names it
    [license_name] = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert zipfile.ZipFile(wheel).read(license_name) == (ROOT / "LICENSE").read_bytes()
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "credsprawl = scanner.__main__:run" in zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    # run the CLI from the unpacked wheel, far from the checkout, so only the packaged rules exist
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run([sys.executable, "-m", "scanner", "rules", "list"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    count = sum(1 for line in proc.stdout.splitlines() if line and not line.endswith(" rules"))
    assert proc.stdout.strip().endswith(f"{count} rules") and count >= 3
    check = subprocess.run([sys.executable, "-c", "import scanner.rules.load as r; print(r.default_rules_dir())"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert check.stdout.strip() == str(site / "scanner" / "_rules")


def test_license_changelog_and_security_policy() -> None:
    license_text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text and len(license_text.splitlines()) > 190
    assert 'license = "Apache-2.0"' in (ROOT / "pyproject.toml").read_text()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and "## [0.1.0]" in changelog
    assert changelog.index("## [Unreleased]") < changelog.index("## [0.1.0]")
    security = (ROOT / "SECURITY.md").read_text()
    assert "/security/advisories/new" in security
    for promise in ("Redaction", "No network unless asked", "Cache integrity"):
        assert promise in security


def test_readme_pins_what_exists_and_starts_with_the_two_commands() -> None:
    """No release tag exists: the examples pin a commit id and say how to find it. The README starts
    with install+scan and the test command, which is the script CI runs."""
    readme = (ROOT / "README.md").read_text()
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "v0.1.0" not in readme and "v0.1.0" not in hooks
    assert "rev: <commit-sha>" in readme and "credsprawl/credsprawl@<commit-sha>" in readme
    assert "git ls-remote https://github.com/credsprawl/credsprawl HEAD" in readme
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert first_block == ["python3 -m venv .venv && . .venv/bin/activate && pip install . && credsprawl scan .",
                           "bash .ci/run"]
    assert "security-events: write" in readme and "contents: read" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install" in ci and "chromium" in ci and "'.[test]'" in ci and "-m pytest" in ci
    assert '"$code" -eq 5' in ci  # no test collected fails the run


_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
PROJECT_URL = "https://github.com/credsprawl/credsprawl"


def _prose(text: str) -> str:
    """The text of a markdown file without fenced code blocks and inline code (links there are examples)."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to dashes,
    a repeated heading numbered."""
    seen: dict[str, int] = {}
    out = set()
    for line in _FENCE.sub("", text).splitlines():
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_markdown_links_resolve_inside_the_repository() -> None:
    """Every relative link in README.md and docs/*.md points to a file of the repository (and, with a
    #fragment into a markdown file, to one of its headings); no link leaves the repository except to
    the project's own GitHub URL."""
    problems = []
    for doc in _markdown_files():
        prose = _prose(doc.read_text("utf-8"))
        targets = _LINK.findall(prose) + _AUTOLINK.findall(prose)
        for target in targets:
            where = f"{doc.relative_to(ROOT)}: {target}"
            if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):
                if not target.startswith(PROJECT_URL):
                    problems.append(f"{where}: links outside the repository")
                continue
            path_part, _, fragment = target.partition("#")
            dest = (doc.parent / path_part).resolve() if path_part else doc
            if not dest.is_relative_to(ROOT):
                problems.append(f"{where}: outside the repository")
            elif not dest.exists():
                problems.append(f"{where}: no such file")
            elif fragment and dest.suffix == ".md" and fragment not in _anchors(dest.read_text("utf-8")):
                problems.append(f"{where}: no heading #{fragment} in {dest.relative_to(ROOT)}")
    assert problems == []


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    """Each docs/*.md page is linked from the README or from the docs index (docs/README.md)."""
    linked = set()
    for doc in (ROOT / "README.md", ROOT / "docs" / "README.md"):
        for target in _LINK.findall(_prose(doc.read_text("utf-8"))):
            linked.add((doc.parent / target.partition("#")[0]).resolve())
    assert "docs/README.md" in (ROOT / "README.md").read_text("utf-8")
    pages = {p.resolve() for p in (ROOT / "docs").glob("*.md")} - {(ROOT / "docs" / "README.md").resolve()}
    assert pages - linked == set()


def test_readme_stays_short_and_keeps_what_a_newcomer_needs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) <= 160
    # the exit codes in their documented order, the three ways in, and why two packages are not used
    order = [readme.index(s) for s in ("`1` when anything was found", "otherwise `2`", "otherwise `0`")]
    assert order == sorted(order)
    for way in ("pre-commit", "GitHub Action", "sweep"):
        assert way in readme
    assert "gitpython" in readme and "sarif-om" in readme
    for dep in ("hyperscan", "httpx", "cryptography"):
        assert dep in readme


def test_module_paths_in_the_docs_exist() -> None:
    """Every ``scanner/...`` path and ``scanner.x.y`` module the README and docs name exists, and every
    module the architecture page lists for a package is in that package."""
    problems = []
    for doc in _markdown_files():
        text = doc.read_text("utf-8")
        for path in set(re.findall(r"\bscanner/[\w/]*\w(?:\.py)?", text)):
            if not (ROOT / path).exists():
                problems.append(f"{doc.relative_to(ROOT)}: {path}")
        for dotted in set(re.findall(r"\bscanner(?:\.\w+)+", text)):
            parts = dotted.split(".")
            if not any((ROOT / "/".join(parts[:i])).with_suffix(".py").exists() or (ROOT / "/".join(parts[:i])).is_dir()
                       for i in range(len(parts), 1, -1)):
                problems.append(f"{doc.relative_to(ROOT)}: {dotted}")
    # the package table: | `scanner/pipeline/` | pipeline | `route.py` (...), `engine.py` ... |
    for package, row in re.findall(r"^\| `(scanner/[\w/]+/)` \|(.*)$", (ROOT / "docs" / "architecture.md").read_text("utf-8"), re.M):
        for module in re.findall(r"`([\w/]+\.py)`", row):
            if not (ROOT / package / module).exists():
                problems.append(f"docs/architecture.md: {package}{module}")
    assert problems == []
