"""A real tree for the filesystem benchmarks: the installed sources and binaries of popular packages.

    python bench/pkgtree.py [DEST]        # default bench/.cache/pkgtree

Creates a throwaway virtualenv beside DEST (``DEST-venv``), pip-installs the packages below into it
(never into the project's environment) and copies its site-packages to DEST/packages: a plain tree,
because some peers skip any path containing ``site-packages`` by default and would scan nothing.
Idempotent: a finished tree is kept and reused. Prints the tree's size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT = BENCH / ".cache" / "pkgtree"

# Popular, large, pure-Python or binary-heavy packages: real code, real config, real test keys.
PACKAGES = (
    "django", "sqlalchemy", "sympy", "botocore", "boto3", "requests", "flask", "jinja2", "werkzeug",
    "numpy", "pandas", "scipy", "matplotlib", "pillow", "cryptography", "pyopenssl", "paramiko",
    "ansible-core", "pytest", "hypothesis", "babel", "pygments", "docutils", "sphinx", "tornado",
    "twisted", "networkx", "openpyxl", "lxml", "pyyaml", "google-api-python-client", "kubernetes",
    "azure-storage-blob", "azure-identity", "celery", "redis", "pymongo", "psycopg2-binary", "grpcio",
    "protobuf", "setuptools", "pip",
)
MARKER = ".pkgtree-complete"


def tree_size(root: Path) -> tuple[int, int]:
    files = total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            p = os.path.join(dirpath, name)
            if os.path.isfile(p) and not os.path.islink(p):
                files += 1
                total += os.path.getsize(p)
    return files, total


def build(dest: Path) -> Path:
    if (dest / MARKER).exists():
        return dest
    env = dest.with_name(dest.name + "-venv")
    env.parent.mkdir(parents=True, exist_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    pip = env / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", "--disable-pip-version-check", *PACKAGES], check=True)
    [site] = list(env.glob("lib/python*/site-packages"))
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(site, dest / "packages", symlinks=True)
    (dest / MARKER).write_text(" ".join(PACKAGES) + "\n")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    root = build(args.dest)
    files, total = tree_size(root)
    print(f"{root}: {files} files, {total / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
