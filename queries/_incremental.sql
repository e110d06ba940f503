-- Incremental refresh of the derived q_* tables (queries.refresh): the statements
-- that find what changed since the last refresh and delete the rows it affects.
-- The rows are then computed again by the very statements of _derive.sql and
-- _findings.sql (their "create or replace table q_X as <select>" run as
-- "insert into q_X <select>"), which compute only the reports in temp table
-- q_scope (macro in_scope) and the years in q_scope_years; the stored listings
-- (q_stored_NAME_y<year>) of the years touched are rebuilt whole by refresh().
-- Not a query itself (leading underscore). Each block runs as one call, in the
-- order refresh() names them; "-- name: X" starts block X.
--
-- What depends on what, and so what one changed report brings along:
--   q_unit_identity   all reports of a region (aliases, codes by name, merges): computed
--                     again whole (inc_identity); the unit_keys whose row differs
--                     (inc_keys) bring every report of theirs, every year, into q_scope
--   q_reports, q_cases, q_consistency   one report each: the reports in q_scope;
--                     name_order (place of the name among all names) renumbered after
--   q_quantity_indicators   sort_key numbers a whole year: the years of q_scope's rows,
--                     old and new (q_scope_years), rebuilt whole
--   q_signals, q_report_flags   a report and its unit's report of the year before
--                     (same text as last year): q_scope plus the reports of the year
--                     after each affected unit-year
--   q_stored_*        a year's listing: rebuilt whole for each year whose rows changed,
--                     and the year after for the listings that compare with last year

-- name: changes
-- reports loaded, and reports gone (replaced or deleted), since the last refresh
create or replace temp table inc_new as
select report_id from reports
where report_id not in (select report_id from q_reports);

create or replace temp table inc_gone as
select report_id from q_reports
where report_id not in (select report_id from reports);

-- name: counts
select
    (select count(*) from inc_new) as loaded,
    (select count(*) from inc_gone) as gone,
    (select count(*) from reports) as reports;

-- name: new_names
-- q_report_names of the reports loaded are inserted next (refresh runs _derive.sql's statement)
create or replace temp table q_scope as select report_id from inc_new;

-- name: seed_keys
-- the keys of the reports loaded or gone; their identity and that of every key linked
-- to them by a code or a name (its own, or an alias's target) is computed again
create or replace temp table q_scope_keys as
select distinct unit_key from q_report_names
where report_id in (select report_id from inc_new) or report_id in (select report_id from inc_gone);

-- each key's alias targets, as code and as name (a key may point where another key is)
create or replace temp table inc_alias_features as
with

aliases as (
    select nullif(trim(region), '') as region, trim(alias) as alias, trim(canonical) as canonical
    from q_unit_aliases
    where trim(coalesce(alias, '')) <> '' and trim(coalesce(canonical, '')) <> ''
),

regions as (
    select distinct region from q_report_names
),

alias_names as (
    select a.*, g.region as key_region, name_norm(a.alias, g.region) as alias_norm
    from aliases as a
    join regions as g on a.region is null or a.region is not distinct from g.region
),

hits as (
    select distinct n.unit_key, a.canonical, name_norm(a.canonical, n.region) as canonical_norm
    from q_report_names as n
    join alias_names as a
        on a.key_region is not distinct from n.region
        and (a.alias = n.budget_code or a.alias_norm = n.name_norm)
)

select unit_key, canonical as feature from hits
union
select unit_key, canonical_norm from hits;

-- name: grow_keys
-- one step of the closure: the codes and names of the keys so far, then every key with one
create or replace temp table inc_features as
select budget_code as feature from q_report_names
where unit_key in (select unit_key from q_scope_keys) and budget_code is not null
union
select name_norm from q_report_names where unit_key in (select unit_key from q_scope_keys)
union
select feature from inc_alias_features where unit_key in (select unit_key from q_scope_keys);

insert into q_scope_keys
select distinct unit_key from (
    select unit_key from q_report_names
    where budget_code in (select feature from inc_features) or name_norm in (select feature from inc_features)
    union
    select unit_key from inc_alias_features where feature in (select feature from inc_features)
)
where unit_key not in (select unit_key from q_scope_keys);

-- name: count_keys
select count(*) from q_scope_keys;

-- name: drop_gone_names
delete from q_report_names where report_id in (select report_id from inc_gone);

-- name: identity
-- inc_identity holds the identity of the keys in q_scope_keys computed again (refresh
-- runs _derive.sql's statement into it); the keys whose row is new, gone or different
create or replace temp table inc_keys as
select unit_key from (
    select * from inc_identity
    except all
    select * from q_unit_identity where unit_key in (select unit_key from q_scope_keys)
)
union
select unit_key from (
    select * from q_unit_identity where unit_key in (select unit_key from q_scope_keys)
    except all
    select * from inc_identity
);

delete from q_unit_identity where unit_key in (select unit_key from inc_keys);

insert into q_unit_identity
select * from inc_identity where unit_key in (select unit_key from inc_keys);

-- name: report_scope
-- the reports to compute again: those loaded and every report of a key whose identity changed
create or replace temp table q_scope as
select report_id from inc_new
union
select report_id from reports where unit_key in (select unit_key from inc_keys);

-- the rows they had before, and those of the reports gone
create or replace temp table inc_old as
select report_id, unit_id, fiscal_year from q_reports
where report_id in (select report_id from inc_gone) or in_scope(report_id);

delete from q_reports where report_id in (select report_id from inc_old);

-- name: after_reports
-- the unit name's place in name order over all reports, as a full build numbers it
update q_reports set name_order = n.name_order
from (
    select unit_name, dense_rank() over (order by unit_name) as name_order
    from (select distinct unit_name from q_reports)
) as n
where q_reports.unit_name = n.unit_name and q_reports.name_order <> n.name_order;

-- the unit-years touched, before and after
create or replace temp table inc_unit_years as
select unit_id, fiscal_year from inc_old
union
select unit_id, fiscal_year from q_reports where in_scope(report_id);

create or replace temp table q_scope_years as
select distinct fiscal_year from inc_unit_years;

delete from q_quantity_indicators where fiscal_year in (select fiscal_year from q_scope_years);
delete from q_cases where report_id in (select report_id from inc_old);
delete from q_consistency where report_id in (select report_id from inc_old);

-- name: signal_scope
-- the signals compare a report with its unit's report of the year before: add the
-- reports of the year after each unit-year touched
insert into q_scope
select r.report_id
from q_reports as r
join inc_unit_years as u on u.unit_id = r.unit_id and u.fiscal_year = r.fiscal_year - 1
where not in_scope(r.report_id);

create or replace temp table inc_old_signals as
select * from q_signals where report_id in (select report_id from inc_old) or in_scope(report_id);

create or replace temp table inc_old_flags as
select * from q_report_flags where report_id in (select report_id from inc_old) or in_scope(report_id);

delete from q_signals where report_id in (select report_id from inc_old_signals);
delete from q_report_flags where report_id in (select report_id from inc_old_flags);

-- name: changed_years
-- report_years: the years whose reports changed (q_reports and all per-report tables);
-- signal_years: the years whose signals or flags changed (the year after, for the text
-- compared with last year), for the listings that read them
with

new_signals as (select * from q_signals where in_scope(report_id)),
new_flags as (select * from q_report_flags where in_scope(report_id)),

changed as (
    select report_id from (select * from new_signals except all select * from inc_old_signals)
    union select report_id from (select * from inc_old_signals except all select * from new_signals)
    union select report_id from (select * from new_flags except all select * from inc_old_flags)
    union select report_id from (select * from inc_old_flags except all select * from new_flags)
)

select
    (select coalesce(list(fiscal_year order by fiscal_year), []) from q_scope_years) as report_years,
    (select coalesce(list(distinct r.fiscal_year order by r.fiscal_year), [])
     from changed as c join q_reports as r using (report_id)) as signal_years,
    (select coalesce(list(distinct fiscal_year order by fiscal_year), []) from q_reports) as years;

-- name: cleanup
drop table if exists inc_new;
drop table if exists inc_gone;
drop table if exists inc_identity;
drop table if exists inc_keys;
drop table if exists inc_old;
drop table if exists inc_unit_years;
drop table if exists inc_old_signals;
drop table if exists inc_old_flags;
drop table if exists inc_alias_features;
drop table if exists inc_features;
drop table if exists q_scope_keys;
drop table if exists q_scope;
drop table if exists q_scope_years;
