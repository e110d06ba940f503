-- title: 自评得分分布
-- group: 评分
-- description: 每年、每个行业（及“（全部）”）的自评得分分组计数与占比，空组也列出（件数为0），便于画直方图。
-- formula: 分组：低于60分为一组“<60”，60–100分按 bin_width 分组，左闭右开，最后一组含100分；
--   超过100分单列“>100”。占比 = 组内报告数 ÷ 该年该行业有得分的报告数 × 100。得分空白的报告不计入。
-- params: filters
-- stored: by year
-- param bin_width double = 5: 分组宽度（分）
-- column fiscal_year: 年度
-- column sector: 行业 — “（全部）”为所有行业合计
-- column bin_label: 得分区间
-- column bin_low: 区间下限（含）
-- column bin_high: 区间上限
-- column reports: 报告数
-- column share_pct: 占比（%）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
    where self_score is not null
),

scored as (
    select
        fiscal_year,
        sector,
        is_demo,
        case
            when self_score < 60 then -1
            when self_score > 100 then 1000
            else least(floor((self_score - 60) / $bin_width), ceil(40 / $bin_width) - 1)::integer
        end as bin_index
    from reports
),

both_scopes as (
    select fiscal_year, sector, is_demo, bin_index from scored
    union all
    select fiscal_year, '（全部）', is_demo, bin_index from scored
),

groups as (
    select fiscal_year, sector, count(*) as scored, bool_or(is_demo) as is_demo
    from both_scopes
    group by fiscal_year, sector
),

bins as (
    select -1 as bin_index
    union all
    select unnest(range(0, ceil(40 / $bin_width)::integer)) as bin_index
    union all
    select 1000 as bin_index
),

counts as (
    select fiscal_year, sector, bin_index, count(*) as reports
    from both_scopes
    group by fiscal_year, sector, bin_index
),

final as (
    select
        g.fiscal_year,
        g.sector,
        case
            when b.bin_index = -1 then '<60'
            when b.bin_index = 1000 then '>100'
            else printf('%g–%g', 60 + b.bin_index * $bin_width, least(60 + (b.bin_index + 1) * $bin_width, 100))
        end as bin_label,
        case when b.bin_index = -1 then null when b.bin_index = 1000 then 100 else 60 + b.bin_index * $bin_width end as bin_low,
        case when b.bin_index = -1 then 60 when b.bin_index = 1000 then null else least(60 + (b.bin_index + 1) * $bin_width, 100) end as bin_high,
        coalesce(c.reports, 0) as reports,
        round(coalesce(c.reports, 0) / g.scored * 100, 2) as share_pct,
        g.is_demo,
        b.bin_index
    from groups as g
    cross join bins as b
    left join counts as c
        on c.fiscal_year = g.fiscal_year and c.sector = g.sector and c.bin_index = b.bin_index
    -- the ">100" bin only where such a score exists
    where b.bin_index <> 1000 or c.reports is not null
)

select * exclude (bin_index) from final
order by fiscal_year desc, sector = '（全部）' desc, sector, bin_index
