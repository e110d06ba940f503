"""AppTest: roles and pages of issue #13 — the open (no accounts) dashboard says so on every
page; the 复核 page takes a report from 未复核 to 已复核 (bad score refused); 抽查 saves a
sample; a 单位 account sees only its own unit whatever the URL, filter or download."""
from __future__ import annotations

import pytest

from bureau import accounts, store
from bureau.accounts import User
from tests.pagedata import NAMES, UNIT_A, UNIT_B, UNIT_D, build_sample_db
from tests.test_pages import PAGES, MediaSpy, assert_clean, open_app

OTHER_NAMES = [NAMES[u] for u in NAMES if u != UNIT_A]
UNIT_USER = User(name="dui", display="监察大队", role="单位", unit_key="125002")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("bureau_pages") / "sample.duckdb")


@pytest.fixture()
def bureau(tmp_path, monkeypatch):
    monkeypatch.setenv("BUREAU_DB", str(tmp_path / "bureau.duckdb"))
    monkeypatch.delenv("BUREAU_ACCOUNTS", raising=False)
    monkeypatch.setattr(accounts, "accounts_path", lambda: tmp_path / "none.toml")
    return tmp_path


@pytest.fixture()
def with_accounts(bureau, monkeypatch):
    path = bureau / "accounts.toml"
    accounts.add_user("zhang", display="张三", role="绩效科", password="pw-123456", path=path)
    accounts.add_user("dui", display="监察大队", role="单位", unit="125002", password="pw-654321", path=path)
    monkeypatch.setattr(accounts, "accounts_path", lambda: path)
    return path


def _as(user, db, monkeypatch, page=None, query=None):
    return open_app(db, monkeypatch, page, query, state={"bureau_user": user})


def _all_text(at) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "text", "title", "subheader", "info", "error", "warning",
                                        "success") for e in getattr(at, kind)]
    parts += [m.value for m in at.metric] + [str(m.label) for m in at.metric]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for box in list(at.selectbox) + list(at.multiselect):
        parts += [str(o) for o in box.options]
    # a link's value that is not understood is echoed back as typed ("链接中的单位「…」无法识别"): not data
    return "\n".join(p for p in parts if not p.startswith("链接中的"))


@pytest.mark.parametrize("page", PAGES + ["pages/review.py", "pages/sampling.py"])
def test_without_accounts_every_page_is_open_and_says_so(sample_db, bureau, monkeypatch, page):
    at = open_app(sample_db, monkeypatch, page)
    assert_clean(at)
    assert any("未配置账号：看板仅在本机开放（localhost）" in c.value for c in at.caption)


def test_with_accounts_the_sign_in_form_comes_first(sample_db, with_accounts, monkeypatch):
    monkeypatch.setenv("REPORTS_DB", str(sample_db))
    at = open_app(sample_db, monkeypatch)
    assert at.title[0].value.endswith("登录") and not at.dataframe
    at.text_input[0].input("zhang")
    at.text_input[1].input("wrong")
    at.button[0].click().run()
    assert "用户名或密码不正确" in at.error[0].value
    at.text_input[1].input("pw-123456")
    at.button[0].click().run()
    assert_clean(at)
    assert at.session_state["bureau_user"].role == "绩效科"
    assert store.events()["action"].tolist() == ["登录"]


# --- OIDC (st.login): AppTest's st.secrets with an [auth] section and its st.user as the provider's identity

OIDC_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-secret",
                         "client_id": "dashboard", "client_secret": "s3cret",
                         "server_metadata_url": "https://id.bureau.example/.well-known/openid-configuration"}}


def _oidc(identity: dict):
    def setup(at):
        at.secrets = OIDC_SECRETS
        at.user = identity
    return setup


@pytest.fixture()
def with_oidc_accounts(with_accounts):
    users = accounts.load(with_accounts)
    users["zhang"]["email"] = "zhang@bureau.example"
    accounts.save(users, with_accounts)
    return with_accounts


def test_an_oidc_identity_signs_in_as_the_account_of_its_email(sample_db, with_oidc_accounts, monkeypatch):
    at = open_app(sample_db, monkeypatch, setup=_oidc({"is_logged_in": True, "email": "Zhang@Bureau.Example"}))
    assert_clean(at)
    user = at.session_state["bureau_user"]
    assert (user.name, user.role) == ("zhang", "绩效科")
    assert any("当前用户：张三（绩效科）" in c.value for c in at.sidebar.caption)
    events = store.events()
    assert events["action"].tolist() == ["登录"] and events["detail"].tolist() == ["OIDC"]
    import streamlit

    logouts = []
    monkeypatch.setattr(streamlit, "logout", lambda: logouts.append(1))
    at.run()  # AppTest with at.secrets gives the first run's widgets other ids than the next: a click needs a second run
    at.button(key="auth_sign_out").click().run()  # 退出登录: the session forgets the user, st.logout drops the identity
    assert "bureau_user" not in at.session_state and logouts == [1]
    at.user = {"is_logged_in": False}  # as Streamlit's logout endpoint leaves the browser
    at.run()
    assert at.title[0].value.endswith("登录") and not at.dataframe
    assert store.events()["action"].tolist() == ["退出", "登录"]  # not signed in again on the way out


def test_an_oidc_identity_without_an_account_is_refused_in_chinese(sample_db, with_oidc_accounts, monkeypatch):
    at = open_app(sample_db, monkeypatch, setup=_oidc({"is_logged_in": True, "email": "stranger@elsewhere.example"}))
    assert not at.exception
    assert "bureau_user" not in at.session_state and not at.dataframe
    assert [e.value for e in at.error] == ["统一身份 stranger@elsewhere.example 没有对应的看板账号，请联系管理员。"]


def test_with_oidc_configured_the_sign_in_page_offers_it(sample_db, with_oidc_accounts, monkeypatch):
    at = open_app(sample_db, monkeypatch, setup=_oidc({"is_logged_in": False}))
    assert not at.exception and not at.error
    assert "使用统一身份认证登录" in [b.label for b in at.button]
    assert "bureau_user" not in at.session_state


def _review_page(db, monkeypatch):
    at = open_app(db, monkeypatch, "pages/review.py")
    at.selectbox(key="rv_year").select(2022).run()
    return at


def test_a_report_goes_from_unreviewed_to_reviewed(sample_db, bureau, monkeypatch):
    at = _review_page(sample_db, monkeypatch)
    assert_clean(at)
    pick = at.selectbox(key="rv_pick")
    pick.select(UNIT_D).run()
    at.text_input[0].input("130")
    at.text_area[0].input("<b>核实</b> **加粗**")
    at.button[0].click().run()
    assert any("超出范围" in e.value for e in at.error)
    assert store.current_reviews().empty
    at.text_input[0].input("82.5")
    at.selectbox(key=f"rv_v_{UNIT_D}|2022_0").select("单位已说明")
    at.button[0].click().run()
    assert_clean(at)
    assert any("已保存第 1 版复核：82.5 分，良" in s.value for s in at.success), [s.value for s in at.success]
    current = store.current_reviews(2022)
    assert current.iloc[0]["review_grade"] == "良" and current.iloc[0]["review_comment"] == "<b>核实</b> **加粗**"
    assert any("<b>核实</b>" in t.value for t in at.text)  # shown as text
    at.run()
    assert any(m.label == "复核状态" and m.value == "已复核" for m in at.metric)
    assert any("已复核：1 份" in c.value for c in at.caption)


def test_a_save_after_someone_else_saved_is_refused(sample_db, bureau, monkeypatch):
    at = _review_page(sample_db, monkeypatch)
    pick = at.selectbox(key="rv_pick")
    pick.select(UNIT_D).run()
    store.save_review(f"{UNIT_D}", 2022, seen_version=0, reviewer="li", reviewer_display="李四", score=70)
    at.text_input[0].input("90")
    at.button[0].click().run()
    assert any("该报告已被李四于" in e.value and "请刷新后再保存" in e.value for e in at.error)
    assert len(store.review_history(UNIT_D, 2022)) == 1


def test_review_scores_appear_beside_self_scores(sample_db, bureau, monkeypatch):
    store.save_review(UNIT_B, 2022, seen_version=0, reviewer="li", score=80, grade="良", sha256="x")
    for page in ("pages/compare.py", "pages/scores.py"):
        at = open_app(sample_db, monkeypatch, page)
        assert_clean(at)
        frame = next(d.value for d in at.dataframe if "复核得分" in d.value.columns)
        row = frame[frame["单位名称"] == NAMES[UNIT_B]].iloc[0]
        assert row["复核得分"] == 80 and row["自评减复核"] == 16


def test_a_sample_is_saved_and_listed(sample_db, bureau, monkeypatch):
    spy = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch, "pages/sampling.py")
    at.selectbox(key="sp_year").select(2022).run()
    at.number_input(key="sp_count").set_value(2).run()
    at.number_input(key="sp_seed").set_value(7).run()
    at.button(key="sp_save").click().run()
    assert_clean(at)
    assert any("已保存样本" in s.value for s in at.success)
    saved = store.sample_members(2022)
    assert len(saved) == 2 and saved.iloc[0]["rule"] == "随机抽取 2 个单位（种子 7）"
    csv = spy.content(at.download_button(key=f"sp_members_{saved.iloc[0]['sample_id']}__csv"))
    assert csv.startswith(b"\xef\xbb\xbf") and "单位名称,行业,抽取依据" in csv.decode("utf-8-sig")
    assert store.events()["action"].tolist() == ["抽查"]


# --- a 单位 account ---------------------------------------------------------------------------

def test_a_unit_account_sees_only_its_unit(sample_db, with_accounts, monkeypatch):
    spy = MediaSpy(monkeypatch)
    at = _as(UNIT_USER, sample_db, monkeypatch)
    assert_clean(at)
    text = _all_text(at)
    assert NAMES[UNIT_A] in text
    assert not [n for n in OTHER_NAMES if n in text], text
    for button in at.get("download_button"):
        if button.proto.url:
            content = spy.content(button).decode("utf-8-sig", errors="replace")
            assert not [n for n in OTHER_NAMES if n in content]


@pytest.mark.parametrize("query", [{"u": UNIT_B}, {"u": NAMES[UNIT_D]}, {"sector": "教育"}, {"units": UNIT_B}])
def test_a_unit_account_cannot_reach_another_unit_by_url(sample_db, with_accounts, monkeypatch, query):
    at = _as(UNIT_USER, sample_db, monkeypatch, query=query)
    assert_clean(at)
    text = _all_text(at)
    assert not [n for n in OTHER_NAMES if n in text]


@pytest.mark.parametrize("page", [p for p in PAGES if p != "pages/unit_detail.py"] + ["pages/review.py", "pages/sampling.py"])
def test_every_other_page_url_is_closed_to_a_unit_account(sample_db, with_accounts, monkeypatch, page):
    """The navigation of a 单位 account holds 单位详情 only: another page's URL opens that
    (st.navigation's default); what those pages query the data layer refuses anyway."""
    with pytest.raises(ValueError, match="Known pages: \\['[^']*pages/unit_detail.py'\\]"):
        _as(UNIT_USER, sample_db, monkeypatch, page=page)


def test_the_data_layer_refuses_a_unit_account(sample_db, with_accounts, monkeypatch):
    monkeypatch.setenv("REPORTS_DB", str(sample_db))
    from ui import auth, data

    monkeypatch.setattr(auth, "current_user", lambda: UNIT_USER)
    with pytest.raises(data.DataError, match="无权查看"):
        data.run("overview_by_year")
    with pytest.raises(data.DataError, match="无权查看"):
        data.run("review_queue")
    rows = data.run("report_details", units=[UNIT_B, UNIT_D])
    assert set(rows["unit_name"]) == {NAMES[UNIT_A]}
    monkeypatch.setattr(auth, "current_user", lambda: accounts.LOCAL_USER)
    b_sha = data.run("unit_documents", units=[UNIT_B])["sha256"].tolist()
    monkeypatch.setattr(auth, "current_user", lambda: UNIT_USER)
    for sha in b_sha:
        with pytest.raises(data.DataError, match="无权查看"):
            data.run("document_content", sha256=sha)
