"""A loopback HTTP server for REST client tests: it answers by path with the replies a test sets,
and records every request (path with query, lower-cased headers).

Hostile behaviours (the ones ``../shared/repro/fake_github.py`` shows) are replies too: ``endless``
(a chunked body that never ends), ``trickle`` (a byte of the body every so many seconds),
``trickle_headers`` (the status line and headers a byte at a time) and ``silent`` (never answers).
They stop when the server closes."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Self, Union


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)  # "{base}" in a value becomes the server's URL
    drop: bool = False  # close the connection without answering (a reset)
    endless: bool = False  # a chunked body that never ends
    trickle: float = 0.0  # seconds between single bytes of a body announced as 100000 bytes long
    trickle_headers: float = 0.0  # seconds between single bytes of the status line and headers
    silent: bool = False  # read the request, then say nothing until the server closes


# a fixed reply; a list answered in order (the last one repeats); or a function of the query
Route = Union[Reply, list[Reply], Callable[[dict[str, list[str]]], Reply]]


class FakeAPI:
    """Routes by path (still percent-encoded: ``/groups/a%2Fb``)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bodies: list[bytes] = []  # request bodies (POST), in order
        self.local = threading.local()  # ``body``: the body of the request this thread is answering
        self.closing = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                if self.command == "GET":
                    outer.local.body = b""
                outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                path = urllib.parse.urlsplit(self.path).path
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                reply = outer.reply(path, query)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.silent or reply.endless or reply.trickle or reply.trickle_headers:
                    self.close_connection = True
                    try:
                        self.hostile(reply)
                    except OSError:
                        pass  # the client gave up and closed the connection
                    return
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v.replace("{base}", outer.base))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                outer.local.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.bodies.append(outer.local.body)
                self.do_GET()

            def hostile(self, reply: Reply) -> None:
                if reply.silent:
                    outer.closing.wait()
                elif reply.trickle_headers:
                    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10000:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        if outer.closing.wait(reply.trickle_headers):
                            return
                elif reply.endless:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                     b"Transfer-Encoding: chunked\r\n\r\n")
                    chunk = b"[" + b"1," * 32768
                    while not outer.closing.is_set():
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                     b"Content-Length: 100000\r\n\r\n")
                    while True:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        if outer.closing.wait(reply.trickle):
                            return

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply(self, path: str, query: dict[str, list[str]]) -> Reply:
        route = self.routes.get(path)
        if route is None:
            return Reply(404, {"message": "Not Found"})
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        if isinstance(route, Reply):
            return route
        return route(query)

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def __enter__(self) -> Self:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
