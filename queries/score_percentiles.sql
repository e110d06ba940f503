-- title: 自评得分分位数
-- group: 评分
-- description: 每年、每个行业（及“（全部）”）的自评得分统计：有/无得分的报告数、最低、第10/25/50/75/90百分位数、最高、平均。
-- formula: 分位数为连续分位数（quantile_cont，线性插值）；只用有得分的报告，空白不按0计。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column sector: 行业 — “（全部）”为所有行业合计
-- column reports_scored: 有得分报告数
-- column reports_unscored: 得分空白报告数
-- column min_score: 最低分
-- column p10: 第10百分位数
-- column p25: 下四分位数
-- column median: 中位数
-- column p75: 上四分位数
-- column p90: 第90百分位数
-- column max_score: 最高分
-- column mean_score: 平均分
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

both_scopes as (
    select fiscal_year, sector, self_score, is_demo from reports
    union all
    select fiscal_year, '（全部）', self_score, is_demo from reports
),

final as (
    select
        fiscal_year,
        sector,
        count(self_score) as reports_scored,
        count(*) - count(self_score) as reports_unscored,
        min(self_score) as min_score,
        round(quantile_cont(self_score, 0.10), 2) as p10,
        round(quantile_cont(self_score, 0.25), 2) as p25,
        round(quantile_cont(self_score, 0.50), 2) as median,
        round(quantile_cont(self_score, 0.75), 2) as p75,
        round(quantile_cont(self_score, 0.90), 2) as p90,
        max(self_score) as max_score,
        round(avg(self_score), 2) as mean_score,
        bool_or(is_demo) as is_demo
    from both_scopes
    group by fiscal_year, sector
)

select * from final
order by fiscal_year desc, sector = '（全部）' desc, sector
