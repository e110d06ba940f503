"""The shared sidebar filters: 年度 (one year, or a range when 年度区间 is on), 单位, 行业, 真实/演示.

The widgets are drawn by app.py on every run, whichever page is open, so the
choice stays when moving between pages. Each is kept in a URL query parameter
(`year` — once for one year, twice for a range —, `unit`, `sector`, `data`), so a copied link opens the
same view.
Pages read the choice with `current()` and pass `current().params()` to the
query layer as they are.

A link whose value is not understood (?year=99999, ?unit=a unit not in the
database) opens the default view, and the page says so in one line
(`link_notices()`, shown by ui.components.page_start) until the filters change.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ui import data, style

KEYS = {"year": "year", "unit": "unit", "sector": "sector", "data": "data"}
DATA_KINDS = {"all": "全部", "real": "真实", "demo": "演示"}
_STATE = "_filters"
UNIT_SEARCH = "unit_q"  # the sidebar's 搜索单位 box (many units)
_NOTICES = "_link_notices"  # (the filters they were given for, the lines)


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    units: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    data_kind: str = "all"
    all_years: tuple[int, ...] = ()

    @property
    def year(self) -> int | None:
        """The chosen year (the end of a range): the one 总览 compares."""
        return self.year_to

    @property
    def single_year(self) -> bool:
        return self.year_from == self.year_to

    def trend_params(self, **override) -> dict:
        """params() for a chart over the years: a single chosen year widens
        to every year (a trend of one point says nothing)."""
        span = {"year_from": None, "year_to": None} if self.single_year else {}
        return self.params(**{**span, **override})

    def params(self, **override) -> dict:
        """The common filters as the query layer's parameters."""
        out = {
            "year_from": self.year_from,
            "year_to": self.year_to,
            "units": list(self.units) or None,
            "sectors": list(self.sectors) or None,
            "data_kind": None if self.data_kind == "all" else self.data_kind,
        }
        out.update(override)
        return out

    def describe(self) -> str:
        """One line for captions: 2021–2022年 · 3个单位 · 教育 · 仅演示数据."""
        parts = []
        if self.year_from is not None:
            parts.append(year_text(self.year_from, self.year_to))
        if self.units:
            parts.append(f"{len(self.units)}个单位")
        if self.sectors:
            parts.append("、".join(self.sectors))
        if self.data_kind != "all":
            parts.append(f"仅{DATA_KINDS[self.data_kind]}数据")
        return " · ".join(parts) or "全部数据"


def unit_names() -> tuple[dict[str, str], dict[str, str]]:
    """(unit_id -> label, label -> unit_id) for every unit in the database.

    Widgets bound to the URL carry the label the user sees, so links read
    "?unit=云溪区教育局（125010）". A label is 单位名称（预算编码）: the unit's current
    name with its budget code, so typing a code in a unit list finds the unit
    (a unit without a code: its name, with its region when two units share
    it), and （演示） for demo units. A link may still name a unit by its name,
    code or id (resolve_unit)."""
    try:
        units = data.run("units")
    except data.DataError:
        return {}, {}
    counts = units["unit_name"].value_counts()
    to_label: dict[str, str] = {}
    for uid, name, code, region, demo in units[["unit_id", "unit_name", "budget_code", "region", "is_demo"]].itertuples(
            index=False):
        label = str(name)
        if isinstance(code, str) and code.strip():
            label += f"（{code.strip()}）"
        elif counts.get(name, 0) > 1:
            label += f"（{region or uid}）"
        if not style.is_blank(demo) and bool(demo):  # numpy/pandas booleans, not only Python's True
            label += "（演示）"
        to_label[uid] = label
    return to_label, {label: uid for uid, label in to_label.items()}


LARGE_UNITS = 300  # above this many units a unit picker searches first: its options travel to the browser
PICK_LIMIT = 50  # the matches a search-first picker offers
SEARCH_LABEL = "搜索单位（名称或预算编码）"


def many_units(to_id: dict[str, str]) -> bool:
    """Whether the pickers search first (a province's 10,000 units are not sent as options)."""
    return len(to_id) > LARGE_UNITS


def _former(value) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    try:
        return "\n".join(str(v) for v in value)
    except TypeError:
        return ""


def unit_matches(text: str, limit: int = PICK_LIMIT) -> list[str]:
    """The labels of the `limit` units that best match `text`: its name or budget code as typed, then
    those starting with it, then those containing it, then a former name containing it (case and
    width as typed, in the units list's order within each). No text: the list's first `limit`."""
    to_label, _ = unit_names()
    try:
        units = data.run("units")
    except data.DataError:
        return []
    ids = units["unit_id"].astype(str)
    q = (text or "").strip().casefold()
    if not q:
        return [to_label[u] for u in ids.head(limit) if u in to_label]
    name = units["unit_name"].fillna("").astype(str).str.casefold()
    code = units["budget_code"].fillna("").astype(str).str.casefold()
    former = units["names_used"].map(_former).str.casefold() if "names_used" in units else None
    rank = pd.Series(9, index=units.index)
    for level, hit in ((3, former.str.contains(q, regex=False) if former is not None else None),
                       (2, name.str.contains(q, regex=False) | code.str.contains(q, regex=False)),
                       (1, name.str.startswith(q) | code.str.startswith(q)),
                       (0, (name == q) | (code == q))):
        if hit is not None:
            rank[hit.reindex(units.index, fill_value=False)] = level
    best = rank[rank < 9].sort_values(kind="stable").head(limit)
    return [to_label[u] for u in ids[best.index] if u in to_label]


def search_first_options(key: str, chosen: list, to_id: dict[str, str], where=st) -> list[str]:
    """A search-first picker's search box (in `where`) and the line under it; returns the picker's
    options: what is chosen (so it stays chosen) and the best matches of the text typed."""
    from ui.components import plain

    count = len(to_id)
    text = where.text_input(SEARCH_LABEL, key=key, placeholder=f"共 {count:,} 个单位，输入名称或预算编码") or ""
    matches = unit_matches(text)
    if not text.strip():
        where.caption(f"共 {count:,} 个单位，列表显示前 {PICK_LIMIT} 个；输入名称或预算编码查找其他单位。")
    elif not matches:
        where.caption(f"没有名称、预算编码或曾用名含「{plain(text.strip())}」的单位。")
    else:
        where.caption(f"列表显示最匹配的 {len(matches)} 个单位（名称、预算编码或曾用名）。")
    return list(dict.fromkeys([c for c in chosen if c in to_id] + matches))


def resolve_unit(text: str) -> str | None:
    """The unit label for what a typed or older link may say instead: the
    label itself, the unit's name without （演示）, its budget code or its id."""
    to_label, to_id = unit_names()
    if text in to_id:
        return text
    if text in to_label:
        return to_label[text]
    try:
        units = data.run("units")
    except data.DataError:
        return None
    for uid, name, code in units[["unit_id", "unit_name", "budget_code"]].itertuples(index=False):
        if text in (name, code) and uid in to_label:
            return to_label[uid]
    return None


def link_notice(what: str, given: list[str], fallback: str) -> str:
    """One line: 链接中的年度「99999」无法识别，已显示默认年度。 (the value as the link had it)."""
    value = "、".join(given)
    value = value if len(value) <= 60 else value[:60] + "…"
    return f"链接中的{what}「{value}」无法识别，{fallback}。"


def fix_unit_links(key: str, many: bool) -> list[str]:
    """Before the widget bound to URL parameter `key` is drawn: turn unit
    names, codes or ids given in the URL into the labels the widget offers, so
    a link such as ?u=云溪区教育局 opens that unit even though its label reads
    云溪区教育局（演示）. Returns the values that name no unit."""
    given = st.query_params.get_all(key)
    if not given:
        return []
    _, to_id = unit_names()
    if all(v in to_id for v in given):
        return []
    fixed = [resolve_unit(v) for v in given]
    unknown = [v for v, f in zip(given, fixed) if f is None]
    fixed = [v for v in fixed if v is not None]
    if fixed != given:
        # the widget takes its value from session state (the address bar then drops the
        # parameter: a bound widget writes the URL only when the user changes it)
        st.session_state[key] = fixed if many else (fixed[0] if fixed else None)
    return unknown


YEAR_ONE, YEAR_RANGE, YEAR_FROM, YEAR_TO = "yr_one", "yr_range", "yr_from", "yr_to"  # widget keys
_YEAR_URL = "_year_url"  # the year values this session last wrote to the address bar


def _year_links(years: list[int]) -> list[str]:
    """?year=2023 (that year), ?year=2021&year=2023 (a range; older links and
    the range this sidebar writes) or ?year_from=…&year_to=…: put into the year
    widgets when the address bar says something this session did not write
    itself (a link opened, a page of another session pasted). A value that is
    not one of the database's years keeps the default and says so."""
    qp = st.query_params
    given = qp.get_all(KEYS["year"])
    if not given and ("year_from" in qp or "year_to" in qp):
        given = [qp.get("year_from") or str(years[0]), qp.get("year_to") or str(years[-1])]
    for name in ("year_from", "year_to"):  # the sidebar writes ?year= only
        if name in qp:
            del qp[name]
    if not given or tuple(given) == st.session_state.get(_YEAR_URL):
        return []
    try:
        chosen = sorted(int(v) for v in given)
    except ValueError:
        chosen = []
    st.session_state[_YEAR_URL] = tuple(given)
    if not chosen or len(chosen) > 2 or any(y not in years for y in chosen):
        return [link_notice("年度", given, "已显示默认年度")]
    lo, hi = chosen[0], chosen[-1]
    st.session_state[YEAR_RANGE] = lo != hi
    st.session_state[YEAR_ONE] = hi
    st.session_state[YEAR_FROM], st.session_state[YEAR_TO] = lo, hi
    return []


def _range_toggled() -> None:
    """Turning the range on starts it from the first year to the year chosen;
    turning it off keeps the range's last year."""
    years = st.session_state.get("_years_available") or []
    if st.session_state.get(YEAR_RANGE):
        end = st.session_state.get(YEAR_ONE, years[-1] if years else None)
        st.session_state[YEAR_FROM], st.session_state[YEAR_TO] = (years[0] if years else end), end
    else:
        st.session_state[YEAR_ONE] = st.session_state.get(YEAR_TO, years[-1] if years else None)


def year_text(start: int | None, end: int | None) -> str:
    """2023年 or 2022–2024年 ("" when no year)."""
    if start is None:
        return ""
    return f"{start}年" if start == end else f"{start}–{end}年"


def _year_widgets(years: list[int]) -> tuple[int, int]:
    """年度: a list of years (the latest first, chosen by default); 年度区间
    shows 从/到 instead. The choice is written to ?year= (one or two values)."""
    if len(years) == 1:
        st.caption(f"年度：{years[0]}年（库中只有这一年）")
        return years[0], years[0]
    for key in (YEAR_ONE, YEAR_FROM, YEAR_TO):
        if st.session_state.get(key) not in years:
            st.session_state.pop(key, None)  # a year that left the database
    span = st.toggle("年度区间", key=YEAR_RANGE, on_change=_range_toggled,
                     help="打开后可选择起止年度；关闭时只看一个年度。总览比较区间末年与上一年。")
    label = lambda y: f"{y}年"  # noqa: E731
    if not span:
        start = end = st.selectbox("年度", years[::-1], key=YEAR_ONE, format_func=label)
    else:
        c_from, c_to = st.columns(2)
        start = c_from.selectbox("从", years, index=0, key=YEAR_FROM, format_func=label)
        end = c_to.selectbox("到", years, index=len(years) - 1, key=YEAR_TO, format_func=label)
        start, end = min(start, end), max(start, end)
    want = [str(start)] if start == end else [str(start), str(end)]
    if st.query_params.get_all(KEYS["year"]) != want:
        st.query_params[KEYS["year"]] = want
    st.session_state[_YEAR_URL] = tuple(want)
    return int(start), int(end)


def _option_links(key: str, what: str, options: dict[str, str], fallback: str) -> list[str]:
    """A URL value that is neither an option's label (what the widget writes)
    nor its internal value; an internal value is accepted as the label."""
    given = st.query_params.get_all(key)
    unknown = [v for v in given if v not in options and v not in options.values()]
    if not unknown and given and all(v in options for v in given):
        st.session_state[key] = given[-1]
    return [link_notice(what, unknown, fallback)] if unknown else []


def check_link(key: str, what: str, options, fallback: str = "已显示默认选项") -> None:
    """Before a page draws its widget bound to ?key=: a value in the link that
    is none of the widget's options (Streamlit drops it silently) is said in one
    line on the page."""
    from ui.components import link_warning

    given = st.query_params.get_all(key)
    unknown = [v for v in given if v not in {str(o) for o in options}]
    if unknown:
        link_warning(link_notice(what, unknown, fallback))


def link_notices() -> list[str]:
    """The lines about this view's link that were not understood."""
    given_for, lines = st.session_state.get(_NOTICES, (None, []))
    return lines if given_for == current() else []


def current() -> Filters:
    """The filters as drawn by the last sidebar() of this run."""
    return st.session_state.get(_STATE, Filters())


def _reset() -> None:
    for key in ("unit", "sector"):
        st.session_state[key] = []
    st.session_state[UNIT_SEARCH] = ""
    st.session_state["data"] = "all"
    years = st.session_state.get("_years_available") or []
    if years:
        st.session_state[YEAR_RANGE] = False
        st.session_state[YEAR_ONE] = years[-1]


def sidebar(status: data.DbStatus) -> Filters:
    """Draw the filters in the sidebar and remember them for the pages."""
    if not status.ok:
        st.session_state[_STATE] = Filters()
        return Filters()
    years = sorted(status.years)
    st.session_state["_years_available"] = years
    notices = _year_links(years)
    with st.sidebar:
        st.subheader("筛选", anchor=False)
        start, end = _year_widgets(years)
        to_label, to_id = unit_names()
        unknown = fix_unit_links(KEYS["unit"], many=True)
        if unknown:
            notices.append(link_notice("单位", unknown, "已显示全部单位"))
        options = list(to_id)
        if many_units(to_id):  # search first: the options sent are the chosen and the best matches
            chosen = st.session_state.get(KEYS["unit"]) or st.query_params.get_all(KEYS["unit"])
            options = search_first_options(UNIT_SEARCH, list(chosen), to_id)
        chosen_units = st.multiselect(
            "单位", options=options, key=KEYS["unit"], bind="query-params", placeholder="全部单位",
        )
        chosen_units = [to_id[label] for label in chosen_units if label in to_id]
        sectors = sorted(data.run("units")["sector"].dropna().unique())
        unknown = [v for v in st.query_params.get_all(KEYS["sector"]) if v not in sectors]
        if unknown:
            notices.append(link_notice("行业", unknown, "已显示全部行业"))
        notices += _option_links(KEYS["data"], "数据来源", DATA_KINDS, "已显示全部数据")
        from ui.components import apply_sector_click

        apply_sector_click()  # a sector clicked in a chart (ui.components.chart(cross=...))
        chosen_sectors = st.multiselect(
            "行业/类型", options=sectors, key=KEYS["sector"], bind="query-params", placeholder="全部行业",
        )
        kind = st.segmented_control(
            "数据来源", options=list(DATA_KINDS), format_func=DATA_KINDS.get, default="all",
            key=KEYS["data"], bind="query-params", required=True,
            help="演示数据是生成的示例报告，不是真实上报的数据。",
        )
        st.button("清除筛选", on_click=_reset, icon=":material/filter_alt_off:", type="tertiary")
        st.caption(f"库中共 {status.reports} 份报告（真实 {status.real}，演示 {status.demo}）")
    filters = Filters(
        year_from=int(start), year_to=int(end), units=tuple(chosen_units), sectors=tuple(chosen_sectors),
        data_kind=kind or "all", all_years=tuple(years),
    )
    st.session_state[_STATE] = filters
    if notices:
        st.session_state[_NOTICES] = (filters, notices)
    elif st.session_state.get(_NOTICES, (None,))[0] != filters:
        st.session_state.pop(_NOTICES, None)  # the filters changed since: the lines are history
    return filters
