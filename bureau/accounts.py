"""Local accounts and roles, in one file an administrator edits: data/accounts.toml
(or $BUREAU_ACCOUNTS). See data/accounts.example.toml for its shape.

Roles: 领导 reads everything; 绩效科 also imports, reviews, draws samples and issues
the 通报; 单位 reads only its own unit (`unit`: its unit_key, budget code or name).
Passwords are stored as Argon2id hashes (argon2-cffi, salted), never in clear.
An OIDC sign-in (st.login) finds its account by the `email` field.
"""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl.config import PROJECT_ROOT

ACCOUNTS_ENV = "BUREAU_ACCOUNTS"
ROLES = ("领导", "绩效科", "单位")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    name: str                   # login
    display: str                # Chinese name
    role: str                   # 领导 | 绩效科 | 单位
    unit_key: str | None = None  # for 单位 accounts: unit_key, budget code or unit name as written in the file
    email: str | None = None

    @property
    def is_unit(self) -> bool:
        return self.role == "单位"


LOCAL_USER = User(name="local", display="本机用户", role="绩效科")


class AccountError(Exception):
    """The accounts file is unreadable or an account is invalid (message in Chinese)."""


def accounts_path() -> Path:
    raw = os.environ.get(ACCOUNTS_ENV, "").strip()
    return Path(raw).expanduser() if raw else PROJECT_ROOT / "data" / "accounts.toml"


def configured() -> bool:
    return accounts_path().is_file()


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f).get("users", {}) or {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AccountError(f"账号文件 {path.name} 无法读取（{exc}）") from exc


def load(path: Path | None = None) -> dict[str, dict]:
    return _read(path or accounts_path())


def _user(name: str, entry: dict) -> User:
    role = entry.get("role", "")
    if role not in ROLES:
        raise AccountError(f"账号 {name} 的角色“{role}”无效：应为 {'、'.join(ROLES)} 之一。")
    unit = (entry.get("unit") or "").strip() or None
    if role == "单位" and not unit:
        raise AccountError(f"单位账号 {name} 没有填写 unit（单位标识、预算编码或名称）。")
    return User(name=name, display=entry.get("display") or name, role=role,
                unit_key=unit if role == "单位" else None, email=(entry.get("email") or "").strip().lower() or None)


def authenticate(name: str, password: str, path: Path | None = None) -> User | None:
    """The user when the password matches its stored hash, else None."""
    entry = load(path).get((name or "").strip())
    if not entry or not entry.get("password_hash") or not password:
        return None
    try:
        _hasher.verify(entry["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(name.strip(), entry)


def by_name(name: str, path: Path | None = None) -> User | None:
    entry = load(path).get((name or "").strip())
    return None if entry is None else _user(name.strip(), entry)


def by_email(email: str, path: Path | None = None) -> User | None:
    email = (email or "").strip().lower()
    for name, entry in load(path).items():
        if email and (entry.get("email") or "").strip().lower() == email:
            return _user(name, entry)
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def save(users: dict[str, dict], path: Path | None = None) -> None:
    """Write the accounts file (atomically: a temp file renamed over it)."""
    path = path or accounts_path()
    lines = ["# 看板账号（由管理员维护；python -m bureau add-user / passwd 可代为写入）", ""]
    for name, entry in users.items():
        lines.append(f"[users.{_toml_string(name)}]")
        for key in ("display", "role", "unit", "email", "password_hash"):
            if entry.get(key):
                lines.append(f"{key} = {_toml_string(str(entry[key]))}")
        lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.replace(tmp, path)


def add_user(name: str, *, display: str, role: str, unit: str | None = None, email: str | None = None,
             password: str | None = None, path: Path | None = None) -> User:
    path = path or accounts_path()
    users = load(path) if path.is_file() else {}
    if name in users:
        raise AccountError(f"账号 {name} 已存在。")
    entry = {"display": display, "role": role, "unit": unit or "", "email": email or ""}
    user = _user(name, entry)
    if password:
        entry["password_hash"] = hash_password(password)
    users[name] = entry
    save(users, path)
    return user


def set_password(name: str, password: str, path: Path | None = None) -> None:
    path = path or accounts_path()
    users = load(path)
    if name not in users:
        raise AccountError(f"没有账号 {name}。")
    users[name]["password_hash"] = hash_password(password)
    save(users, path)
