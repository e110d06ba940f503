-- title: 勾稽关系核查
-- group: 核查
-- description: 每份报告每个未通过的核查一行：规则、涉及的数字和差额。通过的核查不列出。
--   不符：数字之间不可能都对（分项与合计不等、得分超出范围、等次与得分不符）；提示：值得看一眼（超编、所述执行率与测算不符、指标完成值空白）。
-- formula: 规则（rule）：
--   income_parts 收入各分项（上年结转+公共财政拨款+政府基金拨款+专户非税收入+其他收入）之和 = 收入合计；
--   expenditure_parts 基本支出 + 项目支出 = 支出合计；basic_parts 人员支出 + 公用支出 = 基本支出；
--   three_public_parts “三公”四项之和 = 合计；fixed_assets_parts 在用+出租+其他 = 固定资产合计；
--   org_rows_vs_summary 各机构行之和 = 汇总行（四张表的每一列）；
--   以上按每个机构行核对，只加已填的分项（空白分项不参与求和），合计与至少一个分项已填才核对，容差 0.01 万元；
--   staff_over_quota 实有人数 > 人员编制；stated_vs_computed_rate |所述执行率 − 测算执行率| > 1 个百分点
--   （测算：有预算数时 支出÷预算，否则 支出÷收入）；score_out_of_range 得分 < 0 或 > 100；
--   grade_mismatch 申报等次（可比较时）与得分对应等次不同（默认分档规则）；blank_indicator_results 有指标未填完成值。
--   差额 = 实际 − 应为。
-- params: filters
-- param rules varchar[] = null: 只看这些规则（rule 代码，可多选）
-- param severity varchar = null: 只看“不符”或“提示”
-- stored: by report; rule in $rules; severity = $severity
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column report_id: 报告编号
-- column rule: 规则代码
-- column rule_name: 核查规则
-- column severity: 性质
-- column org: 机构行
-- column figures: 涉及数字
-- column expected: 应为
-- column actual: 实际
-- column difference: 差额
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

findings as (
    select * from q_consistency
    where ($rules is null or list_contains($rules, rule))
        and ($severity is null or severity = $severity)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.sector,
        r.report_id,
        f.rule,
        f.rule_name,
        f.severity,
        f.org,
        f.figures,
        round(f.expected, 2) as expected,
        round(f.actual, 2) as actual,
        f.difference,
        r.is_demo
    from findings as f
    join reports as r on r.report_id = f.report_id
)

select * from final
order by fiscal_year desc, severity desc, unit_name, rule, org, report_id, figures
