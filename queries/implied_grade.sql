-- title: 得分对应等次与申报等次
-- group: 评分
-- description: 每份报告一行：按分档规则由自评得分推出的等次，与报告申报的等次并列。
--   规则来自 data/grade_rules.csv，按地区和年度选用（默认财预〔2020〕10号：优 ≥ 90，良 80–<90，中 60–<80，差 < 60）；
--   rule_set 参数可指定一套规则用于所有报告。申报等次是本地叫法（如“三级”）时不作比较。
-- formula: 对应等次 = 满足 下限 ≤ 得分 < 上限 的那一档；申报档 = 别名（aliases）中含申报等次原文的那一档；
--   一致 = 两者相同（可比较时）。
-- params: filters
-- param rule_set varchar = null: 分档规则名称（如“财预〔2020〕10号”）；留空按地区和年度自动选用
-- stored: by report
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column report_id: 报告编号
-- column self_score: 自评得分
-- column grade: 申报等次
-- column declared_band: 申报等次对应档
-- column implied_grade: 得分对应等次
-- column rule_set: 分档规则
-- column comparable: 可比较
-- column matches: 等次一致
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

graded as (
    select * from graded_by($rule_set)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.sector,
        r.report_id,
        r.self_score,
        r.grade,
        g.declared_band,
        g.implied_grade,
        g.rule_set,
        g.comparable,
        g.matches,
        r.is_demo
    from reports as r
    join graded as g on g.report_id = r.report_id
)

select * from final
order by fiscal_year desc, self_score desc nulls last, unit_name, report_id
