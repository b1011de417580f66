"""The record of a response as .xlsx (应急响应记录): its timeline and who came, a drill marked as one."""

from __future__ import annotations

from datetime import datetime

from services.registry.emergency import schemas as s
from services.registry.ledgers.sheets import Sheet, write_workbook
from shared.clock import LOCAL_TZ


def _when(at: datetime | None) -> str:
    """A moment as the compound lived it (Beijing time); blank when it did not happen."""
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if at is not None else ""


def record_xlsx(record: s.ActivationDetail) -> bytes:
    tag = "【演练】" if record.drill else ""
    head = Sheet(
        f"{tag}概况",
        ["项目", "内容"],
        [
            ["预案", record.plan_name],
            ["小区", record.compound_name],
            ["事件类别", record.incident_kind_label],
            ["性质", record.drill_label],
            ["响应级别", record.level_label],
            ["状态", record.state_label],
            ["情况", record.situation],
            ["启动时间", _when(record.activated_at)],
            ["结束时间", _when(record.closed_at)],
            ["总结", record.summary or ""],
            ["点名人数", record.tally.called],
            ["确认人数", record.tally.acknowledged],
            ["到岗人数", record.tally.at_post],
        ],
        widths=(14, 60),
    )
    timeline = Sheet(
        "时间线",
        ["时间", "事项", "响应级别", "操作人", "说明", "通知人数"],
        [[_when(e.at), e.step_label, e.level_label, e.actor_name or "", e.note, e.notified] for e in record.timeline],
        widths=(18, 12, 28, 12, 40, 10),
    )
    roll_call = Sheet(
        "点名到岗",
        ["姓名", "身份", "岗位", "通知时间", "确认时间", "到岗时间"],
        [
            [c.name, c.role_label, c.post_name, _when(c.called_at), _when(c.acknowledged_at), _when(c.at_post_at)]
            for c in record.roll_call
        ],
        widths=(12, 10, 20, 18, 18, 18),
    )
    return write_workbook([head, timeline, roll_call])
