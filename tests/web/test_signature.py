"""Webhook signature checks, against GitHub's documented test vector."""

from __future__ import annotations

import hashlib
import hmac

from app.web.signature import sign, verify

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_sign_matches_githubs_documented_vector() -> None:
    assert sign(SECRET, BODY) == VECTOR


def test_verify_accepts_the_vector() -> None:
    assert verify(SECRET, BODY, VECTOR)


def test_verify_rejects_a_changed_body_or_secret() -> None:
    assert not verify(SECRET, BODY + b" ", VECTOR)
    assert not verify(b"another secret", BODY, VECTOR)


def test_verify_rejects_headers_without_the_sha256_prefix() -> None:
    digest = VECTOR.removeprefix("sha256=")
    sha1 = "sha1=" + hmac.new(SECRET, BODY, hashlib.sha1).hexdigest()
    assert not verify(SECRET, BODY, digest)
    assert not verify(SECRET, BODY, sha1)
    assert not verify(SECRET, BODY, None)
    assert not verify(SECRET, BODY, "")


def test_verify_refuses_everything_without_a_secret() -> None:
    assert not verify(b"", BODY, sign(b"", BODY))


def test_verify_survives_non_ascii_headers() -> None:
    assert not verify(SECRET, BODY, "sha256=é" + "0" * 63)
