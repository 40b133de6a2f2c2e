"""Command-line parser and handler of ``serve``: the triage web app over a sweep's datastore.
Parsing and dispatch only: the app lives in ``scanner.serve``, and the web stack (Starlette, uvicorn,
Jinja2: the ``credsprawl[serve]`` extra) is imported only when the command runs.

    credsprawl serve --datastore sweep.sqlite [--host 127.0.0.1] [--port 8765]
                     [--token-file FILE | env CREDSPRAWL_SERVE_TOKEN] [--token-name web] [--allow-host NAME]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from scanner.errors import UsageError
from scanner.results import ExitStatus

Handler = Callable[[argparse.Namespace], int]
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value!r} (1-65535)")
    return port


def add_commands(sub: Any, only: str | None = None) -> None:  # only: one command here, or all of them
    """Add ``serve`` to ``sub`` (its handler is in HANDLERS)."""
    serve = sub.add_parser("serve", help="the triage web app over a sweep's datastore (needs credsprawl[serve])")
    serve.add_argument("--datastore", type=Path, metavar="PATH",
                       help="the sweep's SQLite datastore (default: sweep.sqlite in the user's cache folder)")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default: {DEFAULT_HOST}; any other than loopback needs a token)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT})")
    serve.add_argument("--token-file", type=Path, metavar="FILE",
                       help="a file (mode 600) holding the access token every request must give "
                            "(or set CREDSPRAWL_SERVE_TOKEN; never on the command line)")
    serve.add_argument("--token-name", default="web", metavar="NAME",
                       help="who the audit log names for writes made with the token (default: web)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="a host name clients may use in the Host header besides the bound address (repeatable)")


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from scanner.serve.app import create_app
    except ImportError:
        raise UsageError("credsprawl serve needs the web extra: pip install 'credsprawl[serve]'") from None
    from scanner.serve.security import Policy, read_token
    from scanner.store.db import default_datastore
    from scanner.triage.states import actor

    token = read_token(args.token_file)
    policy = Policy.of(args.host, token, args.token_name, actor(None), tuple(args.allow_host))
    datastore = args.datastore or default_datastore()
    print(f"credsprawl serve: reading {datastore} (every credential's summary, once)", file=sys.stderr, flush=True)
    app = create_app(datastore, policy)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"credsprawl serve: http://{shown}:{args.port}/ over {datastore}"
          f"{' (a token is needed)' if token else ''}; Ctrl-C stops it", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                            proxy_headers=False, server_header=False, lifespan="on")
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise UsageError(f"cannot listen on {args.host}:{args.port} (in use, or not an address of this machine)")
    return ExitStatus.CLEAN


HANDLERS: dict[str, Handler] = {"serve": _cmd_serve}
