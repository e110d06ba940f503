"""What every page draws the same way: tables and charts with their download
buttons, drill-down to 单位详情, demo labels and empty states.

A table or chart is shown from a query's DataFrame; `display_frame` turns it
into exactly what the user sees (Chinese headers from `queries.labels`, demo
flags as 演示/真实, channel codes in Chinese, internal ids dropped), and the
下载CSV / 下载Excel buttons serve that same frame, so a download holds exactly
the rows and columns on screen. CSV is UTF-8 with a BOM so Excel opens it.

Text that comes from a document (a unit's name, its narrative, a file name, a
reading warning) is never drawn as Markdown or HTML: `plain()` makes it literal
for Streamlit's Markdown places (titles, captions, labels, options, metric
values), `text()` draws longer text with st.text, `chart()` escapes the
figure's data strings for plotly's own HTML, and the downloads keep a
spreadsheet from taking a cell for a formula.
"""
from __future__ import annotations

import io
import re
from typing import Any, Iterable

import numpy as np

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

import queries
from ui import style

UNIT_PAGE = "pages/unit_detail.py"
UNIT_PARAM = "u"
OPEN_UNIT = "_open_unit"  # session key: the unit label a drill-down asks 单位详情 to show
DEMO_TEXT = "演示数据"
KIND_COLUMN = "数据类别"
SHOW_ALL_ROWS = 20  # tables up to this many rows are shown whole
# At most this many rows go to the browser (a year of a province is 10,000 units: megabytes per view);
# the downloads hold every row, in the order chosen.
SCREEN_ROWS = 300
CHART_POINTS = 2000  # a chart of one point per unit draws at most this many (sample_points)
# Columns that identify rows for the program, not for the reader.
HIDDEN = ("unit_id", "unit_key", "report_id", "sha256", "line_no", "is_demo")
EXTRA_LABELS = {
    "is_demo": KIND_COLUMN,
    "channel_name": "渠道",
    "ranking_grade": "等次",  # with_ranking_context
    "vs_last_year": "较上年",
}


# ---------------------------------------------------------------------------
# Document text as text

# Markdown, HTML, KaTeX and Streamlit's directive specials, escaped wherever they stand
_INLINE = re.compile(r"([\\`*_\[\]<>$|~:!&{}^#@])")
# what only means something at the start of a line: lists, quotes, headings, rules
_LINE_START = re.compile(r"(?m)^(\s*)(?:([-+=>])|(\d+)([.)]))")
# GFM turns bare addresses into links after parsing, whatever the escapes: a word
# joiner (U+2060, invisible) keeps "http://", "www." and "a@b.c" from being recognised
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(?=\\://)|(?<=mailto)(?=\\:)|(?<=xmpp)(?=\\:)|(?<=www)(?=\.)|(?=\\@)"
                       # and Streamlit's icons (":material/home:") whatever the escapes
                       r"|(?<=\\:)(?=[a-z])")
WORD_JOINER = "\u2060"


def plain(value: Any) -> str:
    """`value` as literal text in any Streamlit place that reads Markdown
    (st.markdown/caption/header, widget labels and options, metric values,
    expander and tab labels): the specials are backslash-escaped, so an
    image, link, colour, KaTeX or HTML tag in a document shows as the
    characters it is. Line breaks are kept. Blank -> ""."""
    if value is None or style.is_blank(value):
        return ""
    out = _INLINE.sub(r"\\\1", str(value))
    out = _LINE_START.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
                          out)
    out = _AUTOLINK.sub(WORD_JOINER, out)
    return out.replace("\r\n", "\n").replace("\n", "  \n")


def text(value: Any, where=st, blank: str = "（报告未填写）") -> None:
    """Longer document text (a narrative section, goals, completion): st.text
    shows it as written, lines kept, nothing interpreted."""
    where.text(blank if value is None or style.is_blank(value) or not str(value).strip() else str(value))


def _plot_plain(value: Any) -> Any:
    """A figure value with plotly's pseudo-HTML specials escaped in its strings."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, np.ndarray):
        return np.vectorize(_plot_plain, otypes=[object])(value) if value.dtype.kind in "OUS" and value.size else value
    if isinstance(value, (list, tuple)):
        return type(value)(_plot_plain(v) for v in value)
    return value


_TRACE_TEXT = ("x", "y", "z", "text", "hovertext", "name", "labels", "customdata", "parents", "ids")


def plot_plain(fig: go.Figure) -> go.Figure:
    """A copy of `fig` whose data strings (categories, names, hover texts,
    hover_data) plotly shows as text, not as its <b>/<a>/<br> markup; the
    category orders on the axes are escaped alike so they still match."""
    out = go.Figure(fig)
    for trace in out.data:
        # plotly express writes a series' group values ("单位=<name>") into its hovertemplate
        groups = {trace.name or "", *str(trace.legendgroup or "").split(", ")}
        template = trace.hovertemplate
        if isinstance(template, str):
            for value in sorted((g for g in groups if re.search("[<>&]", g)), key=len, reverse=True):
                template = template.replace(value, _plot_plain(value))
            trace.hovertemplate = template
        if trace.legendgroup:
            trace.legendgroup = _plot_plain(trace.legendgroup)
        for attr in _TRACE_TEXT:
            try:
                value = trace[attr]
            except (KeyError, ValueError):
                continue
            if value is not None:
                trace[attr] = _plot_plain(value)
    for name in out.layout:
        if name.startswith(("xaxis", "yaxis")):
            axis = out.layout[name]
            for attr in ("categoryarray", "ticktext"):
                if axis[attr] is not None:
                    axis[attr] = _plot_plain(axis[attr])
    return out


_NUMBER_LIKE = re.compile(r"^[+-]?[\d.,%\s]*$")


def _no_formula(value: Any) -> Any:
    """A cell a spreadsheet would run ("=HYPERLINK(...)", "@SUM", "+cmd|…")
    gets a leading apostrophe, the usual mark of "this is text"."""
    if isinstance(value, str) and value and (value[0] in "=@\t\r" or (value[0] in "+-" and not _NUMBER_LIKE.match(value))):
        return "'" + value
    return value


# ---------------------------------------------------------------------------
# Frames as shown

def labels_for(name: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {}
    if name:
        try:
            out.update(queries.labels(name))
        except KeyError:
            pass
    out.update(EXTRA_LABELS)  # one name for the demo flag on every page
    out.update(extra or {})
    return out


def display_frame(df: pd.DataFrame, name: str | None = None, *, columns: Iterable[str] | None = None,
                  labels: dict[str, str] | None = None, hide: Iterable[str] = ()) -> pd.DataFrame:
    """The frame as the user sees it: chosen columns in order, Chinese headers,
    demo flag as 数据类别 (演示/真实), yes/no columns as 是/否, channel codes in
    Chinese, lists joined. Blank figures stay blank (NaN/None), never 0."""
    lab = labels_for(name, labels)
    cols = list(columns) if columns is not None else [c for c in df.columns if c not in HIDDEN]
    cols = [c for c in cols if c in df.columns and c not in set(hide)]
    out = df[cols].copy()
    if "is_demo" in df.columns and df["is_demo"].fillna(False).astype(bool).any() and "is_demo" not in out:
        out["is_demo"] = df["is_demo"]
    for col in out.columns:
        if col == "is_demo":
            out[col] = out[col].map(lambda v: "演示" if v is True or v == 1 else "真实")
        elif pd.api.types.is_bool_dtype(out[col].dtype):
            # 是/否 on screen and in the downloads alike (not True/False); blank stays blank
            out[col] = out[col].astype(object).map(lambda v: None if style.is_blank(v) else ("是" if v else "否"))
        elif col == "channel":
            out[col] = out[col].map(lambda v: style.CHANNEL_LABELS.get(v, v))
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return out.rename(columns={c: lab.get(c, c) for c in out.columns})


def tidy_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as a reader writes them: money, rates and scores rounded to two
    decimals (no 232.16000000000003), counts whole (56, not 56.0); blank stays blank."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        known = values.dropna()
        if style.column_format(str(col), str(col)) is None and len(known) and (known == known.round()).all():
            out[col] = values.round().astype("Int64")
        else:
            out[col] = values.round(2)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel reads Chinese correctly); blank cells stay empty;
    text that would start a formula is marked as text; numbers tidy (tidy_numbers)."""
    safe = tidy_numbers(frame)
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col].dtype):
            safe[col] = safe[col].map(_no_formula)
    safe.columns = [_no_formula(c) for c in safe.columns]
    return safe.to_csv(index=False, float_format="%.2f").encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "数据") -> bytes:
    buf = io.BytesIO()
    frame = tidy_numbers(frame)
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
        ws = writer.sheets[sheet[:31]]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl reads "=…" as a formula: the document's text stays text
                    cell.data_type = "s"
        for i, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) * 1.6 + 2
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width)
    return buf.getvalue()


def file_stem(title: str) -> str:
    """Download file name: the title plus the year filter, no path characters."""
    from ui.filters import current

    f = current()
    years = ""
    if f.year_from and f.year_to:
        years = f"_{f.year_from}" if f.year_from == f.year_to else f"_{f.year_from}-{f.year_to}"
    return f"{safe_file_name(title, '数据')}{years}"


def safe_file_name(name: Any, blank: str = "文件") -> str:
    """A download's file name without path or markup characters (a document may name itself anything)."""
    safe = "".join(ch for ch in str(name or "") if ch not in '\\/:*?"<>|' and ch.isprintable()).strip()
    return safe or blank


AS_OF_COLUMN = "数据截至"


def stamped(frame: pd.DataFrame, as_of: str | None) -> pd.DataFrame:
    """`frame` with a last column 数据截至 (the latest load time, the same on every row): Excel shows
    it beside the figures and the file still reads back as one table (no line above the header)."""
    if not as_of or AS_OF_COLUMN in frame.columns:
        return frame
    return frame.assign(**{AS_OF_COLUMN: as_of})


def downloads(frame: pd.DataFrame, key: str, title: str, xlsx: bool = True) -> None:
    """下载CSV (and 下载Excel) of exactly `frame`, stamped with 数据截至 (stamped). Both files are
    made only when their button is clicked (a callable `data`): a view of a 10,000-row table does not
    build and keep megabytes of CSV in every session for a download nobody asks for (issue #14)."""
    from ui import data

    frame = stamped(frame, data.data_as_of())
    stem = file_stem(title)
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "下载CSV", lambda: csv_bytes(frame), file_name=f"{stem}.csv", mime="text/csv",
        key=f"{key}__csv", icon=":material/download:", on_click="ignore",
    )
    if xlsx:  # openpyxl is slow on big tables, too
        row.download_button(
            "下载Excel", lambda: xlsx_bytes(frame, title), file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}__xlsx", icon=":material/table_view:", on_click="ignore",
        )


def _column_config(frame: pd.DataFrame, source: pd.DataFrame, name: str | None,
                   labels: dict[str, str] | None, number_format: str | None = None) -> dict:
    lab = labels_for(name, labels)
    back = {v: k for k, v in lab.items()}
    config: dict[str, Any] = {}
    for col in frame.columns:
        raw = back.get(col, col)
        if raw in source.columns and pd.api.types.is_float_dtype(source[raw]):
            fmt = style.column_format(raw, str(col)) or number_format
            if fmt:
                config[col] = st.column_config.NumberColumn(col, format=fmt)
    return config


# ---------------------------------------------------------------------------
# Tables and charts

def has_demo(df: pd.DataFrame | None) -> bool:
    return df is not None and "is_demo" in df.columns and bool(df["is_demo"].fillna(False).astype(bool).any())


def demo_note(df: pd.DataFrame | None) -> None:
    """A visible label whenever demo rows are part of what is shown."""
    if has_demo(df):
        all_demo = bool(df["is_demo"].fillna(False).astype(bool).all())
        # a row of a summary is flagged when any report behind it is demo: "every row includes demo data",
        # not "everything is demo" (a year holding one real report beside the demo district)
        text = "以下各行均含演示数据（非真实报告）" if all_demo else "以下含演示数据（「数据类别」列标为演示）"
        st.caption(f":orange-badge[:material/science: {DEMO_TEXT}] {text}")


def table(df: pd.DataFrame | None, name: str | None, key: str, *, title: str | None = None,
          columns: Iterable[str] | None = None, labels: dict[str, str] | None = None,
          hide: Iterable[str] = (), drill: bool = False, height: int | str = "auto",
          empty: str = "没有符合当前筛选条件的数据。", xlsx: bool = True,
          number_format: str | None = None, wrap: bool = False,
          badges: dict[str, dict[str, str]] | None = None) -> pd.DataFrame | None:
    """A table with its downloads. drill=True: clicking a row opens that
    unit's 单位详情 (the frame needs a unit_id column). number_format: printf
    format for decimal columns the labels do not already format (e.g. "%.2f"
    for a table of 万元 amounts). wrap=True: every cell shown whole, long text
    wrapped over lines (st.table; no row selection), and `badges` colours the
    values of a column ({"达成": {"达成": "green", …}}). Returns the shown frame."""
    if df is None:
        return None
    if df.empty:
        st.info(empty, icon=":material/filter_alt_off:")
        return None
    title = title or (queries.get(name).title if name else "数据")
    df = df.reset_index(drop=True)
    shown = tidy_numbers(display_frame(df, name, columns=columns, labels=labels, hide=hide))
    demo_note(df)
    if len(shown) > 1:  # our own 排序 (Streamlit's column menu is English and hidden): downloads keep it
        order = sort_choice(shown, key)
        if order is not None:
            shown, df = shown.loc[order], df.loc[order].reset_index(drop=True)
            shown = shown.reset_index(drop=True)
    can_drill = drill and "unit_id" in df.columns and not wrap
    on_screen = shown.head(SCREEN_ROWS)
    if len(shown) > SCREEN_ROWS:
        st.caption(f"共 {len(shown):,} 行，按当前排序显示前 {SCREEN_ROWS} 行；下载CSV/Excel 含全部 {len(shown):,} 行。")
    if wrap:
        st.table(wrapped_cells(on_screen, df, name, labels, number_format, badges), hide_index=True,
                 border="horizontal")
        downloads(shown, key, title, xlsx=xlsx)
        return shown
    if height == "auto" and len(shown) <= SHOW_ALL_ROWS:
        height = "content"  # a short table whole, rather than ten rows and a scroll bar for the rest
    event = st.dataframe(
        on_screen, hide_index=True, height=height, key=key,
        column_config=_column_config(on_screen, df, name, labels, number_format),
        on_select="rerun" if can_drill else "ignore",
        selection_mode="single-row", placeholder="—",
    )
    if can_drill:
        st.caption("点击行首的选择框可查看该单位详情。")
        rows = event.selection.rows if event is not None else []
        if rows:
            open_unit(df.iloc[rows[0]]["unit_id"])
    downloads(shown, key, title, xlsx=xlsx)
    return shown


def _formatted(value: Any, fmt: str | None) -> str:
    if fmt == style.MONEY_FORMAT:
        return f"{value:,.2f}"
    return fmt % value if fmt else style.num(value, 2 if float(value) != round(float(value)) else 0)


def wrapped_cells(shown: pd.DataFrame, source: pd.DataFrame, name: str | None, labels: dict[str, str] | None,
                  number_format: str | None = None, badges: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """The shown frame as the Markdown cells of st.table: document text literal
    (plain), numbers formatted as in st.dataframe, blank as —, and the values
    of a `badges` column as coloured badges (our own words only)."""
    formats = {col: cfg.get("type_config", {}).get("format") if isinstance(cfg, dict) else None
               for col, cfg in _column_config(shown, source, name, labels, number_format).items()}
    out = pd.DataFrame(index=shown.index)
    for col in shown.columns:
        colours = (badges or {}).get(col, {})
        cells = []
        for v in shown[col]:
            if style.is_blank(v):
                cells.append("—")
            elif v in colours:
                cells.append(f":{colours[v]}-badge[{v}]")
            elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                cells.append(_formatted(v, formats.get(col)))
            else:
                cells.append(plain(v))
        out[plain(col)] = cells
    return out


ATTAINMENT = "attainment"  # the column with_attainment adds
ATTAINMENT_LABEL = "达成"
ATTAINMENT_COLOURS = {"达成": "green", "未达成": "red", "无法判断": "gray"}


def with_attainment(indicators: pd.DataFrame) -> pd.DataFrame:
    """unit_indicators' rows with 达成 / 未达成 / 无法判断 from 目标值 and 完成情况 (etl.attainment)."""
    from etl import attainment

    out = indicators.copy()
    out[ATTAINMENT] = [attainment.judge(t, a) for t, a in zip(out["target_text"], out["actual_text"])]
    return out


def attainment_badges(indicators: pd.DataFrame) -> str:
    """:green-badge[达成 12 项] :red-badge[未达成 2 项] :gray-badge[无法判断 5 项]."""
    from etl import attainment

    found = attainment.counts(indicators[ATTAINMENT])
    return " ".join(f":{ATTAINMENT_COLOURS[k]}-badge[{k} {n} 项]" for k, n in found.items())


def arrow(value: Any, before: Any) -> str:
    """"↑" / "↓" of a figure against the year before; "" when equal or either is blank."""
    if style.is_blank(value) or before is None or style.is_blank(before) or value == before:
        return ""
    return "↑" if value > before else "↓"


def change_text(value: Any, before: Any, text) -> str | None:
    """"↑ 2.50 个百分点" (text formats the size of the change), "持平", or None when either is blank."""
    if style.is_blank(value) or before is None or style.is_blank(before):
        return None
    return arrow(value, before) + " " + text(abs(float(value) - float(before))) if value != before else "持平"


def with_ranking_context(df: pd.DataFrame, value: str, text, grades: pd.DataFrame | None,
                         before: pd.DataFrame | None) -> pd.DataFrame:
    """A ranking's rows with 等次 (ranking_grade: the grade each report declares, from implied_grade's
    rows `grades`, by report or else by unit) and 较上年 (vs_last_year: `value` against the same query's
    rows of the year before, `before`, by unit; a unit's two reports in a year averaged)."""
    out = df.copy()
    if grades is not None and not grades.empty:
        by_report = "report_id" in out.columns and "report_id" in grades.columns
        keys = "report_id" if by_report else "unit_id"
        named = grades.dropna(subset=["grade"]).groupby(keys)["grade"].agg(lambda g: "、".join(dict.fromkeys(map(str, g))))
        out["ranking_grade"] = out[keys].map(named)
    else:
        out["ranking_grade"] = None
    prior = (before.groupby("unit_id")[value].mean() if before is not None and not before.empty and value in before
             else pd.Series(dtype=float))
    out["vs_last_year"] = [change_text(v, prior.get(u), text) for u, v in zip(out["unit_id"], out[value])]
    return out


SORT_DEFAULT = "默认顺序"


def sort_choice(shown: pd.DataFrame, key: str) -> pd.Index | None:
    """A 排序 list over the table (each column 升序/降序; blanks last); the row
    order chosen, or None for the table's own order."""
    options = [SORT_DEFAULT] + [f"{c} {way}" for c in shown.columns for way in ("降序", "升序")]
    chosen = st.selectbox("排序", options, key=f"{key}__sort", width=280, format_func=plain)
    if chosen == SORT_DEFAULT or chosen is None:
        return None
    column, way = chosen.rsplit(" ", 1)
    return shown.sort_values(column, ascending=way == "升序", na_position="last", kind="stable").index


def hide_english_toolbars() -> None:
    """Streamlit's table toolbar (Show/hide columns, Download as CSV, Search,
    Fullscreen) and column menu (Sort ascending, Pin column, Autosize) are in
    English with no option to translate them: hidden, as every table has its
    own 排序, 下载CSV and 下载Excel in Chinese."""
    st.html(f"<style>{style.PAGE_CSS}</style>")
    st.html("""<style>
    [data-testid="stElementToolbar"], [data-testid="stDataFrameColumnMenu"],
    [data-testid="stDataFrameColumnVisibilityMenu"], [data-testid="stDataFrameColumnFormattingMenu"] {
        display: none !important; }
    </style>""")


# Streamlit's own English words that can reach the screen -> the Chinese shown instead (ENGLISH_WORDS
# lists them for the browser test); matched on a whole text node, "N" standing for a number
CHINESE = {
    "No results": "没有匹配项",
    "Select all": "全选",
    "Select N matches": "选择全部 N 个匹配项",
    "Page not found": "找不到页面",
    "Skip to main content": "跳到正文",  # the keyboard's first stop on every page
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show data": "查看数据",
    "You have requested page /P, but no corresponding file was found in the app's pages/ directory. "
    "Running the app's main page.": "链接中的页面不存在，已打开总览。",
    "The page that you have requested does not seem to exist. Running the app's main page.":
        "链接中的页面不存在，已打开总览。",
}
ENGLISH_WORDS = ("Sort ascending", "Sort descending", "Pin column", "Autosize", "Show/hide columns",
                 "Download as CSV", "Search", "Fullscreen", "Select all", "matches", "No results",
                 "Page not found", "Running the app", "Clear", "Close", "options", "Skip to main content",
                 "Choose an option")


def chinese_everywhere() -> None:
    """Put Chinese in place of the English Streamlit writes without an option
    to change it (a dropdown's "No results", a multiselect's "Select all", the
    "Page not found" dialog of an unknown address): a small script in the page
    rewrites those text nodes whenever they appear."""
    import json

    rules = [[re.escape(en).replace("N", r"(\d+)", 1 if " N " in en else 0).replace("/P", "/(.*)"), zh.replace("N", "$1")
              if " N " in en else zh] for en, zh in CHINESE.items()]
    st.html(f"""<script>
    (() => {{
      if (window.__zhTexts) return;
      const rules = {json.dumps(rules, ensure_ascii=False)}.map(([re, zh]) => [new RegExp("^" + re + "$"), zh]);
      const fix = (root) => {{
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {{
          const text = node.nodeValue.trim();
          if (!text || text.length > 300 || /[\u4e00-\u9fff]/.test(text)) continue;
          for (const [re, zh] of rules) if (re.test(text)) {{ node.nodeValue = text.replace(re, zh); break; }}
        }}
      }};
      window.__zhTexts = new MutationObserver((changes) => changes.forEach((c) =>
        c.type === "characterData" ? fix(c.target.parentNode || document.body) : c.addedNodes.forEach((n) => fix(n.nodeType === 3 ? n.parentNode : n))));
      window.__zhTexts.observe(document.body, {{childList: true, subtree: true, characterData: true}});
      fix(document.body);
    }})();
    </script>""", unsafe_allow_javascript=True)


def chart(fig: go.Figure, data: pd.DataFrame, name: str | None, key: str, *, title: str | None = None,
          columns: Iterable[str] | None = None, labels: dict[str, str] | None = None,
          drill: bool = False, height: int | None = None, cross: str | None = None) -> None:
    """A plotly chart in the house style, with 下载CSV of the rows it draws.
    drill=True: clicking a point whose customdata[0] is a unit_id opens 单位详情.
    cross: the cross-filter a click sets (SECTOR_FILTER, or a page's own key such
    as "cp_channel"): the clicked point's customdata[0] is the value (cross_pick)."""
    drill = drill and not cross
    fig.update_layout(template=style.TEMPLATE)
    if fig.layout.title and fig.layout.title.text:
        fig.update_layout(title_text=style.wrap_title(fig.layout.title.text))
    if sum(1 for t in fig.data if t.showlegend is not False and t.name) > 4:
        # Many series: a legend column on the right instead of rows over the title.
        fig.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"))
    if height:
        fig.update_layout(height=height)
    if drill or cross:
        fig.update_layout(clickmode="event+select")
    event = st.plotly_chart(
        plot_plain(fig), theme=None, key=key, width="stretch",
        on_select="rerun" if drill or cross else "ignore",
        selection_mode="points",
        config=style.PLOTLY_CONFIG,
    )
    if drill and event is not None:
        unit = clicked_unit(fig, event)
        if unit:
            open_unit(unit)
    if cross and event is not None:
        cross_pick(cross, key, clicked_unit(fig, event))
    shown = display_frame(data, name, columns=columns, labels=labels)
    title = title or (fig.layout.title.text if fig.layout.title and fig.layout.title.text else "图表数据")
    downloads(shown, key, title, xlsx=False)


def sample_points(df: pd.DataFrame, keep: pd.Series | None = None,
                  limit: int | None = None) -> tuple[pd.DataFrame, str | None]:
    """The rows a one-point-per-unit chart draws: all of them up to `limit` (CHART_POINTS), else every
    row `keep` marks (e.g. those with a signal) and a fixed random sample of the rest, with the note
    that says so. The chart's 下载CSV still holds every row."""
    limit = CHART_POINTS if limit is None else limit
    if len(df) <= limit:
        return df, None
    kept = df[keep.reindex(df.index, fill_value=False).astype(bool)] if keep is not None else df.iloc[:0]
    rest = df.drop(kept.index)
    drawn = pd.concat([kept, rest.sample(max(limit - len(kept), 0), random_state=0)]).sort_index()
    marked = f"（含全部 {len(kept):,} 个有信号的点）" if keep is not None and len(kept) else ""
    return drawn, (f"共 {len(df):,} 个点，图中随机画出 {len(drawn):,} 个{marked}，分布形状不变；"
                   f"图下的下载CSV含全部 {len(df):,} 个。")


def clicked_unit(fig: go.Figure, event: Any) -> str | None:
    """The unit_id of the first clicked point: from the figure's own customdata
    (looked up by trace and point index), so it does not depend on what the
    browser sends back."""
    try:
        points = event.selection.points
    except AttributeError:
        return None
    for point in points or []:
        curve, index = point.get("curve_number"), point.get("point_index", point.get("point_number"))
        try:
            custom = fig.data[curve].customdata[index]
        except (TypeError, IndexError, KeyError, AttributeError):
            custom = point.get("customdata")  # a figure without customdata arrays: what the browser sent
        if custom is not None and not isinstance(custom, str):
            custom = custom[0] if len(custom) else None
        if custom is not None and str(custom):
            return str(custom)
    return None


# ---------------------------------------------------------------------------
# Cross-filters: a click on a sector or a channel in a chart filters the page

SECTOR_FILTER = "sector"  # the sidebar's 行业 (ui.filters.KEYS["sector"]): a click on a sector sets it
SECTOR_PENDING = "_xf_sector_pending"  # the clicked sector, put into the sidebar's widget before it is drawn
SECTOR_CLICKED = "_xf_sector"  # the sector a click set (its note stays while the sidebar holds just it)
_SEEN = "_xf_seen"  # chart key -> the value its selection already applied


def new_click(chart_key: str, value: str | None) -> bool:
    """True once per new click: a chart keeps its selection over reruns, so the
    value it already applied (and that 清除 may have cleared since) is not applied again."""
    seen = st.session_state.setdefault(_SEEN, {})
    if value is None:
        seen.pop(chart_key, None)  # nothing selected any more: the next click counts
        return False
    if seen.get(chart_key) == value:
        return False
    seen[chart_key] = value
    return True


def cross_pick(cross: str, chart_key: str, value: str | None) -> None:
    """Apply a chart's click to its cross-filter and rerun, so the page draws filtered from its top."""
    if not new_click(chart_key, value):
        return
    if cross == SECTOR_FILTER:
        st.session_state[SECTOR_PENDING] = value
    else:
        st.session_state[cross] = value
    st.rerun()


def apply_sector_click() -> None:
    """Before the sidebar draws 行业: a sector clicked in a chart becomes its one choice."""
    value = st.session_state.pop(SECTOR_PENDING, None)
    if value is not None:
        st.session_state[SECTOR_FILTER] = [value]
        st.session_state[SECTOR_CLICKED] = value


def _clear_sector() -> None:
    st.session_state[SECTOR_FILTER] = []
    st.session_state.pop(SECTOR_CLICKED, None)


def cross_note(what: str, value: str, shown: str | None, clear, key: str) -> None:
    """已按行业「教育」筛选 and a 清除 button."""
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.markdown(f":blue-badge[:material/filter_alt: 已按{what}「{plain(shown or value)}」筛选]"
                 "（在图中点击所设）")
    row.button("清除", on_click=clear, key=key, icon=":material/close:", type="tertiary")


def sector_note() -> None:
    """The note of a sector set by a click, while the sidebar holds just that sector."""
    from ui.filters import current

    clicked = st.session_state.get(SECTOR_CLICKED)
    if clicked is None:
        return
    if current().sectors != (clicked,):
        st.session_state.pop(SECTOR_CLICKED, None)  # changed in the sidebar since: not a click's filter any more
        return
    cross_note("行业", clicked, None, _clear_sector, "xf_sector_clear")


def page_cross(key: str, what: str, names: dict[str, str] | None = None) -> str | None:
    """A page's own cross-filter (e.g. 渠道 on 投诉分析): its value, with the note and 清除 drawn
    when set; names: value -> the label shown."""
    value = st.session_state.get(key)
    if value is None:
        return None
    cross_note(what, value, (names or {}).get(value), lambda: st.session_state.pop(key, None), f"{key}__clear")
    return value


def is_open(tab) -> bool:
    """Whether a tab of st.tabs(..., key=, bind="query-params") is the one shown: only that tab is
    computed and sent (a hidden tab's queries, tables and charts cost the first open of a page
    its time). A tab whose container tracks no state (.open None) counts as open."""
    return getattr(tab, "open", None) is not False


def open_unit(unit_id: str) -> None:
    """Go to 单位详情 for `unit_id`, keeping the sidebar filters (the URL
    names the unit by its label, as the page's bound selectbox expects)."""
    from ui.filters import unit_names

    to_label, _ = unit_names()
    label = to_label.get(str(unit_id), str(unit_id))
    # handed over in session state too: 单位详情 applies it to its selectbox before drawing it
    st.session_state[OPEN_UNIT] = label
    try:
        st.switch_page(UNIT_PAGE, query_params={UNIT_PARAM: label})
    except StreamlitAPIException:
        # already on 单位详情 (its own unit list), where "u" is bound to the selectbox and
        # cannot be set from here: a rerun shows the handed-over unit
        st.rerun()


# ---------------------------------------------------------------------------
# Headings and states

def no_change(delta: str | None) -> bool:
    """A change that is zero as written: "+0 个", "-0.00%", but not "+0.05%"."""
    return bool(delta) and re.match(r"^[+-]?0(\.0+)?(?![\d.])", delta) is not None


def metric(col, label: str, value: str, delta: str | None = None, help: str | None = None,
           delta_color: str = "normal", trend: list | None = None, delta_description: str | None = None) -> None:
    """A bordered st.metric; `trend` draws a small line of the figure over the years (inline SVG,
    ui.svg: Streamlit's own chart_data line costs the browser 0.8 MB of Vega script on a cold open).
    `value` is drawn as Markdown by Streamlit: pass document text through plain()."""
    from ui import svg

    line = svg.sparkline(trend, f"{label}历年走势") if trend is not None else ""
    arrow = "auto"
    if no_change(delta):  # grey and without the green up-arrow Streamlit gives "+0.00"
        delta, delta_color, arrow = delta.lstrip("+-"), "off", "off"
    box = col.container(border=True) if line else col
    box.metric(label, value, delta=delta, help=help, delta_color=delta_color, border=not line,
               delta_description=delta_description, delta_arrow=arrow)
    if line:
        box.markdown(line, unsafe_allow_html=True)


def nothing_matches() -> None:
    """The empty state of a filtered view, naming the years that do hold data
    for the other filters (e.g. the only real reports are of 2022)."""
    from ui import data
    from ui.filters import current

    f = current()
    hint = ""
    try:
        years = data.run("years", units=list(f.units) or None, sectors=list(f.sectors) or None,
                         data_kind=None if f.data_kind == "all" else f.data_kind)
    except data.DataError:
        years = None
    if years is not None and f.year_from is not None:
        found = [int(y) for y in years["fiscal_year"]]
        if found and not any(f.year_from <= y <= f.year_to for y in found):
            hint = f"符合其余筛选条件的报告在：{'、'.join(f'{y}年' for y in found)}。"
        elif not found and (f.units or f.sectors or f.data_kind != "all"):
            hint = "库中没有符合单位、行业或数据来源筛选的报告。"
    st.info(f"没有符合当前筛选条件的数据。{hint}请在左侧放宽年度、单位、行业或数据来源筛选。",
            icon=":material/filter_alt_off:")


def no_database(status) -> None:
    """The empty state of a page when no report has been loaded yet."""
    from ui.data import LOAD_HINT

    if status.kind == "error":
        st.error(status.message, icon=":material/error:")
        return
    what = "还没有数据库文件" if status.kind == "missing" else "数据库中还没有任何报告"
    st.info(
        f"**{what}**（{status.path}）。\n\n"
        f"导入报告的两种方式：\n"
        f"1. 在左侧「导入报告」页上传 .docx/.doc/.pdf/.txt 文件或 .zip 压缩包；\n"
        f"2. 在项目目录运行命令 `{LOAD_HINT}`（可为文件夹、单个文件或 .zip）。\n\n"
        f"想先看看效果：运行 `python -m etl demo --out data/demo` 再 `python -m etl load data/demo` 载入演示数据。",
        icon=":material/database:",
    )


def _through_app() -> None:
    """Make sure the page runs inside app.py's frame.

    On a fresh server, Streamlit decides on the first request whether the app
    uses the old pages/ auto-discovery (because a pages/ folder exists) and
    only learns otherwise when app.py calls st.navigation. A first request for
    a page's own URL (a bookmarked /compare) would run pages/compare.py bare,
    without the sidebar filters. Turn that mode off and rerun: the page keeps
    its URL, whose hash st.navigation's page of the same url_path shares."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_start(title: str, intro: str | None = None, needs_data: bool = True, show_filters: bool = True):
    """Title, the filter line and the demo banner; stops the page with the
    empty state when there is nothing loaded yet. Returns the filters."""
    from ui import data
    from ui.filters import current, year_text

    _through_app()
    hide_english_toolbars()
    chinese_everywhere()
    slot = st.empty()
    st.session_state[_HEADING] = (title, slot)
    slot.title(title, anchor=False)
    if intro:
        st.caption(intro)
    status = data.status()
    if needs_data and not status.ok:
        no_database(status)
        st.stop()
    f = current()
    if status.ok and show_filters:
        heading_years(year_text(f.year_from, f.year_to))
        line = f"当前筛选：{plain(f.describe())}"
        if f.data_kind == "demo":
            line += f"　:orange-badge[:material/science: 仅{DEMO_TEXT}]"
        elif status.demo and f.data_kind == "all":
            line += f"　:orange-badge[:material/science: 库中含{DEMO_TEXT}]（表格「数据类别」列标出；与真实数据同在一图时，演示数据为灰色）"
        st.caption(line)
    if status.ok and show_filters:
        sector_note()
    if status.ok:
        from ui.filters import link_notices

        for notice in link_notices():
            link_warning(notice)
    return f


_HEADING = "_page_heading"  # (title, the slot page_start drew it in) of this run's page


def heading_years(years: str) -> None:
    """Say in the page's heading which year(s) it shows: 总览 · 2023年. A page
    showing other years than the sidebar's (a trend over every year, one
    unit's year) calls it again with those."""
    title, slot = st.session_state.get(_HEADING, (None, None))
    if slot is not None:
        slot.title(f"{title} · {years}" if years else title, anchor=False)


FINDING_KINDS = {"不符": "red", "提示": "orange", "信号": "violet"}  # each its own colour everywhere
FINDING_NAMES = {"不符": "勾稽不符", "提示": "核查提示", "信号": "可信度信号"}


def finding_badges(mismatches, notices, signals) -> str:
    """:red-badge[勾稽不符 9 条] :orange-badge[核查提示 99 条] :violet-badge[可信度信号 10 条]."""
    counts = dict(zip(FINDING_KINDS, (mismatches, notices, signals)))
    return " ".join(f":{FINDING_KINDS[k]}-badge[{FINDING_NAMES[k]} {style.num(0 if style.is_blank(v) else v, 0)} 条]"
                    for k, v in counts.items())


def link_warning(line: str) -> None:
    """A link's value that was not understood (ui.filters.link_notice), the value as plain text."""
    st.warning(plain(line), icon=":material/link_off:")


def uploader_in_chinese() -> None:
    """Streamlit's file uploader writes "Upload" and "200MB per file • DOCX…"
    in English, with no option to change them: CSS puts Chinese in their place."""
    limit = st.get_option("server.maxUploadSize")
    st.html(f"""<style>
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
        content: "选择文件"; font-size: 14px; }}
    [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
        content: "或把文件拖到这里；每个文件不超过 {limit}MB"; font-size: 14px; }}
    </style>""")


def kind_labels(df: pd.DataFrame) -> pd.Series:
    """真实/演示 per row, for colouring charts."""
    if "is_demo" not in df.columns:
        return pd.Series("真实", index=df.index)
    return df["is_demo"].fillna(False).astype(bool).map({True: "演示", False: "真实"})


KIND_COLORS = {"真实": style.PALETTE[0], "演示": style.DEMO_COLOR}


def kind_colors(kinds: pd.Series) -> dict[str, str]:
    """Colours for kind_labels(): demo is greyed only beside real data; when a
    chart holds one kind only (the demo district alone), it gets the normal
    colour, as the page's 演示数据 note already says what it is."""
    if kinds.nunique() <= 1:
        return {"真实": style.PALETTE[0], "演示": style.PALETTE[0]}
    return KIND_COLORS
