"""The preview's local web server: one page, its state, its event stream and its page images.

Bound to 127.0.0.1 only. It serves exactly four kinds of URL: `/` (the page),
`/state.json`, `/events` (server-sent events: the page reloads its state by itself)
and `/pages/<name>.png`, where the name must be one the session published; no part of
a URL is ever joined to a file-system path, so `/../../etc/passwd` and its encoded
forms are simply unknown names (404). Requests whose Host is not this server's own
address are refused too, so that a web page elsewhere cannot reach it by DNS tricks.
A client that drops its connection mid-request is a normal event, not an error.

`serve` runs until Ctrl-C (or SIGTERM), then stops the watcher and the render
workers and removes the session's temporary folder before returning.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.paths import TEMPLATES_DIR
from pipeline.preview.session import PreviewSession, Target
from pipeline.preview.watch import watch

HOST = "127.0.0.1"
PAGE = (Path(__file__).parent / "page.html").read_bytes()
IMAGE_NAME = re.compile(r"/pages/([a-z0-9-]+\.png)")
# An idle event stream sends a comment this often (s), so a closed browser tab is noticed.
KEEPALIVE_S = 15
CLIENT_TIMEOUT_S = 60


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its preview session."""

    daemon_threads = True

    def __init__(self, session: PreviewSession, port: int):
        self.session = session
        super().__init__((HOST, port), _Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A client that goes away mid-request (a closed tab, a dropped connection, one that
        sends too slowly) is a normal event: nothing to say. Anything else is one line,
        never a traceback on the preview's console."""
        exc = sys.exception()
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"preview: could not answer a request: {type(exc).__name__}: {exc}", file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "pipeline-preview"
    # A client silent this long (s) is dropped, so it cannot hold a thread forever.
    timeout = CLIENT_TIMEOUT_S

    def do_GET(self) -> None:
        if not self._host_ok():
            self._send(HTTPStatus.FORBIDDEN, b"only http://127.0.0.1 may use this preview\n", "text/plain")
            return
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(HTTPStatus.OK, PAGE, "text/html; charset=utf-8")
        elif path == "/state.json":
            body = json.dumps(self.server.session.snapshot(), ensure_ascii=False).encode("utf-8")
            self._send(HTTPStatus.OK, body, "application/json")
        elif path == "/events":
            self._events()
        elif (match := IMAGE_NAME.fullmatch(path)) and (file := self.server.session.image(match[1])):
            try:
                data = file.read_bytes()
            except OSError:  # replaced and deleted meanwhile
                self._not_found()
                return
            self._send(HTTPStatus.OK, data, "image/png", cache="max-age=31536000, immutable")
        else:
            self._not_found()

    def _host_ok(self) -> bool:
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in (f"{HOST}:{port}", f"localhost:{port}")

    def _not_found(self) -> None:
        self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: one `data: <revision>` per change of state, until the session closes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                rev = self.server.session.wait_for_change(seen, KEEPALIVE_S)
                if rev is None:
                    return
                self.wfile.write(b": idle\n\n" if rev == seen else f"data: {rev}\n\n".encode())
                self.wfile.flush()
                seen = rev
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows the URL and errors, not every image request."""


def serve(content_root: Path, target: Target, langs: list[str], port: int,
          on_ready: Callable[[str], None]) -> None:
    """Preview `target` on http://127.0.0.1:`port`/ until interrupted; leaves nothing behind."""
    with PreviewSession(content_root, target, langs) as session:
        try:
            server = PreviewServer(session, port)
        except OSError as exc:
            raise PipelineError(f"cannot listen on {HOST}:{port}: {exc.strerror}; "
                                "choose another --port (0 picks a free one)") from None
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=([content_root, TEMPLATES_DIR], session.refresh, stop),
                                   name="preview-watch", daemon=True)
        try:
            watcher.start()
            on_ready(server.url)
            server.serve_forever(poll_interval=0.25)
        finally:
            stop.set()
            session.stop()  # ends the event streams and any render in progress
            watcher.join(timeout=10)
            server.server_close()
