"""The pre-commit hook pays only for what it runs: ``credsprawl staged`` loads neither the other
commands' code (sweeps, triage, reports, CI downloads) nor the archive readers when no staged file is
an archive; and the parser built for one command accepts exactly what the full parser accepts."""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from gitutil import GitRepo

from fixtures import fakecreds

# what a hook run must never load: other commands' code, the web of a sweep, archive readers, the
# readers of notebooks, logs and binaries (no such file is staged), the history walk and the pool
NOT_LOADED = ("scanner.sweep", "scanner.triage", "scanner.store", "scanner.report", "scanner.verify",
              "scanner.cli.sweep", "scanner.cli.triage", "scanner.cli.report", "scanner.cli.artifacts",
              "scanner.sources.archives", "scanner.sources.images", "tarfile", "zipfile", "sqlite3", "tomllib",
              "httpx", "scanner.serve", "starlette", "uvicorn", "jinja2",
              "scanner.sources.notebooks", "scanner.sources.views", "scanner.pipeline.viewscan",
              "scanner.history.scan", "scanner.history.hookfiles", "scanner.pipeline.pool", "multiprocessing",
              "concurrent", "rich", "tempfile", "shutil", "bz2", "lzma")
# and what a run that finds nothing never loads: the facts of findings (and what they parse with)
NOT_LOADED_CLEAN = ("scanner.identity", "json", "datetime")

PROBE = """
import sys
from scanner.cli.app import main
code = main(sys.argv[1:])
sys.stdout.flush()
modules = sorted(sys.modules)
import json
print(json.dumps({"code": code, "modules": modules}), file=sys.stderr)
"""


def _modules_of(repo: Path, *args: str) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    last = proc.stderr.strip().splitlines()[-1]
    out = json.loads(last)
    return out["code"], set(out["modules"])


def _loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


def test_a_hook_run_loads_no_other_commands_code(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "print('hello')\n")
    repo.commit("first")
    token = fakecreds.github_token(random.Random(5))
    repo.write("app.py", f"print('hello')\nTOKEN = '{token}'\n")
    repo.git("add", "app.py")
    _modules_of(repo.path, "staged")  # the first run may fill the caches (parses rule files)
    code, modules = _modules_of(repo.path, "staged")  # every later commit's run
    assert code == 1  # the token blocks the commit
    assert [name for name in NOT_LOADED if _loaded(modules, name)] == []
    clean_code, clean = _modules_of(repo.path, "staged", "--all-lines")
    assert clean_code == 1 and not _loaded(clean, "scanner.sweep")
    repo.write("app.py", "print('hello')\nprint('world')\n")
    repo.git("add", "app.py")
    nothing, modules = _modules_of(repo.path, "staged")
    assert nothing == 0
    assert [name for name in (*NOT_LOADED, *NOT_LOADED_CLEAN) if _loaded(modules, name)] == []


def test_a_staged_notebook_loads_the_notebook_reader_and_is_scanned(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README", "x\n")
    repo.commit("first")
    token = fakecreds.github_token(random.Random(8))
    cell = {"cell_type": "code", "metadata": {}, "source": [f"TOKEN = '{token}'\n"], "outputs": [],
            "execution_count": None}
    repo.write("nb.ipynb", json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    repo.git("add", "nb.ipynb")
    code, modules = _modules_of(repo.path, "staged")
    assert code == 1 and "scanner.sources.notebooks" in modules


def test_the_program_loads_without_the_collector_and_leaves_its_objects_to_the_exit() -> None:
    """``credsprawl`` (``scanner.__main__.run``) loads the command line with the cyclic collector off, runs
    the command with it on, and hands the exit code to its exit with everything still alive frozen out
    of it (its last collections at exit would otherwise walk it all once more)."""
    probe = ("import gc, sys; sys.argv = ['credsprawl', 'rules', 'list']; import scanner.__main__ as program; "
             "import scanner.cli.app as app; main, exit_at_once = app.main, program.exit_at_once\n"
             "def spy(*a, **k):\n    print('loading', gc.isenabled(), file=sys.stderr); return main(*a, **k)\n"
             "def at_exit(code):\n    print('exit', code, gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr); "
             "exit_at_once(code)\n"
             "app.main, program.exit_at_once = spy, at_exit\n"
             "program.run(); print('not reached', file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0 and proc.stdout.strip().endswith(" rules")
    assert proc.stderr.split() == ["loading", "False", "exit", "0", "True", "True"], proc.stderr


@pytest.mark.parametrize("handler, code", [(False, 3), (True, 0)])
def test_the_process_ends_at_once_only_when_its_exit_would_only_free_memory(handler: bool, code: int) -> None:
    """``exit_at_once`` flushes the output and ends the process with the code; with an exit handler
    registered (or another thread running) it returns, and the usual exit runs the handler."""
    probe = ("import atexit, sys; from scanner.__main__ import exit_at_once\n"
             + ("atexit.register(lambda: print('handler ran'))\n" if handler else "")
             + "sys.stdout.write('written, not flushed'); exit_at_once(3); print(' returned')")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == code, proc.stderr
    expected = "written, not flushed returned\nhandler ran\n" if handler else "written, not flushed"
    assert proc.stdout == expected
    from scanner.cli.app import main

    assert main(["--version"]) == 0 and gc.isenabled()  # main leaves the collector alone (an embedder goes on)


def test_a_staged_archive_loads_the_archive_readers_and_is_scanned(tmp_path: Path) -> None:
    import io
    import zipfile

    repo = GitRepo(tmp_path / "repo")
    repo.write("README", "x\n")
    repo.commit("first")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("conf/app.env", f"GITHUB_TOKEN={fakecreds.github_token(random.Random(6))}\n")
    (repo.path / "bundle.zip").write_bytes(buf.getvalue())
    repo.git("add", "bundle.zip")
    code, modules = _modules_of(repo.path, "staged")
    assert code == 1 and "scanner.sources.archives" in modules


def test_one_command_parser_and_the_full_parser_agree() -> None:
    from scanner.cli.app import MODULE_OF, OWN_COMMANDS, build_parser

    full = build_parser()
    for command in (*OWN_COMMANDS, *MODULE_OF):
        argv = [command, "--help"]
        alone = build_parser(command)
        assert alone.format_help() == full.format_help() or command in alone.format_help()
        sub_full = next(a for a in full._subparsers._group_actions[0].choices.items() if a[0] == command)[1]
        sub_alone = alone._subparsers._group_actions[0].choices[command]
        assert sub_alone.format_help() == sub_full.format_help(), argv


def test_every_command_is_listed_in_the_help_and_an_unknown_one_is_a_usage_error() -> None:
    helped = run_cli("--help")
    assert helped.returncode == 0
    from scanner.cli.app import MODULE_OF, OWN_COMMANDS

    for command in (*OWN_COMMANDS, *MODULE_OF):
        assert command in helped.stdout
    unknown = run_cli("nosuchcommand")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


def test_help_is_argparse_own_at_any_width(monkeypatch: Any) -> None:
    """The help formatter that measures the terminal only when it writes, and the subcommands' prog given
    ahead, change no help text: every command's help is what argparse's own formatter writes."""
    import argparse

    from scanner.cli.app import build_parser

    for columns in ("100", "60"):
        monkeypatch.setenv("COLUMNS", columns)
        parsers = [build_parser()]
        while parsers:
            parser = parsers.pop()
            ours = parser.format_help()
            parser.formatter_class = argparse.HelpFormatter
            assert parser.format_help() == ours, parser.prog
            for action in parser._subparsers._group_actions if parser._subparsers else []:
                formatter = parser._get_formatter()  # the prog argparse would give the subcommands
                before = parser._get_positional_actions()  # the positionals added before them
                formatter.add_usage(parser.usage, before[:before.index(action)], parser._mutually_exclusive_groups, "")
                assert action._prog_prefix == formatter.format_help().strip()
                parsers.extend(action.choices.values())
