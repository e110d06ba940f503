-- title: 复核清单
-- group: 核查
-- description: 每份报告一行，供复核与抽查：单位、报告文件指纹（判断复核后报告是否更新）、自评得分、执行率、支出，
--   以及不符/提示/信号的数量。复核状态由看板与复核记录（另库保存）比对得出。
-- params: filters
-- stored: by report
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_key: 报告单位键
-- column unit_name: 单位名称
-- column sector: 行业
-- column region: 地区
-- column report_id: 报告编号
-- column sha256: 文件SHA-256
-- column self_score: 自评得分
-- column grade: 申报等次
-- column execution_rate: 预算执行率（%）
-- column expenditure_total: 支出合计（万元）
-- column mismatches: 不符数
-- column notices: 提示数
-- column signals: 信号数
-- column high_score_low_execution: 自评高而执行低
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        b.fiscal_year,
        b.unit_id,
        b.unit_key,
        b.unit_name,
        b.sector,
        b.region,
        b.report_id,
        r.sha256,
        b.self_score,
        b.grade,
        b.execution_rate,
        b.expenditure_total,
        f.mismatches,
        f.notices,
        f.signals,
        f.high_score_low_execution,
        b.is_demo
    from reports as b
    join main.reports as r on r.report_id = b.report_id
    join q_report_flags as f on f.report_id = b.report_id
)

select * from final
order by fiscal_year desc, unit_name, report_id
