-- title: 等次分布
-- group: 评分
-- description: 每年按等次计数：报告申报的等次与按分档规则由得分推出的等次，各自的报告数与占比。
--   申报等次按分档规则的别名归档（“优秀”计为“优”，“良好”计为“良”），以便与得分对应等次并排比较；
--   规则中没有的本地叫法（如“三级”）照原文计数。
-- formula: 占比 = 该等次报告数 ÷ 当年报告数 × 100。等次空白（或得分空白无法推出）的报告计在等次为空的一行。
-- params: filters
-- stored: by year
-- param rule_set varchar = null: 分档规则名称；留空按地区和年度自动选用
-- column fiscal_year: 年度
-- column grade_kind: 口径代码 — declared 申报 / implied 得分对应
-- column grade_kind_name: 口径
-- column grade: 等次
-- column reports: 报告数
-- column share_pct: 占比（%）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

graded as (
    select * from graded_by($rule_set)
),

both_kinds as (
    select r.fiscal_year, 'declared' as grade_kind, coalesce(g.declared_band, nullif(trim(r.grade), '')) as grade, r.is_demo
    from reports as r
    left join graded as g on g.report_id = r.report_id
    union all
    select r.fiscal_year, 'implied', g.implied_grade, r.is_demo
    from reports as r
    join graded as g on g.report_id = r.report_id
),

final as (
    select
        fiscal_year,
        grade_kind,
        case grade_kind when 'declared' then '申报等次' else '得分对应等次' end as grade_kind_name,
        grade,
        count(*) as reports,
        round(count(*) / sum(count(*)) over (partition by fiscal_year, grade_kind) * 100, 2) as share_pct,
        bool_or(is_demo) as is_demo
    from both_kinds
    group by fiscal_year, grade_kind, grade
)

select * from final
order by fiscal_year desc, grade_kind, reports desc, grade
