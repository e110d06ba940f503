-- title: 投诉来源渠道
-- group: 投诉
-- description: 每年每个渠道一行：所选单位受理的投诉/案件件数、占比，及与上年的比较。
-- formula: 渠道件数 = 各报告该渠道行件数之和；某类别合计大于各渠道之和时，差额计入“未分渠道”；
--   占比 = 渠道件数 ÷ 当年全部件数（含未分渠道） × 100；变化 = 本年 − 上年，变化率 = 变化 ÷ 上年 × 100。
-- params: filters
-- stored: by year
-- param categories varchar[] = null: 案件类别（可多选，如“欠薪投诉”）
-- column fiscal_year: 年度
-- column channel: 渠道代码
-- column channel_name: 渠道
-- column cases: 件数
-- column share_pct: 占比（%）
-- column units: 涉及单位数
-- column prev_cases: 上年件数
-- column change: 变化（件）
-- column change_pct: 变化率（%）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports(null, null, null, $units, $sectors, $data_kind)
    where in_years_or_prior(fiscal_year, $years, $year_from, $year_to)
),

case_rows as (
    select c.*, r.fiscal_year, r.unit_id, r.is_demo
    from q_cases as c
    join reports as r on r.report_id = c.report_id
    where c.channel <> 'total'
        and ($categories is null or list_contains($categories, c.category))
),

per_year_channel as (
    select
        fiscal_year,
        channel,
        sum(cases) as cases,
        count(distinct unit_id) filter (where cases > 0) as units,
        bool_or(is_demo) as is_demo
    from case_rows
    where cases is not null
    group by fiscal_year, channel
),

final as (
    select
        cur.fiscal_year,
        cur.channel,
        channel_name(cur.channel) as channel_name,
        cur.cases::bigint as cases,
        round(cur.cases / nullif(sum(cur.cases) over (partition by cur.fiscal_year), 0) * 100, 2) as share_pct,
        cur.units,
        prev.cases::bigint as prev_cases,
        (cur.cases - prev.cases)::bigint as change,
        round((cur.cases - prev.cases) / nullif(prev.cases, 0) * 100, 2) as change_pct,
        cur.is_demo
    from per_year_channel as cur
    left join per_year_channel as prev on prev.channel = cur.channel and prev.fiscal_year = cur.fiscal_year - 1
)

select * from final
where in_years(fiscal_year, $years, $year_from, $year_to)
order by fiscal_year desc, cases desc, channel
