"""The bureau's template (岳阳市云溪区's Word form, see ../shared/seeds/) as
paragraphs and grid tables with merged cells: the cover, 一、基本概况, the
money tables of 二、收支情况, 三、绩效自评 (goals, the indicator grid in the
template or the richer layout, score and grade), 四、评价人员 and 五、综述.
"""
from __future__ import annotations

from etl.document import DEMO_MARKER

from .blocks import MONEY_FIELDS, WRAP, C, Ctx, Para, RenderOptions, Table, TCell, V, fmt_date, split_text

LEVEL1_NOTES = {  # the template's bracketed explanation under a level-1 label
    "产出目标": "（部门工作实绩，包含上级部门和市委市政府布置的重点工作、实事任务等，根据部门实际进行调整细化）",
    "效益目标": "（预期实现的效益）",
}
OUTLINE = (  # 五、评价报告综述（参考提纲）: heading, narrative key (None: heading only)
    ("一、部门（单位）概况", "overview"),
    ("二、一般公共预算支出情况", None),
    ("（一）基本支出情况", "basic_expenditure"),
    ("（二）项目支出情况", "project_expenditure"),
    ("三、政府性基金预算支出情况", "government_fund"),
    ("四、国有资本经营预算支出情况", "state_capital"),
    ("五、社会保险基金预算支出情况", "social_insurance_fund"),
    ("六、部门整体支出绩效情况", "performance"),
    ("七、存在的问题及原因分析", "problems"),
    ("八、下一步改进措施", "improvements"),
    ("九、其他需要说明的情况", "other"),
)


def indicator_layout(record: dict, opts: RenderOptions) -> str:
    if opts.indicator_layout != "auto":
        return opts.indicator_layout
    rich = any(i.get(k) is not None for i in record.get("indicators") or []
               for k in ("target_text", "weight", "score", "deviation_reason"))
    return "rich" if rich else "template"


def _second_level(record: dict) -> list[str]:
    """The 二级机构 names of the unit, in order of first appearance in any money table."""
    names: list[str] = []
    for key in MONEY_FIELDS:
        for r in record.get(key) or []:
            if r.get("org") not in ("汇总", "局机关", None) and r["org"] not in names:
                names.append(r["org"])
    return names


def _org_rows(rows: list[dict], second_level: list[str]) -> list[tuple[str, dict | None]]:
    """The template's org rows: 汇总, 1、局机关, 2、<二级机构>, 3、…; unused ones blank.

    Every table lists the same 二级机构 (a table whose row is blank still names
    it, as the seed's 三公 table does); unused slots keep the placeholder."""
    by_org = {r["org"]: r for r in rows}
    out = [("局机关及二级机构汇总", by_org.get("汇总")), ("1、局机关", by_org.get("局机关"))]
    for i, name in enumerate(second_level):
        out.append((f"{i + 2}、{name}", by_org.get(name)))
    for i in range(len(second_level), 2):
        out.append((f"{i + 2}、二级机构{i + 1}", None))
    return out


def template_blocks(record: dict, opts: RenderOptions = RenderOptions()) -> list[Para | Table]:
    """The template document as paragraphs and grid tables, in reading order."""
    ctx = Ctx(opts)
    rep = record.get("report") or {}
    omit = opts.omit
    region = rep.get("region") or ""
    year = rep.get("fiscal_year")
    blocks: list[Para | Table] = []
    if opts.demo:
        blocks.append(Para(DEMO_MARKER))
    if opts.annex_label:
        blocks.append(Para(opts.annex_label))
    blocks += [
        Para(f"{region}{year}年度部门整体支出", "center", True, 36, lead=" "),
        Para("绩效评价自评报告", "center", True, 36),
        Para(f"部门（单位）名称：{rep.get('unit_name') or ''}", trail="             ", gap=False),
        Para(f"预算编码：              {rep.get('budget_code') or ''}", trail="                                 ",
             gap=False),
        Para(f"评价方式：{rep.get('evaluation_method') or ''}"),
        Para(f"评价机构：{rep.get('evaluator') or ''}", trail="   "),
        Para(f"报告日期：{fmt_date(rep.get('report_date'), opts.date_style)}"),
        Para(f"{region}财政局（制）", "center", lead="      "),
    ]

    if "basic_info" not in omit:
        t = Table([1900, 2250, 1900, 2250])
        t.add(C("一、部门（单位）基本概况", 4, bold=True))
        t.add(C("联系人"), C(ctx.wrap_value(rep.get("contact"), 13)),
              C(ctx.label("联络电话")), C(rep.get("phone")))
        t.add(C(ctx.label("人员编制")), C(ctx.number(rep.get("staff_quota"))),
              C("实有人数"), C(ctx.number(rep.get("staff_actual"))))
        t.add(C(ctx.label("职能职责概述")), C(rep.get("functions"), 3, sep="\n"))
        t.add(C("年度主要¦工作内容"), C(rep.get("main_tasks"), 3, sep="\n"))
        t.add(C("年度部门（单位）总体运行¦情况及取得的成绩"), C(rep.get("overall_results"), 3, sep="\n"))
        blocks.append(t)

    cap = "（元）" if opts.money_unit == "元" else "（万元）"
    second_level = _second_level(record)
    first_money = True

    def org_label(name: str) -> str:
        head, _, org = name.partition("、")
        if org and not org.startswith("二级机构") and len(org) >= 8 and opts.wrap_labels:
            return f"{head}、{org[:len(org) // 2]}{WRAP}{org[len(org) // 2:]}"
        return ctx.label(name)

    def money_table(key: str, widths: list[int], header: list[list[TCell]], caption: str | None) -> None:
        nonlocal first_money
        if key in omit:
            return
        t = Table(widths)
        n = len(widths)
        if first_money:
            t.add(C("二、部门（单位）收支情况", n, bold=True))
            first_money = False
        if caption:
            t.add(C(caption, n))
        for cells in header:
            t.add(*cells)
        for name, row in _org_rows(record.get(key) or [], second_level):
            t.add(C(org_label(name)), *(C(ctx.money(row.get(f) if row else None)) for f in MONEY_FIELDS[key]))
        blocks.append(t)

    money_table("income", [1900] + [1070] * 6, [
        [C(ctx.label("机构名称"), vm="restart"), C(ctx.label("收入合计"), vm="restart"), C("其中：", 5)],
        [V(), V(), C("上年结转"), C("公共财¦政拨款"), C(ctx.label("政府基金拨款")),
         C(ctx.label("纳入专户管理的非税收入拨款")), C("其他¦收入")],
    ], f"年度收入情况{cap}")
    money_table("expenditure", [1900] + [915] * 7, [
        [C(ctx.label("机构名称"), vm="restart"), C(ctx.label("支出合计"), vm="restart"), C("其中：", 4), C("结余", 2)],
        [V(), V(), C("基本支出", vm="restart"), C("其中：", 2), C("项目支出", vm="restart"),
         C("当年结余", vm="restart"), C("累计结余", vm="restart")],
        [V(), V(), V(), C("人员支出"), C("公用支出"), V(), V(), V()],
    ], f"部门（单位）年度支出和结余情况{cap}")
    money_table("three_public", [1900] + [1280] * 5, [
        [C(ctx.label("机构名称"), vm="restart"), C("三公经费¦合计", vm="restart"), C("其中：", 4)],
        [V(), V(), C("公务接待费"), C(ctx.label("公务用车运维费")), C(ctx.label("公务用车购置费")), C("因公出国费")],
    ], f"“三公”经费支出情况{cap}" if opts.money_unit == "元" else None)
    money_table("fixed_assets", [1900] + [1600] * 4, [
        [C(ctx.label("机构名称"), vm="restart"), C("固定资产¦合计", vm="restart"), C("其中：", 2), C("其他", vm="restart")],
        [V(), V(), C(ctx.label("在用固定资产")), C(ctx.label("出租固定资产")), V()],
    ], f"固定资产情况{cap}" if opts.money_unit == "元" else None)

    blocks += _performance_tables(record, opts, ctx)
    if "signatures" not in omit:
        blocks.append(_signatures())
        blocks.append(Para("填报人（签名）：                          联系电话："))
    if "narrative" not in omit:
        blocks.append(_outline(record, opts))
    return blocks


def _performance_tables(record: dict, opts: RenderOptions, ctx: Ctx) -> list[Table]:
    """三、整体支出绩效自评情况: goals, the indicator grid, score and grade."""
    rep = record.get("report") or {}
    omit = opts.omit
    rich = indicator_layout(record, opts) == "rich"
    widths = [1100, 1000, 1000, 1700, 900, 900, 500, 500, 700] if rich else [1400, 1300, 1300, 2400, 1900]
    n = len(widths)
    half = (n - 1) // 2
    t = Table(widths)
    t.add(C("三、部门（单位）整体支出绩效自评情况", n, bold=True))
    if "goals" not in omit:
        t.add(C(ctx.label("整体支出绩效定性目标及实施计划完成情况"), vm="restart"),
              C("预期目标", half), C("实际完成", n - 1 - half))
        goals = [f"目标{g['seq']}：{g['text']}" if g.get("seq") is not None else g["text"]
                 for g in record.get("goals") or []]
        t.add(V(), C(goals, half), C(record.get("goals_completion"), n - 1 - half, sep="\n"))
    if "indicators" not in omit:
        if rich:
            t.add(C("整体支出¦绩效定量目标及实施计划完成情况", vm="restart"), C("一级指标"), C("二级指标"),
                  C("三级指标"), C(ctx.label("年度指标值")), C(ctx.label("实际完成值")),
                  C("分值"), C("得分"), C(ctx.label("偏差原因")))
        else:
            t.add(C("整体支出¦绩效定量目标及实施计划完成情况", vm="restart"), C("评价内容", 2),
                  C("绩效目标"), C("完成情况"))
        prev1 = prev2 = object()
        for group in _indicator_rows(record.get("indicators") or [], opts.combine_level2 if not rich else ()):
            first = group[0]
            l1, l2 = first.get("level1"), first.get("level2")
            c1 = V() if l1 == prev1 else C([l1] + ([LEVEL1_NOTES[l1]] if not rich and l1 in LEVEL1_NOTES else [])
                                              if l1 else [], vm="restart")
            c2 = V() if (l1, l2) == prev2 else C(l2, vm="restart")
            prev1, prev2 = l1, (l1, l2)
            names = [f"指标{i['seq']}：{i['name']}" if i.get("seq") is not None else i["name"] for i in group]
            if rich:
                i = first
                t.add(V(), c1, c2, C(names[0]), C(i.get("target_text")), C(i.get("actual_text")),
                      C(ctx.number(i.get("weight"))), C(ctx.number(i.get("score"))), C(i.get("deviation_reason")))
            else:
                results = [i.get("actual_text") or "" for i in group]
                t.add(V(), c1, c2, C(names, sep="\n"), C(results if any(results) else []))
    if "score" not in omit:
        t.add(C(ctx.label("绩效自评综合得分")), C(ctx.number(rep.get("self_score")), n - 1))
        t.add(C("评价等次"), C(rep.get("grade"), n - 1))
    return [t]


def _indicator_rows(indicators: list[dict], combine) -> list[list[dict]]:
    """One list per table row: a single indicator, or a combined level2 group."""
    rows: list[list[dict]] = []
    for ind in indicators:
        prev = rows[-1] if rows else None
        if (prev and ind.get("level2") in combine and _combinable(ind)
                and all(_combinable(p) for p in prev)
                and (prev[0].get("level1"), prev[0].get("level2")) == (ind.get("level1"), ind.get("level2"))):
            prev.append(ind)
        else:
            rows.append([ind])
    return rows


def _combinable(ind: dict) -> bool:
    # Results of a combined cell are paired in order, so each must be one non-empty line.
    text = ind.get("actual_text")
    return bool(text) and "\n" not in text


def _signatures() -> Table:
    t = Table([2075] * 4)
    t.add(C("四、评价人员", 4, bold=True))
    t.add(C("姓  名"), C("职务/职称"), C("单  位"), C("签  字"))
    for _ in range(4):
        t.add(C(), C(), C(), C())
    date_line = "                                                               年    月    日"
    t.add(C(["评价组组长（签字）：", date_line], 4))
    t.add(C(["部门（单位）意见：", "                                         部门（单位）负责人（签章）：", date_line], 4))
    t.add(C(["财政部门归口业务股室意见：", "                                  财政部门归口业务股室负责人（签章）：",
             date_line], 4))
    return t


def _outline(record: dict, opts: RenderOptions) -> Table:
    """五、评价报告综述: one cell holding the outline's headings and texts."""
    narrative = record.get("narrative") or {}
    paras = ["五、评价报告综述（参考提纲）"]
    for heading, key in OUTLINE:
        if key and f"narrative.{key}" in opts.omit:
            continue
        if not opts.outline_numbers and key in ("government_fund", "state_capital", "social_insurance_fund"):
            heading = heading[2:]
        paras.append(heading)
        paras.append("")
        if key:
            paras += split_text(narrative.get(key))
    t = Table([8300])
    t.add(TCell(paras, 1, None, "\n"))
    return t
