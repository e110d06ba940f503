"""The report record's vocabulary, in one place: field names and the Chinese
labels the bureau's staff read in warnings, tables and downloads.

The record itself is specified in ../shared/spec/report-record.md (read-only);
this module names its parts for the code. Extractors, the loader, the demo and
the tests import these names rather than spelling them out again, and a test
checks the SQL label tables against them.
"""
from __future__ import annotations

# Report fields, in the spec's order.
REPORT_FIELDS = (
    "region", "fiscal_year", "unit_name", "budget_code", "evaluation_method", "evaluator", "report_date",
    "contact", "phone", "staff_quota", "staff_actual", "functions", "main_tasks", "overall_results",
    "self_score", "grade",
)

# Money lists: kind -> its fields, total first, in the template's column order.
MONEY_FIELDS: dict[str, tuple[str, ...]] = {
    "income": ("total", "carryover", "fiscal_appropriation", "fund_appropriation", "special_account_income",
               "other_income"),
    "expenditure": ("total", "basic", "personnel", "public", "project", "surplus_year", "surplus_cumulative"),
    "three_public": ("total", "reception", "vehicle_operation", "vehicle_purchase", "overseas"),
    "fixed_assets": ("total", "in_use", "leased", "other"),
}
MONEY_KINDS = tuple(MONEY_FIELDS)

# --- budget (the project's own record section, not in the read-only spec) ---
# A form's 年度资金总额 / 部门预算执行情况 row: 年初预算数, 全年(调整)预算数,
# 全年执行数 (万元), 执行率 (%), 分值/权重 and 得分 of that row. Every record has
# the section; all null when the report states none (README: choices).
BUDGET_FIELDS = ("initial", "adjusted", "executed", "execution_rate", "weight", "score")
BUDGET_CN = {"initial": "年初预算数", "adjusted": "全年预算数", "executed": "全年执行数",
             "execution_rate": "执行率", "weight": "分值", "score": "得分"}
# --- end budget ---

# The template's table titles and column names, as warnings name them.
MONEY_TABLE_CN = {
    "income": "年度收入情况", "expenditure": "年度支出和结余情况",
    "three_public": "三公经费", "fixed_assets": "固定资产",
}
MONEY_LIST_CN = {"income": "收入", "expenditure": "支出", "three_public": "三公经费", "fixed_assets": "固定资产"}
MONEY_COLUMN_CN = {
    "income": {"total": "收入合计", "carryover": "上年结转", "fiscal_appropriation": "公共财政拨款",
               "fund_appropriation": "政府基金拨款", "special_account_income": "纳入专户管理的非税收入拨款",
               "other_income": "其他收入"},
    "expenditure": {"total": "支出合计", "basic": "基本支出", "personnel": "人员支出", "public": "公用支出",
                    "project": "项目支出", "surplus_year": "当年结余", "surplus_cumulative": "累计结余"},
    "three_public": {"total": "三公经费合计", "reception": "公务接待费", "vehicle_operation": "公务用车运维费",
                     "vehicle_purchase": "公务用车购置费", "overseas": "因公出国费"},
    "fixed_assets": {"total": "固定资产合计", "in_use": "在用固定资产", "leased": "出租固定资产", "other": "其他"},
}

# Narrative sections (the template's 五、评价报告综述 outline), with their titles.
NARRATIVE_SECTIONS = ("overview", "basic_expenditure", "project_expenditure", "government_fund", "state_capital",
                      "social_insurance_fund", "performance", "problems", "improvements", "other")
SECTION_CN = {
    "overview": "部门（单位）概况", "basic_expenditure": "基本支出情况", "project_expenditure": "项目支出情况",
    "government_fund": "政府性基金预算支出情况", "state_capital": "国有资本经营预算支出情况",
    "social_insurance_fund": "社会保险基金预算支出情况", "performance": "部门整体支出绩效情况",
    "problems": "存在的问题及原因分析", "improvements": "下一步改进措施", "other": "其他需要说明的情况",
}

# Complaint and case channels (cases[].channel), with their names on screen.
CHANNEL_CN = {
    "national_platform": "国家平台", "leader_mailbox": "领导信箱", "hotline_12345": "12345热线",
    "walk_in": "现场/来访", "letters_visits": "信访", "online": "网络平台", "referral": "交办转办",
    "other": "其他", "total": "合计",
}
# The query layer's own channel: a total's cases that no stated channel accounts for.
UNATTRIBUTED_CHANNEL_CN = {"unattributed": "未分渠道"}
