-- Shared building blocks of every query: temp macros and views created on each
-- query's own cursor (so nothing is written to the database, which is opened
-- read-only). Not a query itself (leading underscore: not in the catalog).
--
-- Reads the schema's tables and three frames registered by queries/__init__.py
-- from the editable files under data/:
--   cfg_unit_aliases (region, alias, canonical, line_no)         data/unit_aliases.csv
--   cfg_unit_sectors (kind, value, sector, line_no)              data/unit_sectors.csv
--   cfg_grade_rules  (rule_set, region, year_from, year_to, grade,
--                     min_score, max_score, aliases, line_no)    data/grade_rules.csv
--
-- Objects:
--   name_norm(name, region)      unit name without blanks, with half-width brackets
--                                and without a leading region name
--   unit_identity                one row per loader unit_key -> unit_id, unit_name, sector
--   report_base                  one row per report with its unit identity and sector
--   report_totals                the 汇总 row of each money table, one row per report
--   report_execution             stated and computed budget execution rates per report
--   scoped_reports(...)          report_base restricted by the common filters
--   in_years(y, years, from, to) the common year filter as a predicate
--   grade_for(...)               the grade band rule that applies to a region and year

create or replace temp macro name_norm(name, region) as (
    with step as (
        select replace(replace(regexp_replace(name, '[[:space:]\x{3000}]+', '', 'g'), '（', '('), '）', ')') as n,
               regexp_extract(coalesce(region, ''), '[^省市州盟]+$') as county
    )
    select case
        when region is not null and region <> '' and starts_with(n, region) and length(n) > length(region)
            then substr(n, length(region) + 1)
        when county <> '' and starts_with(n, county) and length(n) > length(county)
            then substr(n, length(county) + 1)
        else n
    end
    from step
);

create or replace temp view unit_identity as
with

report_names as (
    select distinct
        unit_key,
        region,
        nullif(trim(budget_code), '') as budget_code,
        unit_name,
        fiscal_year,
        name_norm(unit_name, region) as name_norm
    from reports
),

aliases as (
    select
        nullif(trim(region), '') as region,
        trim(alias) as alias,
        trim(canonical) as canonical,
        line_no
    from cfg_unit_aliases
    where trim(coalesce(alias, '')) <> '' and trim(coalesce(canonical, '')) <> ''
),

-- the first alias line (file order) that names one of the key's codes or names
alias_hits as (
    select
        n.unit_key,
        arg_min(a.canonical, a.line_no) as canonical
    from report_names as n
    join aliases as a
        on (a.region is null or a.region = n.region)
        and (a.alias = n.budget_code or name_norm(a.alias, n.region) = n.name_norm)
    group by n.unit_key
),

-- codes by normalised name, so a year reported without code joins the coded years;
-- a name shared by two codes is ambiguous and joins neither
code_by_name as (
    select region, name_norm, min(budget_code) as budget_code
    from report_names
    where budget_code is not null
    group by region, name_norm
    having count(distinct budget_code) = 1
),

known_codes as (
    select distinct region, budget_code from report_names where budget_code is not null
),

keys as (
    select
        n.unit_key,
        any_value(n.region) as region,
        arg_max(n.budget_code, n.fiscal_year) filter (where n.budget_code is not null) as budget_code,
        arg_max(n.name_norm, n.fiscal_year) as name_norm,
        any_value(h.canonical) as canonical
    from report_names as n
    left join alias_hits as h on h.unit_key = n.unit_key
    group by n.unit_key
),

-- where each key points: its alias target, else its own code, else its name
targets as (
    select
        k.unit_key,
        k.region,
        case
            when k.canonical is null then k.budget_code
            when c.budget_code is not null then c.budget_code
        end as target_code,
        case
            when k.canonical is null then k.name_norm
            else name_norm(k.canonical, k.region)
        end as target_norm
    from keys as k
    left join known_codes as c
        on c.region is not distinct from k.region and c.budget_code = k.canonical
),

resolved as (
    select
        t.unit_key,
        t.region,
        coalesce(t.region, '') || '|' || coalesce(t.target_code, b.budget_code, t.target_norm) as unit_id
    from targets as t
    left join code_by_name as b
        on t.target_code is null
        and b.region is not distinct from t.region
        and b.name_norm = t.target_norm
),

identity_facts as (
    select
        r.unit_id,
        arg_max(n.unit_name, n.fiscal_year) as unit_name,
        arg_max(n.budget_code, n.fiscal_year) filter (where n.budget_code is not null) as budget_code,
        list(distinct n.budget_code) filter (where n.budget_code is not null) as codes,
        list(distinct n.name_norm) as names
    from resolved as r
    join report_names as n on n.unit_key = r.unit_key
    group by r.unit_id
),

sector_rules as (
    select trim(kind) as kind, trim(value) as value, trim(sector) as sector, line_no
    from cfg_unit_sectors
    where trim(coalesce(value, '')) <> '' and trim(coalesce(sector, '')) <> ''
),

sector_hits as (
    select
        f.unit_id,
        arg_min(
            s.sector,
            (case s.kind when 'code' then 0 when 'name' then 1 else 2 end, s.line_no)
        ) as sector
    from identity_facts as f
    join sector_rules as s
        on (s.kind = 'code' and list_contains(f.codes, s.value))
        or (s.kind = 'name' and list_contains(f.names, name_norm(s.value, null)))
        or (s.kind = 'keyword' and contains(f.unit_name, s.value))
    group by f.unit_id
),

final as (
    select
        r.unit_key,
        r.unit_id,
        f.unit_name,
        r.region,
        f.budget_code,
        coalesce(s.sector, '其他') as sector
    from resolved as r
    join identity_facts as f on f.unit_id = r.unit_id
    left join sector_hits as s on s.unit_id = r.unit_id
)

select * from final;

create or replace temp view report_base as
select
    r.report_id,
    r.fiscal_year,
    i.unit_id,
    r.unit_key,
    i.unit_name,
    r.unit_name as reported_name,
    r.region,
    r.budget_code,
    i.sector,
    r.is_demo,
    r.staff_quota,
    r.staff_actual,
    r.self_score,
    r.grade
from reports as r
join unit_identity as i on i.unit_key = r.unit_key;

-- The unit-as-a-whole row of each money table: the 汇总 row, or the only row
-- when a report gives just one. Blank cells stay NULL.
create or replace temp view report_totals as
with

income_row as (
    select * from income
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
),

expenditure_row as (
    select * from expenditure
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
),

three_public_row as (
    select * from three_public
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
),

fixed_assets_row as (
    select * from fixed_assets
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
)

select
    r.report_id,
    i.total as income_total,
    i.carryover,
    i.fiscal_appropriation,
    i.fund_appropriation,
    i.special_account_income,
    i.other_income,
    e.total as expenditure_total,
    e.basic,
    e.personnel,
    e.public,
    e.project,
    e.surplus_year,
    e.surplus_cumulative,
    t.total as three_public_total,
    t.reception,
    t.vehicle_operation,
    t.vehicle_purchase,
    t.overseas,
    f.total as fixed_assets_total
from reports as r
left join income_row as i on i.report_id = r.report_id
left join expenditure_row as e on e.report_id = r.report_id
left join three_public_row as t on t.report_id = r.report_id
left join fixed_assets_row as f on f.report_id = r.report_id;

-- Budget execution per report.
--   stated_rate: the rate the report states, from the first indicator (document
--     order) in % that speaks of the budget: the 成本指标 "完成预算的88.97%", or an
--     indicator named 预算执行率/预算完成率.
--   budget_wan: a budget figure in 万元 where the report gives one as an indicator
--     (预算数/预算金额/预算总额/年初预算/全年预算); the record has no budget field.
--   rate_vs_budget = expenditure_total / budget_wan * 100
--   rate_vs_income = expenditure_total / income_total * 100
--   execution_rate = the stated rate, else vs budget, else vs income (execution_basis says which).
create or replace temp view report_execution as
with

stated as (
    select
        report_id,
        arg_min(actual_value, row_no) as stated_rate,
        arg_min(name, row_no) as stated_indicator
    from indicators
    where actual_unit = '%'
        and actual_value is not null
        and (actual_text like '%预算%' or name like '%预算执行率%' or name like '%预算完成率%')
    group by report_id
),

budget as (
    select report_id, arg_min(actual_value, row_no) as budget_wan
    from indicators
    where actual_unit = '万元'
        and actual_value > 0
        and regexp_matches(name, '预算(数|金额|总额|资金)|(年初|全年|调整后)预算')
        and not regexp_matches(name, '率|执行数|支出数|决算')
    group by report_id
),

final as (
    select
        t.report_id,
        s.stated_rate,
        s.stated_indicator,
        b.budget_wan,
        t.income_total,
        t.expenditure_total,
        round(t.expenditure_total / nullif(b.budget_wan, 0) * 100, 2) as rate_vs_budget,
        round(t.expenditure_total / nullif(t.income_total, 0) * 100, 2) as rate_vs_income
    from report_totals as t
    left join stated as s on s.report_id = t.report_id
    left join budget as b on b.report_id = t.report_id
)

select
    *,
    coalesce(stated_rate, rate_vs_budget, rate_vs_income) as execution_rate,
    case
        when stated_rate is not null then '报告所述'
        when rate_vs_budget is not null then '支出÷预算'
        when rate_vs_income is not null then '支出÷收入'
    end as execution_basis
from final;

-- The common filters. Every argument is NULL-able: NULL means "no filter".
--   years: list of fiscal years; year_from/year_to: inclusive range;
--   units: list of unit_id, unit_key, budget code or unit name (as reported or latest);
--   sectors: list of sectors; data_kind: 'real' | 'demo' | NULL/'all'.
create or replace temp macro in_years(y, years, year_from, year_to) as
    (years is null or list_contains(years, y))
    and (year_from is null or y >= year_from)
    and (year_to is null or y <= year_to);

create or replace temp macro scoped_reports(years, year_from, year_to, units, sectors, data_kind) as table
select *
from report_base
where in_years(fiscal_year, years, year_from, year_to)
    and (units is null or list_has_any(units, list_filter([unit_id, unit_key, budget_code, reported_name, unit_name], x -> x is not null)))
    and (sectors is null or list_contains(sectors, sector))
    and (data_kind is null or data_kind = 'all' or (data_kind = 'demo') = is_demo);

-- Grade bands that apply to each (region, fiscal_year): a rule set named by
-- the caller, else the most specific matching one (exact region before any
-- region, then the latest year_from, then file order).
create or replace temp macro grade_bands(rule_set_name) as table
with

rules as (
    select
        trim(rule_set) as rule_set,
        nullif(trim(region), '') as region,
        try_cast(year_from as integer) as year_from,
        try_cast(year_to as integer) as year_to,
        trim(grade) as grade,
        try_cast(min_score as double) as min_score,
        try_cast(max_score as double) as max_score,
        list_transform(string_split(coalesce(aliases, ''), '|'), a -> trim(a)) as aliases,
        line_no
    from cfg_grade_rules
    where trim(coalesce(grade, '')) <> ''
),

report_keys as (
    select distinct region, fiscal_year from reports
),

candidates as (
    select
        k.region,
        k.fiscal_year,
        r.rule_set,
        min(r.line_no) as first_line,
        any_value(r.region) is not null as exact_region,
        max(r.year_from) as year_from
    from report_keys as k
    join rules as r
        on (rule_set_name is null or r.rule_set = rule_set_name)
        and (r.region is null or r.region = k.region)
        and (r.year_from is null or k.fiscal_year >= r.year_from)
        and (r.year_to is null or k.fiscal_year <= r.year_to)
    group by k.region, k.fiscal_year, r.rule_set
),

chosen as (
    select region, fiscal_year, rule_set
    from candidates
    qualify row_number() over (
        partition by region, fiscal_year
        order by exact_region desc, year_from desc nulls last, first_line
    ) = 1
)

select
    c.region,
    c.fiscal_year,
    c.rule_set,
    r.grade,
    r.min_score,
    r.max_score,
    r.aliases,
    r.line_no
from chosen as c
join rules as r
    on r.rule_set = c.rule_set
    and (r.region is null or r.region = c.region)
    and (r.year_from is null or c.fiscal_year >= r.year_from)
    and (r.year_to is null or c.fiscal_year <= r.year_to);
