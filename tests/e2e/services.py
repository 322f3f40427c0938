"""Real services for the tests: a Redis (the one on 6379, or our own), an App key pair."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def free_port() -> int:
    """Return a TCP port that is free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """Return whether a Redis answers at a URL."""
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@dataclass
class RedisProcess:
    """A redis-server this test session started (and alone may stop)."""

    port: int
    proc: subprocess.Popen[bytes] | None = None
    data_dir: Path | None = None  # when set: append-only persistence there, so a restart keeps the data

    def url(self, db: int) -> str:
        """Return the URL of one database."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        """Start the server and wait until it answers."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is required: apt-get install redis-server")
        persist = ["--appendonly", "yes", "--appendfsync", "always"] if self.data_dir else ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persist,
             "--dir", str(self.data_dir or tempfile.gettempdir())],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not answers(self.url(0)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server we started."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@contextmanager
def session_redis() -> Iterator[RedisProcess]:
    """Yield the Redis on 127.0.0.1:$VERITY_TEST_REDIS_PORT (6379) when it answers, else one on a free port."""
    port = int(os.environ.get("VERITY_TEST_REDIS_PORT", "6379"))
    if answers(f"redis://127.0.0.1:{port}/0"):
        yield RedisProcess(port)
        return
    server = RedisProcess(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def clear(url: str) -> None:
    """Delete Verity's keys and queue from one test database (never kombu's bindings)."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("verity*", count=1000))
    keys += list(client.scan_iter("unacked*", count=100))
    if keys:
        client.delete(*keys)


@dataclass(frozen=True)
class AppKey:
    """An RSA key pair for the App: the private half signs JWTs, the public half checks them."""

    private_pem: str
    public_pem: str


def app_key() -> AppKey:
    """Generate a fresh App key pair."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return AppKey(private, public)
