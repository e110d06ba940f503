-- title: 分数对应等次
-- group: 评分
-- description: 给定一个分数（如复核得分）与报告的地区、年度，按 data/grade_rules.csv 中适用于该地区和年度的分档规则
--   （与 implied_grade 相同的选用规则）给出等次；没有适用规则或分数为空时无结果行。
-- formula: 等次 = 满足 下限 ≤ 分数 < 上限 的那一档（同一地区年度选用的规则内，按文件顺序取第一档）。
-- param score double = null: 分数（0–100）
-- param region varchar = null: 地区（报告的地区，如“岳阳市云溪区”）
-- param fiscal_year integer = null: 年度
-- column grade: 等次
-- column rule_set: 分档规则
with

bands as (
    select * from grade_bands(null)
),

final as (
    select grade, rule_set
    from bands
    where region is not distinct from $region
        and fiscal_year = $fiscal_year
        and $score >= coalesce(min_score, '-infinity'::double)
        and $score < coalesce(max_score, 'infinity'::double)
    order by line_no
    limit 1
)

select * from final
