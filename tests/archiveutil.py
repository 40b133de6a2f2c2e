"""Builders of real archives, images and notebooks for the tests (in memory, standard library only)."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import tarfile
import zipfile
from typing import Any, Mapping

Files = Mapping[str, bytes]


def zip_bytes(files: Files, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
            info.compress_type = method
            zf.writestr(info, data)
    return buf.getvalue()


def tar_bytes(files: Files, compression: str = "") -> bytes:
    """A tar (``compression``: '', 'gz', 'bz2' or 'xz'); members in the given order, fixed mtimes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=f"w:{compression}" if compression else "w") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def compress(data: bytes, how: str) -> bytes:
    return {"gz": lambda d: gzip.compress(d, mtime=0), "bz2": bz2.compress, "xz": lzma.compress}[how](data)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def image_config(env: list[str], history: list[str], diff_ids: list[str]) -> dict[str, Any]:
    return {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": env, "Cmd": ["/app/run"]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": h} for h in history],
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }


def docker_save(layers: list[Files], env: list[str], history: list[str], tag: str = "app:1.0",
                layer_compression: str = "") -> bytes:
    """A legacy ``docker save`` tarball: ``<id>/layer.tar`` per layer, ``<config>.json``, ``manifest.json``."""
    layer_tars = [tar_bytes(files, layer_compression) for files in layers]
    diff_ids = [sha256(tar_bytes(files)) for files in layers]
    config = _json(image_config(env, history, diff_ids))
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    members: dict[str, bytes] = {}
    paths = []
    for data in layer_tars:
        layer_id = hashlib.sha256(data).hexdigest()
        members[f"{layer_id}/VERSION"] = b"1.0"
        members[f"{layer_id}/layer.tar"] = data
        paths.append(f"{layer_id}/layer.tar")
    members[config_name] = config
    members["manifest.json"] = _json([{"Config": config_name, "RepoTags": [tag], "Layers": paths}])
    members["repositories"] = _json({tag.split(":")[0]: {tag.split(":")[1]: paths[-1].split("/")[0]}})
    return tar_bytes(members)


def oci_layout(layers: list[Files], env: list[str], history: list[str], ref: str = "1.0") -> bytes:
    """An OCI image layout as a tar: ``oci-layout``, ``index.json``, ``blobs/sha256/*`` (gzip layers)."""
    blobs: dict[str, bytes] = {}

    def put(data: bytes) -> str:
        digest = sha256(data)
        blobs["blobs/sha256/" + digest.split(":")[1]] = data
        return digest

    descriptors = []
    diff_ids = []
    for files in layers:
        raw = tar_bytes(files)
        diff_ids.append(sha256(raw))
        gz = gzip.compress(raw, mtime=0)
        descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(gz), "size": len(gz)})
    config = _json(image_config(env, history, diff_ids))
    manifest = _json({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(config), "size": len(config)},
        "layers": descriptors,
    })
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(manifest), "size": len(manifest),
        "annotations": {"org.opencontainers.image.ref.name": ref},
    }]}
    members = {"oci-layout": _json({"imageLayoutVersion": "1.0.0"}), "index.json": _json(index), **dict(sorted(blobs.items()))}
    return tar_bytes(members)


def notebook(cells: list[dict[str, Any]], metadata: dict[str, Any] | None = None) -> bytes:
    """A notebook as Jupyter writes it (nbformat 4, indent 1, sources as lists of lines)."""
    def lines(text: str) -> list[str]:
        return text.splitlines(keepends=True)

    out = []
    for cell in cells:
        c: dict[str, Any] = {"cell_type": cell.get("cell_type", "code"), "metadata": {}, "source": lines(cell["source"])}
        if c["cell_type"] == "code":
            c["execution_count"] = 1
            c["outputs"] = [
                {k: (lines(v) if k == "text" else v) for k, v in o.items()} for o in cell.get("outputs", [])
            ]
        out.append(c)
    doc = {"cells": out, "metadata": metadata or {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()
