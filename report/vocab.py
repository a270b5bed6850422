"""The one vocabulary: what every column, status and light is called for people, with its unit.

Screens, slides and Excel lists all read their headers and value formats from here; nothing
else names a column. A column's *kind* says how its values read:

  money   万元 DECIMAL from the warehouse, shown in 亿元 (two decimals) — "总投资（亿元）"
  usd     万美元 DECIMAL — "其中外资（万美元）"
  count   whole projects — "项目数（个）"
  share   a fraction, shown as a percentage with two decimals — "项目数占比" 12.34%
  int     a plain whole number (rank, row number, months)
  date    a day, 2025-06-30
  time    a moment, 2025-06-30 14:05
  period  a "三个一批" period, 第12期
  flag    yes/no, 是/否
  light   a traffic light, ● 红灯 in its colour
  code    a code the warehouse stores (loaded, late …), in its Chinese name (CODES)
  text    as written
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY_UNIT = "亿元"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"

    def header(self, money_unit: str = MONEY_UNIT) -> str:
        if self.kind == "money":
            return f"{self.label}（{money_unit}）"
        if self.kind == "usd":
            return f"{self.label}（万美元）"
        if self.kind == "count":
            return f"{self.label}（个）"
        return self.label


def _c(label: str, kind: str = "text") -> Column:
    return Column(label, kind)


COLUMNS: dict[str, Column] = {
    # a project (warehouse.ledger.LIST_COLUMNS and the projects view)
    "project_code": _c("项目编号"), "project_name": _c("项目名称"), "district": _c("县区"),
    "district_code": _c("行政区划代码"), "park": _c("园区"), "cluster": _c("产业集群"),
    "chain": _c("产业链"), "chain_known": _c("产业链已识别", "flag"), "investor": _c("投资方"),
    "total_investment_wan": _c("总投资", "money"), "investment_note": _c("投资额说明"),
    "foreign_investment_wan_usd": _c("其中外资", "usd"), "stage": _c("项目阶段"),
    "sign_date": _c("签约时间", "date"), "register_date": _c("注册时间", "date"),
    "start_date": _c("开工时间", "date"), "production_date": _c("投产时间", "date"),
    "period": _c("三个一批期数", "period"), "batch": _c("三个一批批次"), "responsible_unit": _c("责任单位"),
    "leader": _c("包保领导"), "investor_kind": _c("投资方类型"), "investor_origin": _c("投资方来源地"),
    "event": _c("签约活动"), "remark": _c("备注"), "location_approximate": _c("位置为近似", "flag"),
    "lng": _c("经度（GCJ-02）"), "lat": _c("纬度（GCJ-02）"), "as_of": _c("台账日期", "date"),
    "first_seen": _c("首次入库台账日期", "date"), "source_file": _c("来源文件"),
    "source_sheet": _c("来源工作表"), "source_row": _c("来源行号", "int"),
    # aggregates
    "projects": _c("项目数", "count"), "investment_wan": _c("总投资", "money"),
    "signed": _c("签约项目", "count"), "signed_wan": _c("签约投资", "money"),
    "started": _c("开工项目", "count"), "started_wan": _c("开工项目投资", "money"),
    "producing": _c("投产项目", "count"), "producing_wan": _c("投产项目投资", "money"),
    "key_investment_wan": _c("重点产业链投资", "money"), "all_investment_wan": _c("总投资", "money"),
    "rank": _c("排名", "int"), "latest_as_of": _c("最新台账日期", "date"), "days_behind": _c("落后天数", "int"),
    "kind": _c("类别"), "share_projects": _c("项目数占比", "share"), "share_investment": _c("投资额占比", "share"),
    "is_key": _c("重点产业链", "flag"), "written_chain": _c("台账所填产业链"), "districts": _c("县区"),
    "band": _c("规模"), "conversion": _c("转化"), "converted": _c("进入后续批次", "count"),
    "rate": _c("转化率", "share"), "reached_now": _c("现已达到", "count"), "reached_rate": _c("现达到比例", "share"),
    "prev_projects": _c("上期项目数", "count"), "months": _c("持续月数", "int"),
    "signed_not_started": _c("签约未开工", "count"), "started_not_producing": _c("开工未投产", "count"),
    "stalled": _c("合计", "count"), "freshness": _c("状态", "code"), "stall_kind": _c("预警类型"),
    "shared_with": _c("另有县区报送"),
    # 数据管理
    "load_id": _c("批次", "int"), "loaded_at": _c("入库时间", "time"), "file_name": _c("文件"),
    "load_kind": _c("类型"), "load_status": _c("状态", "code"), "message": _c("说明"), "as_of_source": _c("日期来源"),
    "rows_read": _c("读取行", "int"), "rows_loaded": _c("入库行", "int"), "rows_skipped": _c("跳过行", "int"),
    "rows_rejected": _c("拒绝行", "int"), "warnings": _c("警告数", "int"), "reason": _c("原因"),
    "raw_values": _c("原始内容"), "warning_kind": _c("类型"), "districts_n": _c("县区数", "int"),
    "project_names": _c("项目"), "project_codes": _c("项目编号"), "field": _c("字段"), "content": _c("内容"),
    "loaded_by": _c("操作账号"), "district_names": _c("县区"),
    # 填报与审核, 账号, 操作日志
    "submission_id": _c("提交编号", "int"), "submitted_at": _c("提交时间", "time"), "login": _c("账号"),
    "submission_status": _c("状态", "code"), "summary": _c("预检结果"), "reviewed_by": _c("审核人"),
    "reviewed_at": _c("审核时间", "time"), "comment": _c("审核意见"), "name": _c("姓名或单位"),
    "role": _c("角色", "code"), "email": _c("邮箱"), "account_state": _c("状态"),
    "last_sign_in": _c("最近登录", "time"), "audit_id": _c("序号", "int"), "happened_at": _c("时间", "time"),
    "action": _c("操作", "code"), "ok": _c("成功", "flag"), "detail": _c("内容"), "address": _c("来源地址"),
    # 目标进度
    "indicator": _c("指标"), "rank_text": _c("排名"), "unit": _c("单位"),
    "target": _c("年度目标"), "actual": _c("完成"), "gap_points": _c("较序时进度（百分点）"),
    "actual_source": _c("完成数来源"), "ledger_as_of": _c("台账日期", "date"), "target_text": _c("目标"), "actual_text": _c("完成"),
    "completion": _c("完成率", "share"), "completion_text": _c("完成率"), "time_progress": _c("序时进度", "share"),
    "gap_text": _c("较序时进度"), "light": _c("预警", "light"), "yoy_text": _c("同比"), "note": _c("说明"),
    # 六职招商 (trips counted in 批次, companies in 家)
    "six_leader": _c("领导"), "post": _c("职务"), "trips_month": _c("本月批次", "int"),
    "trips": _c("本年批次", "int"), "days": _c("外出天数", "int"), "companies_visited": _c("拜访企业数", "int"),
    "leads": _c("线索数", "int"), "receptions": _c("接待客商数", "int"), "six_projects": _c("包抓项目", "count"),
    "linked": _c("已入库", "count"), "six_signed": _c("签约", "count"), "six_registered": _c("履约", "count"),
    "six_started": _c("开工", "count"), "six_producing": _c("投产", "count"), "planned": _c("拟招引项目", "count"),
    "planned_signed": _c("拟招引已签约", "count"), "trip_start": _c("外出时间", "date"),
    "trip_end": _c("返回时间", "date"), "destination": _c("目的地"), "companies": _c("拜访企业名称"),
    "met": _c("对接人"), "lead_notes": _c("线索情况"), "six_code": _c("包抓表项目编号"),
    "is_planned": _c("拟招引", "flag"), "in_ledger": _c("台账中已有", "flag"), "reached_text": _c("已达到阶段"),
    "board": _c("榜单"),
    # 考评排名 (分: points; 名次变化 ↑ moved up)
    "total_text": _c("总分（分）"), "change_text": _c("较上期（分）"), "rank_change_text": _c("名次变化"),
    "lost_text": _c("失分（分）"), "weight_text": _c("权重（分）"), "value_text": _c("完成情况"),
    "points_text": _c("得分（分）"), "method_text": _c("计分方法"), "event_date": _c("日期", "date"),
    "batch_text": _c("本期各批次"), "period_text": _c("考评期"), "entered_by": _c("录入账号"),
    "entered_at": _c("录入时间", "time"), "value": _c("分值"), "current": _c("现行", "flag"),
}


# Columns for the code only: identities and match keys, never shown or exported.
INTERNAL = ("project_id", "name_key", "map_code", "kind_ord", "district_order", "indicator_order")


def column(name: str) -> Column:
    """The column's vocabulary entry (an unknown column keeps its name: never shown by the app)."""
    return COLUMNS.get(name) or Column(name)


def header(name: str, money_unit: str = MONEY_UNIT) -> str:
    return column(name).header(money_unit)


# --- statuses -------------------------------------------------------------------------------

LOAD_STATUS = {"loaded": "已入库", "refused": "已拒收", "superseded": "已被新版本替代", "unchanged": "内容未变"}
FRESHNESS = {"never": "未报送", "late": "逾期", "ok": "正常"}
SUBMISSION_STATUS = {"pending": "待审核", "accepted": "已入库", "returned": "已退回"}
ROLES = {"admin": "系统管理员", "city": "市级用户", "leader": "领导", "district": "县区填报员"}
AUDIT_ACTIONS = {
    "sign_in": "登录", "sign_in_failed": "登录失败", "sign_out": "退出登录", "session_expired": "超时退出",
    "load": "入库", "refuse": "拒收", "submit": "提交审核", "accept": "审核入库", "return": "退回",
    "export": "导出", "account_add": "新建账号", "account_disable": "停用账号", "account_enable": "启用账号",
    "account_password": "重设密码", "audit_export": "导出操作日志", "score_input": "考评录入",
}
CODES = {"load_status": LOAD_STATUS, "freshness": FRESHNESS, "submission_status": SUBMISSION_STATUS,
         "role": ROLES, "action": AUDIT_ACTIONS}


def code_name(column: str, code: str | None) -> str:
    """A stored code in its Chinese name ('loaded' → '已入库'); an unknown code stays as it is."""
    return CODES.get(column, {}).get(code or "", code or "—")


# --- the three lights (三色预警) --------------------------------------------------------------

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHT_NAMES = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯", None: "无完成数"}
LIGHT_COLORS = {GREEN: "#2E9E44", YELLOW: "#E0A800", RED: "#D64545", None: "#BDBDBD"}
# Plain glyphs the CJK fonts have (no emoji font on the intranet servers): the name says the colour.
LIGHT_GLYPHS = {GREEN: "●", YELLOW: "●", RED: "●", None: "○"}


def light_text(light: str | None) -> str:
    """'● 红灯' — the glyph and the name, so the light reads without colour too."""
    return f"{LIGHT_GLYPHS.get(light, '○')} {LIGHT_NAMES.get(light, LIGHT_NAMES[None])}"


def light_rule(yellow, red) -> str:
    """The thresholds in a leader's words (from the settings, never written into a sentence by hand)."""
    y, r = _number(yellow), _number(red)
    return (f"绿灯：达到序时进度或落后不足{y}个百分点；黄灯：落后{y}至{r}个百分点；"
            f"红灯：落后超过{r}个百分点")


def _number(value) -> str:
    from decimal import Decimal

    return format(Decimal(str(value)).normalize(), "f")
