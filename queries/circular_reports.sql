-- title: 通报用报告清单
-- group: 评分
-- description: 每份报告一行，供绩效自评情况通报（bureau/circular.py）使用：单位、地区、自评得分、申报等次与按得分对应的等次、
--   预算执行率、支出合计、勾稽不符条数，及入库单位键（复核记录按它与年度对应）。可按地区筛选。
-- formula: 地区 = 单位的地区（与 units 相同：有预算编码的报告所填地区优先，再按最近年度）；
--   预算执行率、支出合计见 budget_execution；等次见 implied_grade（默认分档规则）；
--   勾稽不符 = consistency_checks 中性质为“不符”的条数；报告文件指纹 = 当前入库文件的 sha256。
-- params: filters
-- param region varchar = null: 地区（如“岳阳市云溪区”）；留空为全部地区
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_key: 入库单位键
-- column unit_name: 单位名称
-- column reported_name: 报告所用名称
-- column region: 地区
-- column sector: 行业
-- column report_id: 报告编号
-- column self_score: 自评得分
-- column grade: 申报等次
-- column declared_band: 申报等次对应档
-- column implied_grade: 得分对应等次
-- column execution_rate: 预算执行率（%）
-- column expenditure_total: 支出合计（万元）
-- column mismatches: 勾稽不符（条）
-- column sha256: 报告文件指纹 — 复核记录所对应的文件（不同则该复核需重新进行）
-- column is_demo: 演示数据
with

unit_regions as (
    select unit_id, arg_max(region, (budget_code is not null, fiscal_year, report_id)) as region
    from q_reports
    group by unit_id
),

scoped as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_key,
        r.unit_name,
        r.reported_name,
        u.region,
        r.sector,
        r.report_id,
        r.self_score,
        r.grade,
        r.declared_band,
        r.implied_grade,
        r.execution_rate,
        r.expenditure_total,
        f.mismatches,
        doc.sha256,
        r.is_demo
    from scoped as r
    join reports as doc on doc.report_id = r.report_id
    join unit_regions as u on u.unit_id = r.unit_id
    join q_report_flags as f on f.report_id = r.report_id
    where $region is null or u.region = $region
)

select * from final
order by fiscal_year desc, self_score desc nulls last, unit_name, report_id
