-- title: 单位历年报告
-- group: 单位
-- description: 每份报告一行：单位身份下各年度报告所用的名称、编码和自评结果，用于查看更名、合并和历年概况。
-- params: filters
-- column unit_id: 单位标识
-- column unit_name: 单位名称（现用）
-- column fiscal_year: 年度
-- column reported_name: 报告所用名称
-- column budget_code: 报告所填预算编码
-- column unit_key: 入库单位键
-- column report_id: 报告编号
-- column self_score: 自评得分
-- column grade: 评价等次
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        unit_id,
        unit_name,
        fiscal_year,
        reported_name,
        budget_code,
        unit_key,
        report_id,
        self_score,
        grade,
        is_demo
    from reports
)

select * from final
order by unit_name, unit_id, fiscal_year desc, report_id
