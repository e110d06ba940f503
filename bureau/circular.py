"""The 通报 (a year's circular on the units' self-evaluations) and the one-unit brief, as Word and PDF.

    data = gather(2024, "岳阳市云溪区", db=path_or_connection)   # frames from the query layer and the bureau store
    to_docx(data) -> bytes;  to_pdf(data) -> bytes
    brief = unit_brief("岳阳市云溪区|125002", db=...);  brief_docx(brief), brief_pdf(brief)

gather() only collects frames (CircularData); everything shown is derived from them here, so a
test can build a CircularData by hand. Figures come from queries/ (circular_reports,
score_distribution, consistency_checks; the unit brief also unit_indicators and
credibility_signals) and from the bureau's own store (bureau.store.current_reviews,
sample_members). Until the store exists, its frames are empty with the contract's columns and
the document says that no 复核 or 抽查 is recorded.

Rules the document states in its notes:
- 等次: the 复核等次 where the report has a current review; else the declared grade filed under
  the band rules (data/grade_rules.csv: "优秀" is 优); a local label (如“三级”) or a blank grade
  takes the band of the self-score.
- A review counts only for the report it reviewed (same sha256); a report replaced since is
  counted on its self-evaluation and listed as 待重新复核.
- Ranking: by the 复核得分 where reviewed, else the 自评得分, high to low; ties share a place;
  reports without a score come last, unranked.
- Means are over the reports that state the figure; blanks are not counted as 0.

Layout and engines: bureau/documents.py (python-docx; PDF = the Word file through
LibreOffice; the chart is the 评分分布 page's figure, ui/figures.py, through kaleido).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import queries
from bureau.documents import PDF_FONTS, WORD_FONTS, Fonts, Writer, chart_png, docx_to_pdf, plain
from ui import figures, style

REVIEW_COLUMNS = ["unit_key", "fiscal_year", "review_score", "review_grade", "review_comment", "reviewer",
                  "reviewed_at", "reviewed_sha256"]
SAMPLE_COLUMNS = ["sample_id", "fiscal_year", "rule", "seed", "drawn_by", "drawn_at", "unit_key", "unit_name",
                  "reason"]
ISSUER = "财政局绩效科"
NO_GRADE = "未定等次"
CIRCULAR_TAIL = "部门整体支出绩效自评情况通报"
BRIEF_TAIL = "部门整体支出绩效情况简报"
GRADE_COLUMNS = 4  # units per row in the closing tables per 等次


def _store():
    """bureau.store, or None while it is not installed on this branch."""
    try:
        from bureau import store
    except ImportError:
        return None
    return store


def _frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    if rows is None or len(rows) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return rows


def reviews_of(years: list[int]) -> tuple[pd.DataFrame, bool]:
    """The current reviews of these years (contract columns) and whether the store exists."""
    store = _store()
    if store is None:
        return _frame(None, REVIEW_COLUMNS), False
    parts = [store.current_reviews(y) for y in years]
    parts = [p for p in parts if p is not None and len(p)]
    return (pd.concat(parts, ignore_index=True) if parts else _frame(None, REVIEW_COLUMNS)), True


def samples_of(year: int) -> pd.DataFrame:
    store = _store()
    return _frame(None if store is None else store.sample_members(year), SAMPLE_COLUMNS)


# ---------------------------------------------------------------------------------------------
# The data

@dataclass
class CircularData:
    """Everything a 通报 shows, as frames.

    reports: circular_reports rows of `year` and the year before; reviews: current_reviews rows
    (REVIEW_COLUMNS) of those years; distribution: score_distribution rows of those years;
    mismatches: consistency_checks rows of severity 不符 of `year`; samples: sample_members rows
    of `year` (SAMPLE_COLUMNS, latest sample first)."""
    year: int
    region: str | None
    reports: pd.DataFrame
    reviews: pd.DataFrame
    distribution: pd.DataFrame
    mismatches: pd.DataFrame
    samples: pd.DataFrame
    store_available: bool = True
    issued: dt.date = field(default_factory=dt.date.today)
    issuer: str = ISSUER
    data_as_of: str | None = None  # the latest successful load, "2026-12-07 10:32", as on 总览
    chart: bytes | None = field(default=None, repr=False, compare=False)  # filled on first use

    @property
    def scope(self) -> str:
        """The region named in the title: the chosen one, else the only one the reports have."""
        if self.region:
            return self.region
        regions = self.reports["region"].dropna().unique() if "region" in self.reports else []
        return str(regions[0]) if len(regions) == 1 else ""

    @property
    def title(self) -> str:
        return f"{self.scope}{self.year}年度{CIRCULAR_TAIL}"

    @property
    def has_demo(self) -> bool:
        return bool(self.reports["is_demo"].fillna(False).astype(bool).any()) if len(self.reports) else False


def gather(year: int, region: str | None = None, db: Any = None, *, data_kind: str | None = None) -> CircularData:
    """The frames of the 通报 for `year` (and `region`). db as for queries.run."""
    years = [year - 1, year]
    reports = queries.run("circular_reports", db, years=years, region=region or None, data_kind=data_kind)
    # a region's distribution: the query's unit filter with that region's units
    units = (sorted(set(reports["unit_id"])) or [""]) if region else None
    distribution = queries.run("score_distribution", db, years=years, units=units, data_kind=data_kind,
                               bin_width=5.0)
    in_year = set(reports.loc[reports["fiscal_year"] == year, "report_id"])
    checks = queries.run("consistency_checks", db, years=[year], severity="不符", data_kind=data_kind)
    checks = checks[checks["report_id"].isin(in_year)].reset_index(drop=True)
    reviews, available = reviews_of(years)
    samples = samples_of(year)
    return CircularData(year, region or None, reports, reviews, distribution, checks, samples, available,
                        data_as_of=data_as_of(db))


def data_as_of(db: Any = None) -> str | None:
    """"2026-12-07 10:32": the latest successful load, which the documents state as the data's date."""
    load = queries.run("load_status", db)
    if load.empty or pd.isna(load.iloc[0]["last_success_at"]):
        return None
    return str(load.iloc[0]["last_success_at"])[:16]


def _dated(w: Writer, issuer: str, issued: dt.date, as_of: str | None) -> None:
    """The issuer and date line under the title, and the date of the data it is drawn from."""
    w.paragraph(f"{issuer}　{issued.year}年{issued.month}月{issued.day}日", center=True, size=11)
    if as_of:
        w.paragraph(f"数据截至：{as_of}", center=True, size=10)


# ---------------------------------------------------------------------------------------------
# What the document shows, derived from the frames

def _self_grade(df: pd.DataFrame) -> pd.Series:
    declared = df["declared_band"].where(df["declared_band"].notna(), None)
    return declared.fillna(df["implied_grade"]).fillna(df["grade"])


def scored(data: CircularData, year: int) -> pd.DataFrame:
    """The reports of `year` with their review: review_score/review_grade/review_comment (only
    a review of the report as it is now), review_stale, final_score, final_grade, grade_source."""
    df = data.reports[data.reports["fiscal_year"] == year].copy()
    rv = data.reviews
    if len(rv):
        rv = rv[rv["fiscal_year"].astype("Int64") == year][["unit_key", "review_score", "review_grade",
                                                            "review_comment", "reviewer", "reviewed_sha256"]]
        df = df.merge(rv.drop_duplicates("unit_key", keep="last"), on="unit_key", how="left")
    else:
        for c in ("review_score", "review_grade", "review_comment", "reviewer", "reviewed_sha256"):
            df[c] = pd.Series(pd.NA, index=df.index, dtype=object)
    reviewed = df["reviewer"].notna() | df["reviewed_sha256"].notna()
    same_file = df["reviewed_sha256"].isna() | (df["reviewed_sha256"].fillna("").astype(str)
                                                == df["sha256"].fillna("").astype(str))
    current = (reviewed & same_file).astype(bool)
    df["review_stale"] = reviewed & ~current
    df["review_score"] = pd.to_numeric(df["review_score"].where(current), errors="coerce")
    df["review_grade"] = df["review_grade"].where(current)
    df["review_comment"] = df["review_comment"].where(current)
    df["final_score"] = df["review_score"].fillna(pd.to_numeric(df["self_score"], errors="coerce"))
    own = _self_grade(df)
    df["final_grade"] = df["review_grade"].where(df["review_grade"].notna(), own).fillna(NO_GRADE)
    df["grade_source"] = current.map({True: "复核", False: "自评"})
    return df


def ranking(data: CircularData) -> pd.DataFrame:
    """scored() of the year in ranking order, with rank (Int64, NA for no score) and the name shown."""
    df = scored(data, data.year)
    df = df.sort_values(["final_score", "self_score", "unit_name", "report_id"],
                        ascending=[False, False, True, True], na_position="last", kind="stable")
    df["rank"] = df["final_score"].rank(method="min", ascending=False).astype("Int64")
    twice = df["unit_id"].duplicated(keep=False)  # a merged unit's two reports: name each as it reported
    df["name"] = df["unit_name"].where(~twice, df["unit_name"] + "（" + df["reported_name"].fillna("") + "）")
    demo_mixed = data.has_demo and not bool(df["is_demo"].fillna(False).astype(bool).all())
    if demo_mixed:
        df.loc[df["is_demo"].fillna(False).astype(bool), "name"] += "（演示）"
    return df.reset_index(drop=True)


def _mean(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.mean()) if len(s) else None


def _total(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.sum()) if len(s) else None


def grades_in(*frames: pd.DataFrame) -> list[str]:
    present = [g for f in frames for g in f["final_grade"] if g != NO_GRADE]
    order = style.grade_order(present)
    return order + ([NO_GRADE] if any((f["final_grade"] == NO_GRADE).any() for f in frames) else [])


def _change(cur: float | None, prev: float | None, digits: int, unit: str = "", pct: bool = False) -> str:
    if cur is None or prev is None:
        return "—"
    text = f"{cur - prev:+,.{digits}f}{unit}"
    if pct and prev:
        text += f"（{(cur - prev) / prev * 100:+.2f}%）"
    return text


def key_figures(data: CircularData) -> pd.DataFrame:
    """项目 | 本年 | 上年 | 变化, as text (blank "—")."""
    cur, prev = scored(data, data.year), scored(data, data.year - 1)
    has_prev = len(prev) > 0
    rows = []

    def add(item: str, c: float | None, p: float | None, digits: int, unit: str = "", pct: bool = False,
            change_unit: str | None = None) -> None:
        def fmt(v):
            return "—" if v is None else f"{v:,.{digits}f}{unit}"

        rows.append((item, fmt(c), fmt(p) if has_prev else "—",
                     _change(c, p if has_prev else None, digits, unit if change_unit is None else change_unit, pct)))

    add("报告数（份）", len(cur), len(prev), 0)
    add("支出合计（万元）", _total(cur["expenditure_total"]), _total(prev["expenditure_total"]), 2, pct=True)
    add("平均预算执行率", _mean(cur["execution_rate"]), _mean(prev["execution_rate"]), 2, "%", change_unit="个百分点")
    add("平均自评得分（分）", _mean(cur["self_score"]), _mean(prev["self_score"]), 2)
    add("已复核报告（份）", int(cur["review_score"].notna().sum()), int(prev["review_score"].notna().sum()), 0)
    add("平均复核得分（分）", _mean(cur["review_score"]), _mean(prev["review_score"]), 2)
    for g in grades_in(cur, prev):
        add(f"等次为“{g}”（份）" if g != NO_GRADE else f"{NO_GRADE}（份）",
            int((cur["final_grade"] == g).sum()), int((prev["final_grade"] == g).sum()), 0)
    add("勾稽不符（条）", _total(cur["mismatches"]) or 0, _total(prev["mismatches"]) or 0, 0)
    return pd.DataFrame(rows, columns=["项目", "本年", "上年", "变化"])


def grade_table(data: CircularData) -> pd.DataFrame:
    """等次 | 单位数 | 占比 | 单位 (names in ranking order)."""
    df = ranking(data)
    rows = []
    for g in grades_in(df):
        names = df.loc[df["final_grade"] == g, "name"]
        rows.append((g, len(names), style.pct(len(names) / len(df) * 100) if len(df) else "—", "、".join(names)))
    return pd.DataFrame(rows, columns=["等次", "单位数", "占比", "单位"])


def latest_sample(data: CircularData) -> pd.DataFrame:
    """The year's latest sample, limited to the units in scope when a region is chosen."""
    s = data.samples
    if not len(s):
        return s
    s = s[s["sample_id"] == s.iloc[0]["sample_id"]]
    if data.region:
        s = s[s["unit_key"].isin(set(data.reports["unit_key"]))]
    return s.reset_index(drop=True)


def _band(score: float, bands: pd.DataFrame) -> str | None:
    """The band of score_distribution's rule: <60; 60–100 left-closed, the last band holding 100; >100."""
    if score < 60:
        return "<60"
    if score > 100:
        return ">100"
    inner = bands[bands["bin_low"].notna() & bands["bin_high"].notna()]
    hit = inner[(inner["bin_low"] <= score) & ((score < inner["bin_high"]) | ((score == 100) & (inner["bin_high"] == 100)))]
    return str(hit.iloc[0]["bin_label"]) if len(hit) else None


def score_bins(data: CircularData) -> pd.DataFrame:
    """The year's 自评得分 and 复核得分 (current reviews) counted in score_distribution's bands:
    bin_label | bin_low | series | reports; every band of the query, a >100 band only if a score is there."""
    cur = scored(data, data.year)
    dist = data.distribution
    bands = dist[(dist["sector"] == "（全部）")].drop_duplicates("bin_label")[["bin_label", "bin_low", "bin_high"]]
    if not len(bands):
        return pd.DataFrame(columns=["bin_label", "bin_low", "series", "reports"])
    rows = []
    for series, column in ((figures.SELF_SERIES, "self_score"), (figures.REVIEW_SERIES, "review_score")):
        scores = pd.to_numeric(cur[column], errors="coerce").dropna()
        counts = pd.Series([_band(float(v), bands) for v in scores], dtype=object).value_counts()
        rows += [(b.bin_label, b.bin_low, series, int(counts.get(b.bin_label, 0))) for b in bands.itertuples()]
    out = pd.DataFrame(rows, columns=["bin_label", "bin_low", "series", "reports"])
    over = out[out["bin_label"] == ">100"]
    if len(over) and not over["reports"].any():
        out = out[out["bin_label"] != ">100"]
    return out.reset_index(drop=True)


def distribution_figure(data: CircularData):
    """The 通报's chart (on the 通报 page and in its files): the year's 自评得分 beside its 复核得分."""
    return figures.self_and_review_histogram(score_bins(data), title=f"{data.year}年自评得分与复核得分分布（报告数）")


def chart_of(data: CircularData) -> bytes | None:
    if data.chart is None and len(data.distribution):
        fig, _ = distribution_figure(data)
        # printed at 15 cm wide: larger type than on screen
        fig.update_layout(width=900, height=420, margin=dict(l=60, r=20, t=70, b=50), font_size=18,
                          title_font_size=20)
        data.chart = chart_png(fig, 900, 420)
    return data.chart


def _score(v) -> str:
    return style.num(v, 2)


# ---------------------------------------------------------------------------------------------
# Word and PDF

def _summary_text(data: CircularData, cur: pd.DataFrame, prev: pd.DataFrame) -> str:
    where = f"{data.scope}" if data.scope else "全区"
    parts = [f"{data.year}年度，{where}共有{len(cur)}个单位报送部门整体支出绩效自评报告"]
    total = _total(cur["expenditure_total"])
    if total is not None:
        parts.append(f"支出合计{total:,.2f}万元")
    rate, score = _mean(cur["execution_rate"]), _mean(cur["self_score"])
    if rate is not None:
        parts.append(f"平均预算执行率{rate:.2f}%")
    if score is not None:
        parts.append(f"平均自评得分{score:.2f}分")
    text = "，".join(parts)
    if len(prev):
        diff = len(cur) - len(prev)
        text += f"（上年{len(prev)}份，{'增加' if diff > 0 else '减少'}{abs(diff)}份）" if diff else "（与上年份数相同）"
    reviewed = int(cur["review_score"].notna().sum())
    text += f"。绩效科已复核{reviewed}份" if reviewed else "。本年度尚无复核记录"
    if reviewed:
        text += f"，平均复核得分{_mean(cur['review_score']):.2f}分"
    counts = [f"“{g}”{int((cur['final_grade'] == g).sum())}个" for g in grades_in(cur) if g != NO_GRADE]
    if counts:
        text += "。等次为" + "、".join(counts)
    return text + "。"


def to_docx(data: CircularData, fonts: Fonts = WORD_FONTS) -> bytes:
    """The 通报 as a Word file."""
    w = Writer(fonts, data.title)
    w.title(data.title, second_line=CIRCULAR_TAIL)
    _dated(w, data.issuer, data.issued, data.data_as_of)
    if data.has_demo:
        w.note("本通报含演示数据（非真实报告），仅用于演示。")
    cur, prev = scored(data, data.year), scored(data, data.year - 1)
    if not len(cur):
        w.paragraph(f"{data.year}年度没有入库的自评报告。", indent=True)
        return w.to_bytes()

    w.heading("一、总体情况")
    w.paragraph(_summary_text(data, cur, prev), indent=True)
    figs = key_figures(data)
    w.table(list(figs.columns), figs.itertuples(index=False), [50, 35, 35, 40], "lrrr")
    w.note(f"上年 = {data.year - 1}年度。平均值只计填报了该项的报告；支出合计为各报告支出合计之和（空白不计）。")

    w.heading("二、自评得分与复核得分分布")
    png = chart_of(data)
    if png:
        w.picture(png, 150)
    else:
        w.note("（得分分布图暂时无法生成，见下表。）")
    hist = data.distribution[data.distribution["sector"] == "（全部）"]
    bins = hist.drop_duplicates("bin_label").sort_values("bin_low", na_position="first")["bin_label"]
    counts = hist.pivot_table(index="bin_label", columns="fiscal_year", values="reports", aggfunc="sum")
    reviewed = score_bins(data)
    reviewed = reviewed[reviewed["series"] == figures.REVIEW_SERIES].set_index("bin_label")["reports"]

    def count(b, y) -> int:
        if y == "复核":
            return int(reviewed.get(b, 0))
        return int(counts.at[b, y]) if y in counts.columns and b in counts.index and pd.notna(counts.at[b, y]) else 0

    shown = (data.year - 1, data.year, "复核")
    dist_rows = [(b, *[count(b, y) for y in shown]) for b in bins if any(count(b, y) for y in shown)]
    if dist_rows:
        w.table(["得分区间", f"{data.year - 1}年自评（份）", f"{data.year}年自评（份）", f"{data.year}年复核（份）"],
                dist_rows, [40, 40, 40, 40], "crrr")
        if len(dist_rows) < len(bins):
            w.note("未列出的得分区间各列均为0份。")
    w.note("复核得分只计按报告现有文件复核的（报告复核后被替换的不计）；区间左闭右开，最后一组含100分。")

    w.heading("三、单位排名")
    w.note("按复核得分（已复核的）或自评得分（未复核的）从高到低排列，同分同名次；等次为复核等次，未复核的为申报等次"
           "（按分档规则归档，本地叫法或空白按得分对应档）。")
    ranked = ranking(data)
    w.table(["名次", "单位", "自评得分", "复核得分", "等次", "预算执行率"],
            ((style.num(r.rank) if not style.is_blank(r.rank) else "—", r.name, _score(r.self_score),
              _score(r.review_score), r.final_grade, style.pct(r.execution_rate))
             for r in ranked.itertuples(index=False)),
            [13, 70, 20, 20, 15, 22], "clrrcr")
    stale = ranked[ranked["review_stale"]]
    if len(stale):
        w.note(f"以下单位的报告在复核后已更新，按自评计，待重新复核：{'、'.join(stale['name'])}。")

    w.heading("四、勾稽关系不符的单位")
    mm = data.mismatches
    if len(mm):
        w.paragraph(f"{data.year}年度共有{mm['report_id'].nunique()}个单位的报告存在{len(mm)}处勾稽关系不符"
                    f"（报告中的数字之间不可能都对），请相关单位核实更正：", indent=True)
        w.table(["单位", "核查规则", "涉及数字", "应为", "实际", "差额"],
                ((r.unit_name, r.rule_name, r.figures, style.num(r.expected, 2), style.num(r.actual, 2),
                  style.num(r.difference, 2)) for r in mm.itertuples(index=False)),
                [34, 30, 56, 14, 14, 14], "lllrrr")
    else:
        w.paragraph(f"{data.year}年度各单位报告未发现勾稽关系不符。", indent=True)

    w.heading("五、抽查名单")
    sample = latest_sample(data)
    if not data.store_available:
        w.paragraph("复核与抽查记录暂不可用，本通报未列抽查名单。", indent=True)
    elif len(sample):
        s0 = sample.iloc[0]
        w.paragraph(f"抽查规则：{plain(s0['rule'])}；抽取人：{plain(s0['drawn_by'])}；"
                    f"抽取时间：{plain(s0['drawn_at'])[:16]}。共{len(sample)}个单位：", indent=True)
        w.table(["序号", "单位", "抽取理由"],
                ((i, r.unit_name, r.reason) for i, r in enumerate(sample.itertuples(index=False), start=1)),
                [14, 70, 76], "cll")
    else:
        w.paragraph(f"{data.year}年度尚未抽取抽查单位。", indent=True)

    w.heading("六、各等次单位")
    grades = grade_table(data)
    w.table(["等次", "单位数", "占比"], grades[["等次", "单位数", "占比"]].itertuples(index=False), [30, 30, 30], "crr")
    # one table per 等次, its units four to a row in ranking order (one cell holding thousands of
    # names would be a row longer than a page, which LibreOffice lays out very slowly)
    ranked = ranking(data)
    for g in grades["等次"]:
        names = list(ranked.loc[ranked["final_grade"] == g, "name"])
        w.paragraph(f"等次“{g}”（{len(names)}个单位）：" if g != NO_GRADE else f"{NO_GRADE}（{len(names)}个单位）：",
                    bold=True)
        w.table(["单位"] * GRADE_COLUMNS,
                (names[i:i + GRADE_COLUMNS] + [""] * (GRADE_COLUMNS - len(names[i:i + GRADE_COLUMNS]))
                 for i in range(0, len(names), GRADE_COLUMNS)), [40] * GRADE_COLUMNS, "l" * GRADE_COLUMNS)
    return w.to_bytes()


def to_pdf(data: CircularData) -> bytes:
    """The 通报 as PDF: the Word file (with the installed Noto CJK fonts) through LibreOffice."""
    return docx_to_pdf(to_docx(data, PDF_FONTS))


# ---------------------------------------------------------------------------------------------
# The one-unit brief

@dataclass
class UnitBrief:
    """One unit: its identity (units row), every year's report (circular_reports rows), its
    reviews, the indicators of `year`, its findings (consistency_checks) and signals."""
    unit: dict
    reports: pd.DataFrame
    reviews: pd.DataFrame
    year: int | None
    indicators: pd.DataFrame
    findings: pd.DataFrame
    signals: pd.DataFrame
    issued: dt.date = field(default_factory=dt.date.today)
    data_as_of: str | None = None

    @property
    def title(self) -> str:
        return f"{self.unit.get('unit_name', '')}{BRIEF_TAIL}"


def unit_brief(unit: str, db: Any = None, year: int | None = None) -> UnitBrief:
    """The brief of one unit (unit_id, budget code or name); indicators of `year` (default latest)."""
    units = queries.run("units", db, units=[unit])
    if units.empty:
        raise KeyError(unit)
    info = units.iloc[0].to_dict()
    scope = [info["unit_id"]]
    reports = queries.run("circular_reports", db, units=scope)
    years = sorted({int(y) for y in reports["fiscal_year"]})
    year = year if year in years else (years[-1] if years else None)
    reviews, _ = reviews_of(years)
    if len(reviews):
        reviews = reviews[reviews["unit_key"].isin(set(reports["unit_key"]))]
    indicators = queries.run("unit_indicators", db, units=scope, years=[year]) if year else pd.DataFrame()
    return UnitBrief(info, reports, reviews.reset_index(drop=True), year, indicators,
                     queries.run("consistency_checks", db, units=scope),
                     queries.run("credibility_signals", db, units=scope), data_as_of=data_as_of(db))


def brief_docx(brief: UnitBrief, fonts: Fonts = WORD_FONTS) -> bytes:
    info = brief.unit
    w = Writer(fonts, brief.title)
    w.title(brief.title, second_line=BRIEF_TAIL)
    _dated(w, ISSUER, brief.issued, brief.data_as_of)
    if bool(info.get("is_demo")):
        w.note("本简报含演示数据（非真实报告），仅用于演示。")
    w.heading("一、基本情况")
    years = sorted({int(y) for y in brief.reports["fiscal_year"]})
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else (f"{years[0]}年" if years else "—")
    w.table(["项目", "内容"], [("单位名称", info.get("unit_name")), ("地区", info.get("region")),
                              ("预算编码", info.get("budget_code")), ("行业", info.get("sector")),
                              ("报告年度", f"{span}，共{len(brief.reports)}份报告")], [40, 120], "ll")

    w.heading("二、历年自评与复核")
    data = CircularData(0, None, brief.reports, brief.reviews, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    rows = pd.concat([scored(data, y) for y in years], ignore_index=True) if years else pd.DataFrame()
    w.table(["年度", "自评得分", "复核得分", "等次", "预算执行率", "支出合计（万元）", "勾稽不符"],
            ((r.fiscal_year, _score(r.self_score), _score(r.review_score), r.final_grade, style.pct(r.execution_rate),
              style.wan(r.expenditure_total, unit=False), style.num(r.mismatches)) for r in rows.itertuples(index=False)),
            [16, 22, 22, 16, 24, 32, 18], "crrcrrr")

    w.heading(f"三、{brief.year}年度绩效指标" if brief.year else "三、绩效指标")
    ind = brief.indicators
    if len(ind):
        w.table(["一级指标", "二级指标", "指标名称", "年度目标值", "完成情况", "分值", "得分"],
                ((r.level1, r.level2, r.name, r.target_text, r.actual_text, style.num(r.weight, 2),
                  style.num(r.score, 2)) for r in ind.itertuples(index=False)),
                [20, 20, 36, 30, 30, 12, 12], "lllllrr")
    else:
        w.paragraph("该年度报告没有可读的绩效指标表。", indent=True)

    w.heading("四、核查发现与可信度信号")
    if len(brief.findings):
        w.table(["年度", "核查规则", "性质", "涉及数字", "差额"],
                ((r.fiscal_year, r.rule_name, r.severity, r.figures, style.num(r.difference, 2))
                 for r in brief.findings.itertuples(index=False)), [14, 34, 14, 80, 18], "clclr")
    else:
        w.paragraph("各年报告的数字勾稽关系没有发现问题。", indent=True)
    if len(brief.signals):
        w.table(["年度", "信号", "说明"], ((r.fiscal_year, r.signal_name, r.detail)
                                        for r in brief.signals.itertuples(index=False)), [14, 40, 106], "cll")

    w.heading("五、复核情况")
    reviewed = rows[rows["review_score"].notna() | rows["review_stale"]] if len(rows) else rows
    if len(reviewed):
        for r in reviewed.itertuples(index=False):
            if r.review_stale:
                w.paragraph(f"{r.fiscal_year}年：报告在复核后已更新，待重新复核。", indent=True)
            else:
                w.paragraph(f"{r.fiscal_year}年：复核得分{_score(r.review_score)}，等次{plain(r.final_grade)}"
                            f"（复核人：{plain(r.reviewer)}）。复核意见：{plain(r.review_comment)}", indent=True)
    else:
        w.paragraph("尚无复核记录。", indent=True)
    return w.to_bytes()


def brief_pdf(brief: UnitBrief) -> bytes:
    return docx_to_pdf(brief_docx(brief, PDF_FONTS))
