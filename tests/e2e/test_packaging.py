"""A non-editable install ships the rules inside the wheel, and `credsprawl rules list` reads them."""

from __future__ import annotations

import os
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
    assert "credsprawl = scanner.cli:main" in zipfile.ZipFile(wheel).read(
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
