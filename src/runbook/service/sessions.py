"""Users and login sessions: idle timeout and a cap on concurrent sessions per user."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass

from runbook.service.config import MAX_SESSIONS_PER_USER, SESSION_IDLE_TIMEOUT

_PBKDF2_ROUNDS = 60_000
IDLE_SECONDS = SESSION_IDLE_TIMEOUT.total_seconds()


@dataclass(frozen=True)
class SessionInfo:
    user_id: str
    email: str
    name: str
    created_ts: float
    expires_ts: float


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PBKDF2_ROUNDS)


def _token_hash(token: str) -> str:
    # Only a digest is stored, so a copy of the database does not hand out live sessions.
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    connection: sqlite3.Connection, user_id: str, email: str, name: str, password: str
) -> None:
    salt = secrets.token_bytes(16)
    connection.execute(
        "INSERT OR IGNORE INTO users (id, email, name, password_salt, password_hash) "
        "VALUES (?, ?, ?, ?, ?)",
        (user_id, email.lower(), name, salt, hash_password(password, salt)),
    )


def check_password(connection: sqlite3.Connection, email: str, password: str) -> str | None:
    """Return the user id when the credentials match."""
    row = connection.execute(
        "SELECT id, password_salt, password_hash FROM users WHERE email = ?", (email.lower(),)
    ).fetchone()
    if row is None:
        # Hash anyway so an unknown email takes as long as a wrong password.
        hash_password(password, b"\0" * 16)
        return None
    candidate = hash_password(password, bytes(row["password_salt"]))
    return str(row["id"]) if hmac.compare_digest(candidate, bytes(row["password_hash"])) else None


def open_session(connection: sqlite3.Connection, user_id: str, now: float) -> tuple[str, float]:
    """Create a session, evicting the user's oldest ones beyond the concurrency cap."""
    connection.execute("DELETE FROM sessions WHERE last_used_ts <= ?", (now - IDLE_SECONDS,))
    live = connection.execute(
        "SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY created_ts, rowid",
        (user_id,),
    ).fetchall()
    excess = len(live) - (MAX_SESSIONS_PER_USER - 1)
    for row in live[: max(excess, 0)]:
        connection.execute("DELETE FROM sessions WHERE token_hash = ?", (row["token_hash"],))
    token = secrets.token_urlsafe(32)
    connection.execute(
        "INSERT INTO sessions (token_hash, user_id, created_ts, last_used_ts) VALUES (?, ?, ?, ?)",
        (_token_hash(token), user_id, now, now),
    )
    return token, now + IDLE_SECONDS


def touch_session(connection: sqlite3.Connection, token: str, now: float) -> SessionInfo | None:
    """Look a session up and slide its idle timeout; None when unknown or expired."""
    digest = _token_hash(token)
    row = connection.execute(
        "SELECT s.user_id, s.created_ts, s.last_used_ts, u.email, u.name "
        "FROM sessions AS s JOIN users AS u ON u.id = s.user_id WHERE s.token_hash = ?",
        (digest,),
    ).fetchone()
    if row is None:
        return None
    if float(row["last_used_ts"]) + IDLE_SECONDS <= now:
        connection.execute("DELETE FROM sessions WHERE token_hash = ?", (digest,))
        return None
    connection.execute("UPDATE sessions SET last_used_ts = ? WHERE token_hash = ?", (now, digest))
    return SessionInfo(
        user_id=str(row["user_id"]),
        email=str(row["email"]),
        name=str(row["name"]),
        created_ts=float(row["created_ts"]),
        expires_ts=now + IDLE_SECONDS,
    )


def close_session(connection: sqlite3.Connection, token: str) -> bool:
    cursor = connection.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))
    return cursor.rowcount > 0


def count_sessions(connection: sqlite3.Connection, user_id: str) -> int:
    return int(
        connection.execute(
            "SELECT COUNT(*) FROM sessions WHERE user_id = ?", (user_id,)
        ).fetchone()[0]
    )
