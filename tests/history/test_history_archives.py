"""An archive committed to a repository is opened like one on disk, and its findings keep the
member path under the attributed git path."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from fixtures import fakecreds
from gitutil import GitRepo, history_json


def _zip(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_secret_inside_a_committed_jar_is_found_with_its_member_path(tmp_path: Path) -> None:
    token = fakecreds.github_token(random.Random(11))
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "# app\n")
    repo.write("lib/app.jar", _zip({"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n",
                                    "config/app.properties": f"name=app\ngithub.token={token}\n"}))
    added = repo.commit("vendor the jar")
    report = history_json(repo.path)
    [f] = report["findings"]
    assert f["path"] == "lib/app.jar!config/app.properties"
    assert f["start_line"] == 2
    root = f["origin"][0]
    assert root["path"] == "lib/app.jar" and root["kind"] == "git-blob"
    assert root["extra"]["commit"] == added and root["extra"]["status"] == "live"
