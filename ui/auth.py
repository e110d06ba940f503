"""Who is looking: sign-in, roles and the page gate.

With data/accounts.toml (or $BUREAU_ACCOUNTS) present, every visitor signs in: with a
local account (user name + password, Argon2 hashes: bureau.accounts) or, when
.streamlit/secrets.toml has an [auth] section, through the bureau's OIDC provider
(st.login), whose e-mail maps to an account of the same file. The signed-in user is
kept in st.session_state; a local sign-in also puts a signed token (bureau/sessions.py) in the
cookie COOKIE, so a reload (a new session) is still signed in until the token expires (8 h) or
退出登录 drops it (an OIDC sign-in is kept by Streamlit's own cookie). Without an accounts file the dashboard stays open on
localhost (run.sh binds 127.0.0.1) and every visitor is the local 绩效科 user.
"""
from __future__ import annotations

import json

import streamlit as st

from bureau import accounts, sessions, store
from bureau.accounts import LOCAL_USER, User

SESSION_KEY = "bureau_user"
TOKEN_KEY = "bureau_token"          # this session's token (to drop at sign-out)
COOKIE_KEY = "bureau_cookie_write"  # the cookie to write in the next run: a token, or "" to clear it
COOKIE = "bureau_session"
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
    if user is None and (token := cookie_token()):
        user = sessions.verify(token)
        if user is not None:
            st.session_state[SESSION_KEY], st.session_state[TOKEN_KEY] = user, token
    if user is None and oidc_configured() and getattr(st.user, "is_logged_in", False):
        user = accounts.by_email(st.user.get("email") or "")
        if user is not None:
            _signed_in(user, "OIDC")
    return user


def cookie_token() -> str | None:
    """The sign-in token the browser sent when this session connected."""
    try:
        return st.context.cookies.get(COOKIE) or None
    except Exception:  # noqa: BLE001 - no browser context (bare runs)
        return None


def _write_cookie(token: str) -> None:
    """Set (token) or clear ("") the sign-in cookie in the browser: st.context.cookies only reads,
    so a line of script sets document.cookie (SameSite=Strict, Secure on https, SESSION_HOURS)."""
    age = int(sessions.SESSION_HOURS * 3600) if token else 0
    st.html(f"""<script>document.cookie = {json.dumps(COOKIE + "=" + token)} + "; path=/; max-age={age}; SameSite=Strict"
        + (location.protocol === "https:" ? "; Secure" : "");</script>""", unsafe_allow_javascript=True)


def _signed_in(user: User, how: str) -> None:
    st.session_state[SESSION_KEY] = user
    if how == "密码":
        token = sessions.issue(user)
        st.session_state[TOKEN_KEY] = st.session_state[COOKIE_KEY] = token
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
    st.caption(f"登录后 {sessions.SESSION_HOURS:g} 小时内刷新页面仍保持登录；点击“退出登录”即失效。")
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
    user = st.session_state.pop(SESSION_KEY, None)
    token = st.session_state.pop(TOKEN_KEY, None) or cookie_token()
    if token:
        try:
            sessions.revoke(token)
        except store.BureauError as exc:
            st.session_state["bureau_sign_out_warning"] = f"登录凭据未能作废（{exc}），请关闭浏览器。"
        st.session_state[COOKIE_KEY] = ""
    if user is not None:
        try:
            store.record_event(user.name, "退出", "看板", "")
        except store.BureauError:
            pass
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()  # the browser goes to Streamlit's logout (identity cookie dropped), then a new session
        st.stop()    # not a rerun: it would sign the identity in again before the redirect
    st.rerun()


def gate() -> User:
    """The user, or the sign-in form and a stop. Shows the open-dashboard notice
    when no accounts are configured, and the user with a sign-out button otherwise."""
    user = current_user()
    pending = st.session_state.pop(COOKIE_KEY, None)
    if pending is not None:
        _write_cookie(pending)
    if user is None:
        if warning := st.session_state.pop("bureau_sign_out_warning", None):
            st.warning(warning)
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
