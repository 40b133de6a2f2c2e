"""Container images: ``docker save`` tarballs and OCI image layouts (as a tar), layer by layer.

Recognised by content: a tar holding ``manifest.json`` (docker save, legacy and OCI-compatible) or
``oci-layout`` and ``index.json`` (OCI). Every layer is read in order (a layer is a tar, plain or
gzip/bzip2/xz-compressed) and every file in it scanned, including files a later layer removes: those
are marked ``deleted_in_layer`` (by a whiteout ``.wh.NAME``, an opaque ``.wh..wh..opq`` directory,
or a whiteout of a parent directory) or ``replaced_in_layer`` (the same path written again).
The image config's ``Env``, ``Labels``, ``Entrypoint``/``Cmd`` and build history (``created_by``:
``ARG``/``ENV``/``RUN`` lines) are scanned as one text, one entry per line (``image-config``).

Locations: ``image.tar!sha256:0123456789ab!etc/app.env:3`` with origin facts ``image`` (tag or
reference name), ``layer`` (1 = base) and ``layer_digest`` (the layer as stored: the diff id of a
``docker save`` layer, the blob digest of an OCI layer) on the layer.

Layers are read in place from an image tarball on disk (random access into the tar). An image
tarball that is itself compressed (``docker save | gzip``) is inflated in memory first, within
``--max-archive-size``, since layer order needs random access. zstd layers are reported unsupported.
"""

from __future__ import annotations

import json
import posixpath
import re
import tarfile
from dataclasses import dataclass
from typing import Any, Iterator

from scanner.model import Blob, Origin
from scanner.results import Skip
from scanner.sources import archives
from scanner.sources.archives import Expansion, Member, Relabel, Source

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
_HEX64 = re.compile(r"^[0-9a-f]{64}(?:/|\.json$|$)")
_ZSTD = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class Layer:
    member: str  # the layer's path in the image tar
    digest: str  # sha256:... (the diff id or the blob digest; the path when neither is known)


@dataclass(frozen=True)
class Image:
    name: str
    config: str | None  # path of the config JSON in the tar
    layers: tuple[Layer, ...]


def _norm(name: str) -> str:
    """A member name as a path: no ``./`` in front, no leading slash, no ``a/../``."""
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath(name).lstrip("/") if name else name


def _blob_path(digest: str) -> str:
    algo, _, hexd = digest.partition(":")
    return f"blobs/{algo}/{hexd}"


def _read_json(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], name: str) -> Any:
    info = members.get(_norm(name))
    handle = tar.extractfile(info) if info is not None else None
    if handle is None:
        raise KeyError(f"{name} missing from the image")
    return json.loads(handle.read(64 * 1024 * 1024))


def _docker_images(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> list[Image]:
    images = []
    for entry in _read_json(tar, members, "manifest.json"):
        config_path = entry.get("Config")
        diff_ids: list[str] = []
        if config_path:
            try:
                diff_ids = list(_read_json(tar, members, config_path).get("rootfs", {}).get("diff_ids", []))
            except (KeyError, ValueError):
                diff_ids = []
        layers = []
        for n, path in enumerate(entry.get("Layers", [])):
            digest = diff_ids[n] if n < len(diff_ids) else ""
            if not digest and _norm(path).startswith("blobs/"):
                digest = ":".join(_norm(path).split("/")[1:3])
            layers.append(Layer(_norm(path), digest or _norm(path)))
        tags = entry.get("RepoTags") or []
        name = tags[0] if tags else (posixpath.basename(config_path or "image")).removesuffix(".json")[:19]
        images.append(Image(name, config_path, tuple(layers)))
    return images


def _oci_manifests(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], index: Any,
                   ref: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    for desc in index.get("manifests", []):
        name = (desc.get("annotations") or {}).get("org.opencontainers.image.ref.name", ref)
        doc = _read_json(tar, members, _blob_path(desc["digest"]))
        if "manifests" in doc and depth < 4:  # an image index (multi-platform): its manifests
            yield from _oci_manifests(tar, members, doc, name, depth + 1)
        elif "layers" in doc:
            yield name or desc["digest"][:19], doc


def _oci_images(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> list[Image]:
    images = []
    for name, manifest in _oci_manifests(tar, members, _read_json(tar, members, "index.json"), ""):
        config = manifest.get("config", {}).get("digest")
        layers = tuple(Layer(_blob_path(d["digest"]), d["digest"]) for d in manifest.get("layers", []))
        images.append(Image(name, _blob_path(config) if config else None, layers))
    return images


def _config_text(config: Any) -> str:
    """The config's Env, Labels, Entrypoint, Cmd and history, one entry per line."""
    lines: list[str] = []
    body = config.get("config") or config.get("container_config") or {}
    for i, env in enumerate(body.get("Env") or []):
        lines.append(f"Env[{i}]: {env}")
    for key, value in sorted((body.get("Labels") or {}).items()):
        lines.append(f"Labels[{key}]: {value}")
    for key in ("Entrypoint", "Cmd"):
        if body.get(key):
            lines.append(f"{key}: {' '.join(map(str, body[key]))}")
    for i, step in enumerate(config.get("history") or []):
        if step.get("created_by"):
            lines.append(f"history[{i}]: {' '.join(str(step['created_by']).split())}")
    return "\n".join(lines) + "\n"


@dataclass
class _LayerFiles:
    """What each layer wrote and deleted, to mark files a later layer removes (local to one image)."""

    written: list[dict[str, Origin]]
    whiteouts: list[set[str]]
    opaque: list[set[str]]

    def record(self, n: int, item: Blob) -> bool:
        """Record a layer file; False for whiteout markers, which are not content."""
        path = _norm(item.origin.path)
        base = posixpath.basename(path)
        parent = posixpath.dirname(path)
        if base == OPAQUE:
            self.opaque[n].add(parent)
            return False
        if base.startswith(WHITEOUT):
            self.whiteouts[n].add(posixpath.join(parent, base[len(WHITEOUT):]))
            return False
        self.written[n][path] = item.origin
        return True

    def marks(self) -> tuple[tuple[Origin, tuple[tuple[str, str], ...]], ...]:
        out = []
        for n, files in enumerate(self.written):
            for path, origin in files.items():
                ancestors = _ancestors(path)
                for later in range(n + 1, len(self.written)):
                    if path in self.whiteouts[later] or ancestors & self.whiteouts[later] or ancestors & self.opaque[later]:
                        out.append((origin, (("deleted_in_layer", str(later + 1)),)))
                        break
                    if path in self.written[later]:
                        out.append((origin, (("replaced_in_layer", str(later + 1)),)))
                        break
        return tuple(out)


def _ancestors(path: str) -> set[str]:
    out = set()
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        out.add(path)
    out.add("")
    return out


class ImageLayout:
    """The :class:`~scanner.sources.archives.TarLayout` of container images."""

    name = "container-image"

    def claims_first(self, first_name: str) -> bool:
        name = _norm(first_name)
        return name.split("/")[0] in ("blobs", "oci-layout", "index.json", "manifest.json") or bool(_HEX64.match(name))

    def claims(self, tar: tarfile.TarFile) -> bool:
        names = {_norm(n) for n in tar.getnames()}
        return "manifest.json" in names or {"oci-layout", "index.json"} <= names

    def expand(self, tar: tarfile.TarFile, origin: Origin, how: Expansion) -> Iterator[Member]:
        members = {_norm(m.name): m for m in tar.getmembers() if m.isreg()}
        images = _docker_images(tar, members) if "manifest.json" in members else _oci_images(tar, members)
        done: set[str] = set()
        for image in images:
            if image.config:
                yield from _config_blob(tar, members, image, origin)
            files = _LayerFiles([{} for _ in image.layers], [set() for _ in image.layers], [set() for _ in image.layers])
            for n, layer in enumerate(image.layers):
                if layer.member in done:
                    continue
                done.add(layer.member)
                yield from _layer(tar, members, image, n, layer, origin, how, files)
            marks = files.marks()
            if marks:
                yield Relabel(marks)


def _config_blob(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], image: Image, origin: Origin) -> Iterator[Member]:
    assert image.config is not None
    where = Origin("image-config", "image-config", origin, (("image", image.name),))
    try:
        config = _read_json(tar, members, image.config)
    except (KeyError, ValueError) as exc:
        yield Skip(where.render(), "corrupt", f"image config {image.config}: {exc}")
        return
    yield Blob(_config_text(config).encode("utf-8"), where)


def _layer(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], image: Image, n: int, layer: Layer,
           origin: Origin, how: Expansion, files: _LayerFiles) -> Iterator[Member]:
    short = layer.digest[:19] if layer.digest.startswith("sha256:") else layer.digest
    where = Origin(short, "image-layer", origin,
                   (("image", image.name), ("layer", str(n + 1)), ("layer_digest", layer.digest)))
    info = members.get(layer.member)
    if info is None:
        yield Skip(where.render(), "corrupt", f"layer {layer.member} missing from the image")
        return

    def opener() -> Any:
        return tar.extractfile(info)

    source = Source(where, opener, info.size)
    head = source.head()
    if archives.sniff(head) is None:
        reason = "zstd-compressed layers are not supported" if head.startswith(_ZSTD) else "not a tar layer"
        if info.size:
            yield Skip(where.render(), "unsupported", reason)
        return
    # a layer is a tar (plain or compressed); a tar inside a layer is a plain archive, not an image
    for item in archives.expand_with(source, Expansion(how.limits, how.budget, (), how.peek)):
        if isinstance(item, Blob) and not files.record(n, item):
            continue
        yield item
