-- title: 绩效指标
-- group: 单位
-- description: 每份报告的每个绩效指标一行（定量目标），按文档顺序：级别、名称、目标值、完成情况、解析出的数值与单位、分值、得分、偏差原因。
-- params: filters
-- param level2 varchar[] = null: 只看这些二级指标（如“数量指标”）
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column report_id: 报告编号
-- column row_no: 序号
-- column level1: 一级指标
-- column level2: 二级指标
-- column seq: 指标编号
-- column name: 指标名称
-- column target_text: 年度目标值
-- column actual_text: 完成情况
-- column actual_value: 完成值
-- column actual_unit: 单位
-- column weight: 分值
-- column score: 得分
-- column deviation_reason: 偏差原因
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.report_id,
        i.row_no,
        i.level1,
        i.level2,
        i.seq,
        i.name,
        i.target_text,
        i.actual_text,
        i.actual_value,
        i.actual_unit,
        i.weight,
        i.score,
        i.deviation_reason,
        r.is_demo
    from indicators as i
    join reports as r on r.report_id = i.report_id
    where $level2 is null or list_contains($level2, i.level2)
)

select * from final
order by unit_name, fiscal_year desc, report_id, row_no
