"""投诉分析: complaints and cases by channel, category, unit and year, as the
reports break them down ("共妥处欠薪投诉924件，其中国家欠薪平台113件…")."""
import plotly.express as px
import streamlit as st

import ui
from ui import style

f = ui.page_start("投诉分析", "各单位报告中列明来源渠道的投诉/案件件数；同一分类在报告多处重复出现的只计一次。")
year = f.year

categories = ui.fetch("complaints_by_category", **f.trend_params())
if categories is None:
    st.stop()
if categories.empty:
    st.info("当前筛选范围内的报告没有按渠道列明投诉/案件件数。", icon=":material/filter_alt_off:")
    st.stop()

chosen = st.multiselect("案件类别", sorted(categories["category"].unique()), key="cp_categories",
                        placeholder="全部类别")
picked = chosen or None
channels = ui.fetch("complaints_by_channel", **f.trend_params(), categories=picked)
# a click on a channel in 各年度分渠道件数 filters the page to it (cross-filter; 清除 in the note)
names = {} if channels is None else dict(zip(channels["channel"], channels["channel_name"]))
channel = ui.components.page_cross("cp_channel", "渠道", names)

now = categories[(categories["fiscal_year"] == year) & (categories["category"].isin(chosen or categories["category"]))]
cols = st.columns(3)
counted = now  # the year's categories, or the clicked channel's row (its count against the year before)
if channel is not None and channels is not None:
    counted = channels[(channels["channel"] == channel) & (channels["fiscal_year"] == year)]
total = counted["cases"].sum() if not counted.empty else None
prev = counted["prev_cases"].dropna()
ui.metric(cols[0], f"{year}年投诉/案件件数" + (f"（{names.get(channel, channel)}）" if channel else ""),
          style.num(total, 0, " 件"),
          style.delta(total - prev.sum(), 0, " 件") if len(prev) == len(counted) and len(counted) else None,
          # more complaints handled is neither good nor bad in itself: a grey arrow, not red/green
          delta_color="off", help="与上年同类别件数之差；件数多少本身不代表好坏。")
amount = now["amount_wan"].dropna()
if channel is None:
    approx = "约 " if now["amount_approx"].fillna(False).astype(bool).any() else ""
    ui.metric(cols[1], "涉及金额（万元）", approx + style.wan(amount.sum() if len(amount) else None, unit=False),
              help="报告写明金额的类别之和；“余/多/约”视为约数。")
else:
    ui.metric(cols[1], "涉及金额（万元）", "—", help="金额按类别写明，不分渠道。")
units = ui.fetch("complaints_by_unit", **f.params(year_from=year, year_to=year), categories=picked)
if units is not None and channel is not None:
    units = units[units["channel"] == channel]
ui.metric(cols[2], "涉及单位数", style.num(units["unit_id"].nunique() if units is not None else None))

left, right = st.columns(2)
with left:
    if channels is not None and not channels[channels["fiscal_year"] == year].empty:
        shares = channels[channels["fiscal_year"] == year][["channel_name", "cases", "share_pct", "units",
                                                             "prev_cases", "change", "is_demo"]]
        fig = px.pie(shares, names="channel_name", values="cases", hole=0.45, title=f"{year}年各渠道件数占比",
                     labels={"channel_name": "渠道", "cases": "件数"})
        # names in the legend, shares inside the slices: outside labels of thin slices collide
        fig.update_traces(textinfo="percent", textposition="inside", insidetextorientation="horizontal", sort=False,
                          hovertemplate="%{label}：%{value:,} 件（%{percent}）<extra></extra>")
        fig.update_layout(uniformtext_minsize=11, uniformtext_mode="hide",
                          # the channels under the ring: above it, their rows ran over the title at 1280 px
                          legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="center", x=0.5))
        ui.chart(fig, shares, "complaints_by_channel", "cp_share", title=f"{year}年各渠道占比", height=380)
    else:
        st.info(f"{year}年没有按渠道列明的件数。", icon=":material/info:")
with right:
    if channels is not None and not channels.empty:
        by_year = channels if channel is None else channels[channels["channel"] == channel]
        by_year = by_year[["fiscal_year", "channel", "channel_name", "cases", "share_pct", "is_demo"]]
        fig = px.bar(by_year, x="fiscal_year", y="cases", color="channel_name", custom_data=["channel"],
                     title="各年度分渠道件数（点击柱形按渠道筛选）",
                     labels={"fiscal_year": "年度", "cases": "件数", "channel_name": "渠道"})
        fig.update_xaxes(type="category", categoryorder="category ascending")
        ui.chart(fig, by_year, "complaints_by_channel", "cp_years", title="各年度分渠道件数", height=380,
                 cross="cp_channel", columns=["fiscal_year", "channel_name", "cases", "share_pct"])

st.subheader("按类别（各年度）", anchor=False)
ui.table(categories[categories["category"].isin(chosen or categories["category"])], "complaints_by_category",
         "cp_categories_table", title="投诉分类别")

st.subheader(f"{year}年按单位", anchor=False)
if units is not None:
    totals = units[units["channel"] == ("total" if channel is None else channel)].sort_values("cases", ascending=False)
    if not totals.empty:
        shown = totals[["unit_id", "unit_name", "category", "cases", "amount_wan", "is_demo"]].head(30)
        # the category is written on the bar: most units have one, and twenty colours would say nothing
        kinds = ui.kind_labels(shown)
        fig = px.bar(shown, x="cases", y="unit_name", orientation="h", custom_data=["unit_id"], text="category",
                     color=kinds, color_discrete_map=ui.kind_colors(kinds),
                     title=f"{year}年各单位件数（点击查看单位）" + ("，前30个" if len(totals) > 30 else ""),
                     labels={"cases": "件数", "unit_name": "", "category": "类别", "color": "数据类别"})
        fig.update_traces(textposition="auto", insidetextanchor="start", texttemplate="%{text} %{x:,}件",
                          textfont_size=12, hovertemplate="%{y}：%{x:,} 件（%{text}）<extra></extra>")
        fig.update_yaxes(categoryorder="total ascending")
        ui.chart(fig, shown, "complaints_by_unit", "cp_units_chart", title=f"{year}年各单位件数", drill=True,
                 height=max(240, 130 + 28 * shown["unit_name"].nunique()))
    ui.table(units, "complaints_by_unit", "cp_units_table", title=f"{year}年各单位分渠道件数",
             columns=["unit_name", "sector", "category", "channel_name", "channel_label", "cases", "amount_wan",
                      "approx", "share_pct", "prev_cases", "change"], drill=True)
