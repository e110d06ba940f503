-- title: 自评得分排名
-- group: 评分
-- description: 每个单位每年一行：自评得分在当年（所选行业/数据类别范围内）全部有得分单位中的名次，及与上年的比较。
--   单位筛选只决定列出哪些单位，不改变名次的比较范围。
-- formula: 名次 = 当年得分从高到低的排名（同分同名次，rank）；百分位 = (有得分单位数 − 名次) ÷ (有得分单位数 − 1) × 100；
--   名次变化 = 上年名次 − 本年名次（正数表示上升）；得分变化 = 本年 − 上年。
--   同一单位身份一年有多份报告时取平均分。得分空白的单位不排名。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column self_score: 自评得分
-- column rank: 名次
-- column units_ranked: 参与排名单位数
-- column percentile: 百分位
-- column prev_self_score: 上年得分
-- column score_change: 得分变化
-- column prev_rank: 上年名次
-- column rank_change: 名次变化（正为上升）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports(null, null, null, null, $sectors, $data_kind)
    where self_score is not null and in_years_or_prior(fiscal_year, $years, $year_from, $year_to)
),

selected_units as (
    select distinct unit_id from scoped_reports(null, null, null, $units, $sectors, $data_kind)
    where $units is not null
),

per_unit_year as (
    select
        fiscal_year,
        unit_id,
        any_value(unit_name) as unit_name,
        any_value(sector) as sector,
        avg(self_score) as self_score,
        bool_or(is_demo) as is_demo
    from reports
    group by fiscal_year, unit_id
),

ranked as (
    select
        *,
        rank() over (partition by fiscal_year order by self_score desc) as rank,
        count(*) over (partition by fiscal_year) as units_ranked
    from per_unit_year
),

final as (
    select
        cur.fiscal_year,
        cur.unit_id,
        cur.unit_name,
        cur.sector,
        round(cur.self_score, 2) as self_score,
        cur.rank,
        cur.units_ranked,
        round(case when cur.units_ranked > 1 then (cur.units_ranked - cur.rank) / (cur.units_ranked - 1) * 100 end, 2) as percentile,
        round(prev.self_score, 2) as prev_self_score,
        round(cur.self_score - prev.self_score, 2) as score_change,
        prev.rank as prev_rank,
        prev.rank - cur.rank as rank_change,
        cur.is_demo
    from ranked as cur
    left join ranked as prev on prev.unit_id = cur.unit_id and prev.fiscal_year = cur.fiscal_year - 1
)

select * from final
where in_years(fiscal_year, $years, $year_from, $year_to)
    and ($units is null or unit_id in (select unit_id from selected_units))
order by fiscal_year desc, rank, unit_name, unit_id
