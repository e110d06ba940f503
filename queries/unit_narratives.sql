-- title: 评价报告综述
-- group: 单位
-- description: 每份报告每个综述章节一行（概况、基本支出、项目支出、政府性基金、国有资本、社保基金、绩效情况、问题、改进措施、其他），按模板顺序。
-- params: filters
-- param sections varchar[] = null: 只看这些章节（overview / problems / improvements …）
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column report_id: 报告编号
-- column section: 章节代码
-- column section_name: 章节
-- column text: 内容
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

section_names as (
    select * from (values
        ('overview', 1, '部门（单位）概况'), ('basic_expenditure', 2, '基本支出情况'),
        ('project_expenditure', 3, '项目支出情况'), ('government_fund', 4, '政府性基金预算支出情况'),
        ('state_capital', 5, '国有资本经营预算支出情况'), ('social_insurance_fund', 6, '社会保险基金预算支出情况'),
        ('performance', 7, '部门整体支出绩效情况'), ('problems', 8, '存在的问题及原因分析'),
        ('improvements', 9, '下一步改进措施'), ('other', 10, '其他需要说明的情况')
    ) as t(section, section_order, section_name)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.report_id,
        n.section,
        coalesce(s.section_name, n.section) as section_name,
        n.text,
        r.is_demo,
        coalesce(s.section_order, 99) as section_order
    from narratives as n
    join reports as r on r.report_id = n.report_id
    left join section_names as s on s.section = n.section
    where $sections is null or list_contains($sections, n.section)
)

select * exclude (section_order) from final
order by unit_name, fiscal_year desc, report_id, section_order
