"""openrev.domain.passwords."""

from __future__ import annotations

import hashlib

from openrev.domain.passwords import hash_key, hash_password, verify_password


def test_hash_is_argon2_and_salted() -> None:
    first, second = hash_password("demo"), hash_password("demo")
    assert first.startswith("$argon2id$")
    assert "demo" not in first.split("$")[-1]
    assert first != second


def test_verify() -> None:
    hashed = hash_password("s3cret")
    assert verify_password(hashed, "s3cret") is True
    assert verify_password(hashed, "S3cret") is False
    assert verify_password(hashed, "") is False


def test_verify_never_raises_on_bad_hashes() -> None:
    for bad in ("", "plaintext", "$argon2id$v=19$m=1$broken", "$2b$12$bcryptlooking"):
        assert verify_password(bad, "plaintext") is False


def test_hash_key_is_sha256_hex() -> None:
    assert hash_key("clerk-impersonation-key") == hashlib.sha256(
        b"clerk-impersonation-key"
    ).hexdigest()
    assert len(hash_key("x")) == 64
