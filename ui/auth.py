"""Who is looking: sign-in, roles and the page gate.

With data/accounts.toml (or $BUREAU_ACCOUNTS) present, every visitor signs in: with a
local account (user name + password, Argon2 hashes: bureau.accounts) or, when
.streamlit/secrets.toml has an [auth] section, through the bureau's OIDC provider
(st.login), whose e-mail maps to an account of the same file. The signed-in user is
kept in st.session_state. Without an accounts file the dashboard stays open on
localhost (run.sh binds 127.0.0.1) and every visitor is the local 绩效科 user.
"""
from __future__ import annotations

import streamlit as st

from bureau import accounts, store
from bureau.accounts import LOCAL_USER, User

SESSION_KEY = "bureau_user"
OPEN_NOTICE = "未配置账号：看板仅在本机开放（localhost），任何打开者都有绩效科权限。"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def current_user() -> User | None:
    """The signed-in user; the local 绩效科 user when no accounts are configured;
    None when accounts are configured and nobody signed in (yet)."""
    if not accounts.configured():
        return LOCAL_USER
    user = st.session_state.get(SESSION_KEY)
    if user is None and oidc_configured() and getattr(st.user, "is_logged_in", False):
        user = accounts.by_email(st.user.get("email") or "")
        if user is not None:
            _signed_in(user, "OIDC")
    return user


def _signed_in(user: User, how: str) -> None:
    st.session_state[SESSION_KEY] = user
    try:
        store.record_event(user.name, "登录", "看板", how)
    except store.BureauError:
        pass  # signing in does not wait for the audit file


def sign_in_form() -> None:
    st.title("绩效自评数据看板 · 登录")
    if oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            st.error(f"统一身份 {st.user.get('email') or ''} 没有对应的看板账号，请联系管理员。")
        if st.button("使用统一身份认证登录", type="primary"):
            st.login()
    with st.form("sign_in"):
        name = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录")
    if submitted:
        try:
            user = accounts.authenticate(name, password)
        except accounts.AccountError as exc:
            st.error(str(exc))
            return
        if user is None:
            st.error("用户名或密码不正确。")
            return
        _signed_in(user, "密码")
        st.rerun()


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()  # the browser goes to Streamlit's logout (identity cookie dropped), then a new session
        st.stop()    # not a rerun: it would sign the identity in again before the redirect
    st.rerun()


def gate() -> User:
    """The user, or the sign-in form and a stop. Shows the open-dashboard notice
    when no accounts are configured, and the user with a sign-out button otherwise."""
    user = current_user()
    if user is None:
        sign_in_form()
        st.stop()
    if not accounts.configured():
        st.caption(OPEN_NOTICE)
    else:
        st.sidebar.caption(f"当前用户：{user.display}（{user.role}）")
        if st.sidebar.button("退出登录", key="auth_sign_out"):
            sign_out()
    return user


def require(*roles: str) -> User:
    """Stop the page unless the current user has one of these roles."""
    user = current_user()
    if user is None or user.role not in roles:
        st.error("无权查看此页面。")
        st.stop()
    return user


def record(action: str, target: str, detail: str = "") -> None:
    """An audit event by the current user; a busy audit file is said, not raised."""
    user = current_user() or LOCAL_USER
    try:
        store.record_event(user.name, action, target, detail)
    except store.BureauError as exc:
        st.warning(f"操作已完成，但未能写入操作记录：{exc}")


def audit_table() -> None:
    """数据质量's 操作记录: the bureau's events and the load log's imports, newest first."""
    import pandas as pd

    import ui
    from ui import data

    parts = []
    try:
        ev = store.events()
        parts.append(pd.DataFrame({"时间": ev["event_at"], "操作人": ev["actor"], "操作": ev["action"],
                                   "对象": ev["target"], "说明": ev["detail"]}))
    except store.BureauError as exc:
        st.warning(str(exc))
    try:
        loads = data.run("load_events")
        parts.append(pd.DataFrame({"时间": loads["loaded_at"], "操作人": loads["loaded_by"].fillna("命令行导入"),
                                   "操作": "导入", "对象": loads["file_name"],
                                   "说明": loads["status"] + loads["reason"].map(lambda r: f"：{r}" if isinstance(r, str) else "")}))
    except data.DataError:
        pass
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(not p.empty for p in parts) else None
    if frame is None:
        st.caption("还没有操作记录。")
        return
    frame = frame.sort_values("时间", ascending=False, kind="stable").head(1000)
    ui.table(frame, None, "audit_events", title="操作记录")
