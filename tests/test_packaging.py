"""A non-editable install ships the rules inside the wheel, and `credsprawl rules list` reads them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
