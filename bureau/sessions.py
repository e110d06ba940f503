"""Signed sign-in tokens, so a local sign-in survives a page reload.

Streamlit keeps st.session_state per browser tab connection: a reload is a new session. After a
password sign-in the dashboard puts a token in a cookie (ui/auth.py); a new session reads it
(st.context.cookies) and, if it verifies, is that user again. The token is

    base64url(user name) . expiry (unix seconds) . nonce . HMAC-SHA256

signed (stdlib hmac) with a 32-byte random key kept in a file beside the bureau database
(`<bureau db>.session-key`, created 0600, or $BUREAU_SESSION_KEY), over the three fields and the
account's current password hash: resetting a password ends that account's sessions. A token past
its expiry (SESSION_HOURS, default 8 h, $BUREAU_SESSION_HOURS), one whose account is gone, or one
dropped at sign-out (its nonce in the bureau store's revoked_sessions) is refused.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from datetime import datetime
from pathlib import Path

from bureau import accounts, store
from bureau.accounts import User

KEY_ENV = "BUREAU_SESSION_KEY"
SESSION_HOURS = float(os.environ.get("BUREAU_SESSION_HOURS", "8"))


def key_path() -> Path:
    raw = os.environ.get(KEY_ENV, "").strip()
    if raw:
        return Path(raw).expanduser()
    db = store.db_path()
    return db.with_name(db.name + ".session-key")


def _key() -> bytes:
    """The signing key; made on first use (owner read/write only, never replaced)."""
    path = key_path()
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")


def _signature(payload: str, password_hash: str) -> str:
    return hmac.new(_key(), f"{payload}|{password_hash}".encode("utf-8"), hashlib.sha256).hexdigest()


def _password_hash(name: str) -> str | None:
    entry = accounts.load().get(name)
    return None if entry is None else str(entry.get("password_hash") or "")


def issue(user: User, now: float | None = None) -> str:
    """A token for this signed-in user, valid SESSION_HOURS from now."""
    expires = int((time.time() if now is None else now) + SESSION_HOURS * 3600)
    payload = f"{_b64(user.name)}.{expires}.{secrets.token_urlsafe(16)}"
    return f"{payload}.{_signature(payload, _password_hash(user.name) or '')}"


def _parts(token: str) -> tuple[str, int, str, str] | None:
    bits = (token or "").split(".")
    if len(bits) != 4 or not bits[1].isdigit():
        return None
    try:
        return _unb64(bits[0]), int(bits[1]), bits[2], bits[3]
    except (ValueError, UnicodeDecodeError):
        return None


def verify(token: str, now: float | None = None) -> User | None:
    """The account the token was issued to, if it is genuine, unexpired, not dropped and the
    account (with the same password) is still in the accounts file; else None."""
    parts = _parts(token)
    if parts is None:
        return None
    name, expires, nonce, signature = parts
    if expires < (time.time() if now is None else now):
        return None
    try:
        password_hash = _password_hash(name)
    except accounts.AccountError:
        return None
    if password_hash is None:
        return None
    payload = token.rsplit(".", 1)[0]
    if not hmac.compare_digest(signature, _signature(payload, password_hash)):
        return None
    try:
        if store.session_revoked(nonce):
            return None
    except store.BureauError:
        return None  # cannot tell: sign in again
    try:
        return accounts.by_name(name)
    except accounts.AccountError:
        return None


def revoke(token: str) -> None:
    """Drop this token (sign-out): refused from now on even if a copy of the cookie remains."""
    parts = _parts(token)
    if parts is not None:
        store.revoke_session(parts[2], datetime.fromtimestamp(parts[1]))
