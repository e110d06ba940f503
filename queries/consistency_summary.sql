-- title: 核查结果汇总
-- group: 核查
-- description: 每年每条核查规则一行：未通过的报告数和条数，及占当年报告数的比例。
-- formula: 比例 = 有该问题的报告数 ÷ 当年报告数 × 100。规则定义见 consistency_checks。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column rule: 规则代码
-- column rule_name: 核查规则
-- column severity: 性质
-- column reports_flagged: 涉及报告数
-- column findings: 发现条数
-- column reports_total: 当年报告数
-- column flagged_pct: 涉及报告比例（%）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

year_totals as (
    select fiscal_year, count(*) as reports_total, bool_or(is_demo) as is_demo
    from reports
    group by fiscal_year
),

findings as (
    select f.*, r.fiscal_year
    from q_consistency as f
    join reports as r on r.report_id = f.report_id
),

final as (
    select
        f.fiscal_year,
        f.rule,
        any_value(f.rule_name) as rule_name,
        any_value(f.severity) as severity,
        count(distinct f.report_id) as reports_flagged,
        count(*) as findings,
        any_value(y.reports_total) as reports_total,
        round(count(distinct f.report_id) / any_value(y.reports_total) * 100, 2) as flagged_pct,
        any_value(y.is_demo) as is_demo
    from findings as f
    join year_totals as y on y.fiscal_year = f.fiscal_year
    group by f.fiscal_year, f.rule
)

select * from final
order by fiscal_year desc, severity desc, reports_flagged desc, rule
