"""Serve real git repositories over smart HTTP on loopback, through `git http-backend`.

Every request must carry `Authorization: Basic x-access-token:<token>` with a token the fake
GitHub issued, as GitHub's git endpoint demands: this is what exercises the mirror's header path.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class _Handler(BaseHTTPRequestHandler):
    server: GitServer
    protocol_version = "HTTP/1.0"

    def _serve(self) -> None:
        auth = self.headers.get("authorization", "")
        self.server.seen_auth.append(auth)
        self.server.requested_at.append(time.monotonic())
        if not self.server.authorised(auth):
            self.send_response(401)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        self.server.seen_paths.append(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.server.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "CONTENT_TYPE": self.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": self.headers.get("content-encoding", ""),
            "GIT_PROTOCOL": self.headers.get("git-protocol", ""),
            "REMOTE_ADDR": "127.0.0.1",
        }
        proc = subprocess.run(["git", "http-backend"], input=body, capture_output=True, env=env, check=False)
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        status = 200
        headers: list[tuple[str, str]] = []
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class GitServer(ThreadingHTTPServer):
    """Bare repositories under `root`, served at http://127.0.0.1:PORT/<owner>/<name>.git."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore clients that went away (a killed worker), which the tests cause on purpose."""

    def __init__(self, root: Path, valid_token: Callable[[str], bool]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.valid_token = valid_token
        self.seen_auth: list[str] = []
        self.seen_paths: list[str] = []
        self.requested_at: list[float] = []  # monotonic time of every request, as FakeGitHub records them
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def authorised(self, header: str) -> bool:
        """Return whether a request carries a valid installation token as Basic auth."""
        scheme, _, encoded = header.partition(" ")
        if scheme != "Basic":
            return False
        try:
            user, _, token = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return user == "x-access-token" and self.valid_token(token)

    def url(self, full_name: str) -> str:
        """Return the clone URL of a served repository."""
        return f"http://127.0.0.1:{self.server_address[1]}/{full_name}.git"

    def __enter__(self) -> GitServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
