"""Signed sign-in tokens (bureau/sessions.py) and the sign-in kept over a reload (ui/auth.py): a
token verifies for its account until it expires, is tampered with, dropped at sign-out, or the
account's password changes; the key file is the owner's only. AppTest stands in for a reload by
a new session whose browser sends the cookie (st.context.cookies, monkeypatched: AppTest sends none)."""
from __future__ import annotations

import stat
import time

import pytest

from bureau import accounts, sessions, store
from tests.test_bureau_pages import bureau, sample_db, with_accounts  # noqa: F401 - fixtures
from tests.test_pages import assert_clean, open_app


@pytest.fixture()
def zhang(with_accounts):  # noqa: F811
    return accounts.by_name("zhang", with_accounts)


def test_a_token_verifies_for_its_account(zhang):
    token = sessions.issue(zhang)
    assert sessions.verify(token) == zhang
    assert stat.S_IMODE(sessions.key_path().stat().st_mode) == 0o600


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),                    # signature
    lambda t: sessions._b64("dui") + t[t.index("."):],                   # another account's name
    lambda t: t.replace(t.split(".")[1], str(int(t.split(".")[1]) + 3600)),  # a later expiry
    lambda t: "", lambda t: "garbage", lambda t: "a.b.c.d",
])
def test_a_changed_token_is_refused(zhang, mangle):
    assert sessions.verify(mangle(sessions.issue(zhang))) is None


def test_a_token_expires(zhang):
    token = sessions.issue(zhang, now=time.time() - sessions.SESSION_HOURS * 3600 - 1)
    assert sessions.verify(token) is None


def test_sign_out_and_a_new_password_end_a_token(zhang, with_accounts):  # noqa: F811
    dropped, kept = sessions.issue(zhang), sessions.issue(zhang)
    sessions.revoke(dropped)
    assert sessions.verify(dropped) is None and sessions.verify(kept) == zhang
    accounts.set_password("zhang", "another-pw-789", with_accounts)
    assert sessions.verify(kept) is None


def test_a_key_from_another_install_does_not_verify(zhang, tmp_path, monkeypatch):
    token = sessions.issue(zhang)
    monkeypatch.setenv(sessions.KEY_ENV, str(tmp_path / "other.key"))
    assert sessions.verify(token) is None


def _reload(db, monkeypatch, token):
    """A new session (a reload) whose browser sends this cookie."""
    from ui import auth

    monkeypatch.setattr(auth, "cookie_token", lambda: token)
    return open_app(db, monkeypatch)


def test_a_password_sign_in_survives_a_reload_until_sign_out(sample_db, with_accounts, monkeypatch):  # noqa: F811
    monkeypatch.setenv("REPORTS_DB", str(sample_db))
    at = open_app(sample_db, monkeypatch)
    at.text_input[0].input("zhang")
    at.text_input[1].input("pw-123456")
    at.button[0].click().run()
    assert_clean(at)
    token = at.session_state["bureau_token"]
    scripts = [h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body]
    assert len(scripts) == 1 and f"bureau_session={token}" in scripts[0] and "max-age=28800" in scripts[0]

    again = _reload(sample_db, monkeypatch, token)
    assert_clean(again)
    assert again.session_state["bureau_user"].name == "zhang" and not again.title[0].value.endswith("登录")

    again.button(key="auth_sign_out").click().run()
    assert again.title[0].value.endswith("登录")
    cleared = [h.proto.body for h in again.get("html") if "document.cookie" in h.proto.body]
    assert len(cleared) == 1 and '"bureau_session="' in cleared[0] and "max-age=0" in cleared[0]
    assert store.events()["action"].tolist() == ["退出", "登录"]

    after = _reload(sample_db, monkeypatch, token)  # a copy of the old cookie
    assert after.title[0].value.endswith("登录") and "bureau_user" not in after.session_state


def test_a_forged_cookie_gets_the_sign_in_form(sample_db, with_accounts, monkeypatch):  # noqa: F811
    at = _reload(sample_db, monkeypatch, sessions._b64("zhang") + ".9999999999.x.deadbeef")
    assert at.title[0].value.endswith("登录") and "bureau_user" not in at.session_state
