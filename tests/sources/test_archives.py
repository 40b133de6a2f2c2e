"""Archives everywhere: every format opened by content, nested, bounded, located in every report."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import time
import zipfile
from pathlib import Path

import pytest
from archiveutil import compress, tar_bytes, zip_bytes
from conftest import run_cli, scan_json

from fixtures import fakecreds
from scanner.sources import archives


def conf(secret: str, line: int = 3) -> bytes:
    """A properties file with ``secret`` on ``line``."""
    return "".join(f"key{i}=value{i}\n" for i in range(1, line)).encode() + f"token={secret}\n".encode()


def found(report: dict) -> set[tuple[str, int]]:
    return {(f["path"], f["start_line"]) for f in report["findings"]}


def test_every_archive_format_is_opened_by_content(tmp_path: Path, rng: random.Random) -> None:
    tokens = iter([fakecreds.github_token(rng) for _ in range(40)])
    inner = {"config/app.properties": b""}
    expected: set[tuple[str, int]] = set()
    zips = ["app.jar", "app.war", "app.ear", "pkg-1.0-py3-none-any.whl", "Pkg.1.0.nupkg", "app.apk",
            "report.docx", "sheet.xlsx", "deck.pptx", "plain.zip", "misnamed.txt"]
    for name in zips:
        (tmp_path / name).write_bytes(zip_bytes({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
                                                 "config/app.properties": conf(next(tokens))}))
        expected.add((f"{name}!config/app.properties", 3))
    for suffix, how in [("tar", ""), ("tar.gz", "gz"), ("tgz", "gz"), ("tar.bz2", "bz2"), ("tar.xz", "xz")]:
        (tmp_path / f"bundle.{suffix}").write_bytes(tar_bytes({"etc/app.env": conf(next(tokens), 5)}, how))
        expected.add((f"bundle.{suffix}!etc/app.env", 5))
    for suffix in ("gz", "bz2", "xz"):
        (tmp_path / f"app.log.{suffix}").write_bytes(compress(conf(next(tokens), 2), suffix))
        expected.add((f"app.log.{suffix}!app.log", 2))
    (tmp_path / "data.bin").write_bytes(compress(conf(next(tokens), 4), "gz"))  # no telling suffix
    expected.add(("data.bin!data.bin~", 4))
    del inner
    code, report = scan_json(str(tmp_path), "--jobs", "1")
    assert code == 1
    assert found(report) == expected
    assert report["summary"]["warnings"] == []


def test_nested_location_in_every_report(tmp_path: Path, gh: str) -> None:
    jar = zip_bytes({"config/app.properties": conf(gh, 12), "com/App.class": b"\xca\xfe\xba\xbe" + bytes(40)})
    (tmp_path / "outer.tar.gz").write_bytes(tar_bytes({"lib/app.jar": jar, "README.md": b"# hi\n"}, "gz"))
    code, report = scan_json(str(tmp_path))
    [f] = report["findings"]
    assert (f["path"], f["start_line"], f["start_column"]) == ("outer.tar.gz!lib/app.jar!config/app.properties", 12, 7)
    assert [o["path"] for o in f["origin"]] == ["outer.tar.gz", "lib/app.jar", "config/app.properties"]
    assert [o["kind"] for o in f["origin"]] == ["file", "archive-member", "archive-member"]
    skipped = {s["path"]: s["reason"] for s in report["summary"]["skipped"]}
    assert skipped == {"outer.tar.gz!lib/app.jar!com/App.class": "binary"}

    text = run_cli("scan", str(tmp_path), "--no-color")
    assert "outer.tar.gz!lib/app.jar!config/app.properties" in text.stdout and "12:7" in text.stdout

    sarif = json.loads(run_cli("scan", str(tmp_path), "-f", "sarif", "-q").stdout)
    [result] = sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "outer.tar.gz", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 12
    assert result["properties"]["inner_path"] == "lib/app.jar!config/app.properties"
    assert "outer.tar.gz!lib/app.jar!config/app.properties" in result["message"]["text"]

    rows = list(csv.DictReader(io.StringIO(run_cli("scan", str(tmp_path), "-f", "csv", "-q").stdout)))
    assert [r["path"] for r in rows] == ["outer.tar.gz!lib/app.jar!config/app.properties"]


def test_zip_bomb_and_deep_nesting_end_quickly_with_a_warning_naming_the_limit(tmp_path: Path, gh: str) -> None:
    # a 40 MB member of zeros deflates to ~40 KB: ratio ~1000:1
    (tmp_path / "bomb.zip").write_bytes(zip_bytes({"readme.txt": conf(gh), "zeros.txt": bytes(40 * 1024 * 1024)}))
    # 42.zip-style: each level holds 16 copies of the level below
    level = zip_bytes({"z.txt": bytes(8 * 1024 * 1024)})
    for _ in range(4):
        level = zip_bytes({f"{i}.zip": level for i in range(16)})
    (tmp_path / "42.zip").write_bytes(level)
    # a secret at the bottom of a 6-deep nest, and another one within the depth limit
    deep = zip_bytes({"deep.env": conf(gh)})
    for i in range(6):
        deep = zip_bytes({f"level{i}.zip": deep, **({"shallow.env": conf(gh, 2)} if i == 4 else {})})
    (tmp_path / "nest.zip").write_bytes(deep)
    started = time.monotonic()
    code, report = scan_json(str(tmp_path))
    assert time.monotonic() - started < 20
    assert code == 1
    paths = found(report)
    assert ("bomb.zip!readme.txt", 3) in paths
    assert ("nest.zip!level5.zip!shallow.env", 2) in paths
    assert not any(p.endswith("deep.env") for p, _ in paths)
    warnings = "\n".join(report["summary"]["warnings"])
    assert "bomb.zip!zeros.txt: archive-limit" in warnings and "--max-compression-ratio" in warnings
    assert "nest.zip!level5.zip!level4.zip!level3.zip: archive-limit" in warnings and "--max-archive-depth" in warnings
    assert "42.zip!0.zip!0.zip!0.zip" in warnings


def test_archive_limits_are_options(tmp_path: Path, gh: str) -> None:
    rng = random.Random(7)
    files = {f"f{i:02}.txt": "".join(f"line {rng.random()}\n" for _ in range(4000)).encode() for i in range(20)}
    files["z-last.env"] = conf(gh)
    (tmp_path / "many.zip").write_bytes(zip_bytes(files))
    (tmp_path / "big.tar.gz").write_bytes(tar_bytes(files, "gz"))
    code, report = scan_json(str(tmp_path), "--max-archive-members", "5")
    assert code == 0
    assert any("many.zip: archive-limit: 21 members; only the first 5 read (--max-archive-members)" in w
               for w in report["summary"]["warnings"])
    assert any("big.tar.gz: archive-limit" in w and "--max-archive-members" in w for w in report["summary"]["warnings"])
    code, report = scan_json(str(tmp_path), "--max-archive-size", "500KB")
    assert code == 0
    assert sum("--max-archive-size" in w for w in report["summary"]["warnings"]) == 2
    code, report = scan_json(str(tmp_path), "--max-archive-depth", "0")
    assert code == 0 and {s["reason"] for s in report["summary"]["skipped"]} == {"binary"}
    code, report = scan_json(str(tmp_path))
    assert found(report) == {("many.zip!z-last.env", 3), ("big.tar.gz!z-last.env", 3)}


def test_member_names_are_labels_and_nothing_is_written(tmp_path: Path, gh: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    evil = {"../../etc/passwd": conf(gh, 1), "/abs/secret.env": conf(gh, 2), "a/../../b.env": conf(gh, 3),
            "odd!name.txt": conf(gh, 4)}
    (work / "evil.zip").write_bytes(zip_bytes(evil))
    (work / "evil.tar").write_bytes(tar_bytes(evil))
    before = sorted(p for p in tmp_path.rglob("*"))
    code, report = scan_json(str(work), cwd=work)
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert found(report) >= {("evil.zip!../../etc/passwd", 1), ("evil.zip!/abs/secret.env", 2),
                             ("evil.tar!a/../../b.env", 3), ("evil.tar!odd!name.txt", 4)}


def test_corrupt_archives_are_warnings_and_other_findings_survive(tmp_path: Path, gh: str) -> None:
    (tmp_path / "good.env").write_text(f"t={gh}\n")
    whole = tar_bytes({"a.env": conf(gh), "b.bin": os.urandom(300_000), "c.env": conf(gh)}, "gz")
    (tmp_path / "truncated.tar.gz").write_bytes(whole[: len(whole) * 2 // 3])
    (tmp_path / "garbage.zip").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    crc = bytearray(zip_bytes({"ok.env": conf(gh), "bad.txt": b"abcdefgh" * 100}, zipfile.ZIP_STORED))
    crc[crc.index(b"abcdefgh") + 10] ^= 0xFF  # flip a byte of the stored member: CRC mismatch
    (tmp_path / "crc.zip").write_bytes(bytes(crc))
    (tmp_path / "bad.xz").write_bytes(b"\xfd7zXZ\x00" + os.urandom(100))
    code, report = scan_json(str(tmp_path))
    assert code == 1
    assert found(report) == {("good.env", 1), ("truncated.tar.gz!a.env", 3), ("crc.zip!ok.env", 3)}
    reasons = {(s["path"], s["reason"]) for s in report["summary"]["skipped"]}
    assert {("truncated.tar.gz", "corrupt"), ("garbage.zip", "corrupt"), ("crc.zip!bad.txt", "corrupt"),
            ("bad.xz!bad", "corrupt")} <= reasons or ("bad.xz", "corrupt") in reasons
    assert len([w for w in report["summary"]["warnings"] if "corrupt" in w]) == 4


def test_stdin_archive_is_expanded(gh: str) -> None:
    data = tar_bytes({"conf/app.env": conf(gh, 2)}, "gz")
    proc = run_cli("scan", "-", "-f", "json", "-q", stdin=data)
    assert proc.returncode == 1
    [f] = json.loads(proc.stdout)["findings"]
    assert (f["path"], f["start_line"]) == ("<stdin>!conf/app.env", 2)


def test_results_identical_for_jobs_1_and_2(tmp_path: Path, rng: random.Random) -> None:
    for i in range(12):
        token = fakecreds.github_token(rng)
        (tmp_path / f"pkg{i}.whl").write_bytes(zip_bytes({f"m{j}.py": conf(token, j + 1) for j in range(3)}))
        (tmp_path / f"src{i}.tar.gz").write_bytes(tar_bytes({"a/b.cfg": conf(token), "bad.zip": b"PK\x03\x04xx"}, "gz"))
        (tmp_path / f"plain{i}.env").write_text(f"k={token}\n")
    one = run_cli("scan", str(tmp_path), "-f", "json", "-q", "--jobs", "1")
    two = run_cli("scan", str(tmp_path), "-f", "json", "-q", "--jobs", "2")
    a, b = json.loads(one.stdout), json.loads(two.stdout)
    for r in (a, b):
        r["summary"].pop("seconds")
        r["summary"].pop("mb_per_second")
    assert a == b
    assert len(a["findings"]) == 12 * 5


def test_big_zip_is_sliced_and_slices_give_the_same_results(tmp_path: Path, rng: random.Random,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.pipeline import files as workplan
    from scanner.pipeline.route import ContentOptions
    from scanner.pipeline.engine import EngineSettings
    from scanner.pipeline.pool import EngineSpec
    from scanner.rules.load import load_rules
    from scanner.sources.filesystem import FileItem

    tokens = [fakecreds.github_token(rng) for _ in range(40)]
    members = {f"dir{i % 4}/file{i}.txt": (b"filler line\n" * 400) + conf(tokens[i], 2) for i in range(40)}
    path = tmp_path / "big.jar"
    path.write_bytes(zip_bytes(members))
    item = FileItem(str(path), "big.jar", path.stat().st_size)
    spec = workplan.WorkSpec(EngineSpec(load_rules().rules, EngineSettings()), ContentOptions())

    whole_units, _ = workplan.plan([item], spec.content)
    assert [u.members for u in whole_units] == [None]
    whole = workplan.summarise(workplan.run(whole_units, spec, 1), [], 0)[0]

    monkeypatch.setattr(workplan, "SPLIT_BYTES", 1024)
    monkeypatch.setattr(workplan, "SLICE_BYTES", 20_000)
    units, _ = workplan.plan([item], spec.content)
    assert len(units) >= 8 and sorted(i for u in units for i in u.members or ()) == list(range(40))
    serial = workplan.summarise(workplan.run(units, spec, 1), [], 0)[0]
    pooled = workplan.summarise(workplan.run(units, spec, 2), [], 0)[0]
    assert serial == pooled == whole
    assert len(whole) == 40 and {f.path for f in whole} == {f"big.jar!{name}" for name in members}


def test_sniff_and_names() -> None:
    assert archives.sniff(zip_bytes({"a": b"b"})) == "zip"
    assert archives.sniff(tar_bytes({"a": b"b"})) == "tar"
    assert archives.sniff(compress(b"x", "gz")) == "gzip"
    assert archives.sniff(compress(b"x", "bz2")) == "bzip2"
    assert archives.sniff(compress(b"x", "xz")) == "xz"
    assert archives.sniff(b"PKZIP is a program\n") is None
    assert archives.sniff(b"x" * 257 + b"ustar" + b"x" * 300) is None  # magic without a valid header
    assert archives.decompressed_name("logs/app.log.gz") == "app.log"
    assert archives.decompressed_name("x.tgz") == "x.tar"
    assert archives.decompressed_name("blob") == "blob~"


def test_big_tar_is_cut_into_parts_that_give_the_same_results(tmp_path: Path, rng: random.Random,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.pipeline import files as workplan
    from scanner.pipeline.route import ContentOptions
    from scanner.pipeline.engine import EngineSettings
    from scanner.pipeline.pool import EngineSpec
    from scanner.rules.load import load_rules
    from scanner.sources.archives import ArchiveLimits
    from scanner.sources.filesystem import FileItem

    members: dict[str, bytes] = {}
    for i in range(30):
        token = fakecreds.github_token(rng)
        members[f"src/m{i}.py"] = conf(token, 2)
        if i % 7 == 0:
            members[f"lib/n{i}.jar"] = zip_bytes({"app.properties": conf(token, 4), "A.class": b"\xca\xfe" + bytes(50)})
        if i % 5 == 0:
            members[f"bin/b{i}.so"] = b"\x7fELF" + bytes(3000)
    items = []
    for how in ("gz", "", "xz"):
        path = tmp_path / f"src.tar{'.' + how if how else ''}"
        path.write_bytes(tar_bytes(members, how))
        items.append(FileItem(str(path), path.name, path.stat().st_size))
    options = ContentOptions(ArchiveLimits(max_members=40))  # 41 members: the last one (m29.py) is not read
    spec = workplan.WorkSpec(EngineSpec(load_rules().rules, EngineSettings()), options)

    def outcome(units: list[workplan.Unit], jobs: int) -> tuple[object, ...]:
        findings, summary = workplan.summarise(workplan.run(units, spec, jobs), [], 0)
        return tuple(findings), summary.skipped, summary.warnings, summary.files_scanned, summary.bytes_scanned

    whole_units, _ = workplan.plan(items, options)
    assert [u.part for u in whole_units] == [None, None, None]
    whole = outcome(whole_units, 1)
    monkeypatch.setattr(workplan, "TAR_SPLIT_BYTES", 1024)
    monkeypatch.setattr(workplan, "TAR_SLICE_BYTES", 500)
    units, _ = workplan.plan(items, options)
    assert len(units) > 6 and all(u.part is not None for u in units)
    assert outcome(units, 1) == outcome(units, 2) == whole
    findings, skipped, warnings = whole[0], whole[1], whole[2]
    assert len(findings) == 3 * (29 + 5)  # every .py but the last, every nested jar, in each tar
    assert sum("--max-archive-members" in w for w in warnings) == 3  # type: ignore[union-attr]
    assert sum(s.reason == "binary" for s in skipped) == 3 * (5 + 6)  # type: ignore[union-attr]


def test_a_bug_on_one_input_costs_only_that_input(tmp_path: Path, gh: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.pipeline import route as deepscan
    from scanner.pipeline import files as workplan
    from scanner.pipeline import viewscan
    from scanner.pipeline.engine import EngineSettings
    from scanner.pipeline.pool import EngineSpec
    from scanner.rules.load import load_rules
    from scanner.sources.filesystem import FileItem

    def broken(engine: object, blob: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(viewscan, "scan_notebook", broken)
    (tmp_path / "a.ipynb").write_text('{"cells": []}')
    (tmp_path / "b.env").write_text(f"t={gh}\n")
    items = [FileItem(str(p), p.name, p.stat().st_size) for p in sorted(tmp_path.iterdir())]
    spec = workplan.WorkSpec(EngineSpec(load_rules().rules, EngineSettings()), deepscan.ContentOptions())
    findings, summary = workplan.summarise(workplan.run(workplan.plan(items, spec.content)[0], spec, 1), [], 0)
    assert [f.path for f in findings] == ["b.env"]
    assert [(s.path, s.reason) for s in summary.skipped] == [("a.ipynb", "error")]
    assert "RuntimeError: boom" in summary.warnings[0]


# ---- limits apply per member, and what came out before a limit is kept ----------------------------


@pytest.mark.parametrize("kind", ["tar", "zip", "tar.gz"])
def test_an_archive_over_max_file_size_on_disk_has_its_members_scanned(tmp_path: Path, gh: str, kind: str) -> None:
    files = {"pad.bin": os.urandom(3 * 1024 * 1024), "conf/.env": conf(gh)}  # the archive: over 1MB
    data = zip_bytes(files, zipfile.ZIP_STORED) if kind == "zip" else tar_bytes(files, "gz" if kind == "tar.gz" else "")
    (tmp_path / f"big.{kind}").write_bytes(data)
    (tmp_path / "big.txt").write_text(f"t={gh}\n" + "filler\n" * 300_000)  # a file over it: skipped
    proc = run_cli("scan", str(tmp_path), "-q", "-f", "json", "--list-skipped", "--max-file-size", "1MB", "--jobs", "1")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and found(report) == {(f"big.{kind}!conf/.env", 3)}
    skipped = {(s["path"], s["reason"]) for s in report["summary"]["skipped"]}
    assert skipped == {(f"big.{kind}!pad.bin", "too-large"), ("big.txt", "too-large")}


def test_the_head_of_a_gz_bomb_is_scanned_with_a_warning(tmp_path: Path, gh: str) -> None:
    with open(tmp_path / "h.gz", "wb") as raw, __import__("gzip").open(raw, "wb") as gz:
        gz.write(f'token="{gh}"\n'.encode())
        gz.write(b"\0" * (16 * 1024 * 1024))  # inflates far past 200:1 once 1MB is out
    code, report = scan_json(str(tmp_path))
    [f] = report["findings"]
    assert code == 1 and (f["path"], f["start_line"], f["secret"][:4]) == ("h.gz!h", 1, gh[:4])
    assert int(f["origin"][-1]["extra"]["truncated_at"]) >= 1024 * 1024  # the kept head, marked
    [warning] = report["summary"]["warnings"]
    assert warning.startswith("h.gz!h: archive-limit: compression ratio above 200:1") and "which were scanned" in warning


def test_a_member_cut_by_a_limit_in_a_compressed_tar_keeps_its_head(tmp_path: Path, gh: str) -> None:
    bomb = f"TOKEN={gh}\n".encode() + b"=" * (16 * 1024 * 1024)  # text, inflating far past 200:1
    (tmp_path / "b.tar.gz").write_bytes(tar_bytes({"before.env": conf(gh, 2), "bomb.env": bomb}, "gz"))
    code, report = scan_json(str(tmp_path))
    assert code == 1 and found(report) == {("b.tar.gz!before.env", 2), ("b.tar.gz!bomb.env", 1)}
    assert any(w.startswith("b.tar.gz: archive-limit: stopped: compression ratio") for w in report["summary"]["warnings"])


def test_the_intact_head_of_a_truncated_gz_is_scanned(tmp_path: Path, gh: str) -> None:
    whole = compress(f"T={gh}\n".encode() + os.urandom(400_000).hex().encode(), "gz")
    (tmp_path / "cut.log.gz").write_bytes(whole[: len(whole) // 2])
    proc = run_cli("scan", str(tmp_path), "-q", "-f", "json", "--list-skipped")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and found(report) == {("cut.log.gz!cut.log", 1)}
    assert {(s["path"], s["reason"]) for s in report["summary"]["skipped"]} == {("cut.log.gz", "corrupt")}
