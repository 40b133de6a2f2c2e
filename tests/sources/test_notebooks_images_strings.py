"""Notebooks cell by cell, container images layer by layer, and the strings of binaries."""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
import struct
from pathlib import Path

import pytest
from archiveutil import docker_save, notebook, oci_layout, sha256, tar_bytes, zip_bytes
from conftest import scan_json

from fixtures import fakecreds
from scanner.pipeline.route import ContentOptions, scan_blob
from scanner.pipeline.engine import Engine
from scanner.model import Blob, Origin
from scanner.rules.load import load_rules


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules())


def extras(f: object) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in f.origin.chain():  # type: ignore[attr-defined]
        out.update(node.extra)
    return out


# ------------------------------------------------------------------------------------------------
# notebooks


def test_notebook_cells_and_outputs_give_cell_and_file_positions(engine: Engine, rng: random.Random) -> None:
    a, b, c = (fakecreds.github_token(rng) for _ in range(3))
    key = fakecreds.GENERATORS["ec-private-key"](rng)
    nb = notebook([
        {"cell_type": "markdown", "source": "# Setup\nRun the cells below.\n"},
        {"source": f"import os\n\nclient = Client(token='{a}')\nclient.run()\n",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": f"connected\nusing {b}\n"}]},
        {"source": "raise RuntimeError()", "outputs": [{
            "output_type": "error", "ename": "RuntimeError", "evalue": "boom",
            "traceback": ["\x1b[0;31mRuntimeError\x1b[0m", f"headers = {{'Authorization': 'token {c}'}}"]}]},
        {"cell_type": "raw", "source": key},
    ])
    text = nb.decode()
    result = scan_blob(engine, Blob(nb, Origin("analysis.ipynb")))
    by_secret = {f.secret.strip(): f for f in result.findings}
    fa = by_secret[a]
    assert extras(fa) == {"cell": "1", "cell_line": "3", "part": "source"}
    file_line = text.splitlines()[fa.start_line - 1]
    assert file_line[fa.start_column - 1:].startswith(a)
    assert fa.line_text == f"client = Client(token='{a}')"
    fb = by_secret[b]
    assert extras(fb) == {"cell": "1", "cell_line": "2", "part": "outputs[0].text"}
    assert text.splitlines()[fb.start_line - 1][fb.start_column - 1:].startswith(b)
    fc = by_secret[c]
    assert extras(fc)["part"] == "outputs[0].traceback" and extras(fc)["cell_line"] == "2"
    # the PEM key spans many JSON strings in the file; in the cell it is one block and is found whole
    [fk] = [f for f in result.findings if "PRIVATE KEY" in f.secret]
    assert extras(fk) == {"cell": "3", "cell_line": "1", "part": "source"}
    assert fk.end_line > fk.start_line


def test_notebook_in_a_zip_and_invalid_notebook_from_cli(tmp_path: Path, gh: str) -> None:
    nb = notebook([{"source": f"TOKEN = '{gh}'\n"}])
    (tmp_path / "work.zip").write_bytes(zip_bytes({"nb/a.ipynb": nb}))
    (tmp_path / "broken.ipynb").write_text('{"cells": [ TOKEN = "' + gh + '"\n')
    code, report = scan_json(str(tmp_path))
    got = {(f["path"], f["origin"][-1]["extra"].get("cell")) for f in report["findings"]}
    assert got == {("work.zip!nb/a.ipynb", "0"), ("broken.ipynb", None)}


# ------------------------------------------------------------------------------------------------
# container images


def _image_layers(rng: random.Random) -> tuple[list[dict[str, bytes]], dict[str, str]]:
    s = {k: fakecreds.github_token(rng) for k in ("env", "deleted", "opaque", "kept", "replaced", "arg")}
    layers = [
        {"etc/os-release": b"ID=alpine\n", "app/.env": f"TOKEN={s['deleted']}\n".encode(),
         "app/cache/old.cfg": f"token={s['opaque']}\n".encode(), "app/settings.cfg": f"token={s['replaced']}\n".encode()},
        {"app/.wh..env": b"", "app/cache/.wh..wh..opq": b"", "app/settings.cfg": b"token=none\n"},
        {"app/config.yml": f"token: {s['kept']}\n".encode()},
    ]
    return layers, s


def _check_image(result: object, s: dict[str, str], layer_names: list[str]) -> None:
    findings = {f.secret: f for f in result.findings}  # type: ignore[attr-defined]
    assert set(findings) == set(s.values())
    deleted = extras(findings[s["deleted"]])
    assert deleted["deleted_in_layer"] == "2" and deleted["layer"] == "1"
    assert extras(findings[s["opaque"]])["deleted_in_layer"] == "2"
    assert extras(findings[s["replaced"]])["replaced_in_layer"] == "2"
    kept = extras(findings[s["kept"]])
    assert kept["layer"] == "3" and "deleted_in_layer" not in kept
    assert kept["layer_digest"].startswith("sha256:")
    assert findings[s["kept"]].path == f"image.tar!{layer_names[2]}!app/config.yml"
    config = findings[s["env"]]
    assert config.path == "image.tar!image-config" and config.line_text.startswith("Env[1]: ")
    assert findings[s["arg"]].line_text.startswith("history[1]: ")


def test_docker_save_image(engine: Engine, rng: random.Random) -> None:
    layers, s = _image_layers(rng)
    image = docker_save(layers, env=["PATH=/usr/bin", f"GITHUB_TOKEN={s['env']}"],
                        history=["ADD rootfs.tar /", f"RUN |1 NPM_TOKEN={s['arg']} /bin/sh -c npm ci", "ENV X=1"])
    result = scan_blob(engine, Blob(image, Origin("image.tar")))
    _check_image(result, s, [sha256(tar_bytes(layer))[:19] for layer in layers])
    assert all(extras(f)["image"] == "app:1.0" for f in result.findings)


def test_oci_layout_image_gzip_layers(engine: Engine, rng: random.Random) -> None:
    layers, s = _image_layers(rng)
    image = oci_layout(layers, env=["A=1", f"GITHUB_TOKEN={s['env']}"],
                       history=["ADD x /", f"ARG TOKEN={s['arg']}"], ref="2.0")
    result = scan_blob(engine, Blob(image, Origin("image.tar")))
    _check_image(result, s, [sha256(gzip.compress(tar_bytes(layer), mtime=0))[:19] for layer in layers])
    assert all(extras(f)["image"] == "2.0" for f in result.findings)


def test_compressed_image_tarball_from_cli(tmp_path: Path, rng: random.Random) -> None:
    layers, s = _image_layers(rng)
    image = docker_save(layers, env=[f"GITHUB_TOKEN={s['env']}"], history=[f"ARG T={s['arg']}"], layer_compression="gz")
    (tmp_path / "image.tar.gz").write_bytes(gzip.compress(image, mtime=0))
    code, report = scan_json(str(tmp_path))
    assert code == 1
    deleted = [f for f in report["findings"] if f["path"].endswith("app/.env")]
    assert [f["origin"][-1]["extra"] for f in deleted] == [{"deleted_in_layer": "2"}]
    assert [o["kind"] for o in deleted[0]["origin"]] == ["file", "image-layer", "archive-member"]
    assert len(report["findings"]) == 6


# ------------------------------------------------------------------------------------------------
# binary strings


def _elf(payload: bytes) -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 62, 1) + bytes(200) + payload + bytes(64)


def test_binary_strings(tmp_path: Path, rng: random.Random) -> None:
    a, b, c = (fakecreds.github_token(rng) for _ in range(3))
    elf = _elf(b"\x00\x01api_token=" + a.encode() + b"\x00\xff")
    (tmp_path / "tool").write_bytes(elf)
    db = tmp_path / "app.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("create table creds (name text, value text)")
        con.execute("insert into creds values ('deploy', ?)", (f"token={b}",))
    (tmp_path / "lib.jar").write_bytes(zip_bytes({"com/Keys.class": b"\xca\xfe\xba\xbe\x00\x00\x00\x34\x01\x00\x28" + c.encode()}))
    code, report = scan_json(str(tmp_path))
    assert code == 0
    assert {s["reason"] for s in report["summary"]["skipped"]} == {"binary"}
    code, report = scan_json(str(tmp_path), "--binary-strings")
    assert code == 1
    by_path = {f["path"]: f for f in report["findings"]}
    assert set(by_path) == {"tool", "app.sqlite", "lib.jar!com/Keys.class"}
    assert int(by_path["tool"]["origin"][-1]["extra"]["offset"]) == elf.index(a.encode())
    assert int(by_path["lib.jar!com/Keys.class"]["origin"][-1]["extra"]["offset"]) == 11
    assert by_path["app.sqlite"]["origin"][-1]["extra"]["offset"] == str(db.read_bytes().index(b.encode()))


def test_binary_strings_in_memory(engine: Engine, gh: str) -> None:
    data = bytes(range(0, 8)) * 50 + b"key=" + gh.encode() + b"\x00short\x00"
    options = ContentOptions(binary_strings=True)
    [f] = scan_blob(engine, Blob(data, Origin("x.pyc")), options).findings
    assert f.origin.get("offset") == str(data.index(gh.encode()))
    assert f.line_text == "key=" + gh
    assert scan_blob(engine, Blob(data, Origin("x.pyc"))).skips[0].reason == "binary"
    assert json.dumps(f.origin.extra)
