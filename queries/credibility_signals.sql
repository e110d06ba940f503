-- title: 可信度信号
-- group: 核查
-- description: 每份报告每个信号一行。是提请关注的信号，不是结论。
-- formula: 信号（signal）：
--   high_score_low_execution 自评得分 ≥ 95 而预算执行率 < 80%（执行率口径见 budget_execution）；
--   all_quality_100 质量指标（二级指标含“质量”）至少2个有数值，且全部为100%；
--   satisfaction_99 满意度指标（名称或指标级别含“满意”）完成值 ≥ 99%；
--   no_problems “存在的问题”一节空白，或只写“无”“暂无”之类；
--   same_text_as_last_year 某一章节（30字以上）与同一单位上年报告的该章节一字不差。
-- params: filters
-- param signals varchar[] = null: 只看这些信号（signal 代码，可多选）
-- stored: by report; signal in $signals
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column report_id: 报告编号
-- column self_score: 自评得分
-- column signal: 信号代码
-- column signal_name: 信号
-- column detail: 说明
-- column value: 相关数值
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

findings as (
    select * from q_signals
    where $signals is null or list_contains($signals, signal)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.sector,
        r.report_id,
        r.self_score,
        f.signal,
        f.signal_name,
        f.detail,
        f.value,
        r.is_demo
    from findings as f
    join reports as r on r.report_id = f.report_id
)

select * from final
order by fiscal_year desc, unit_name, signal, report_id
