"""Notifications, the pure rules: what each kind of message says (Chinese templates with the
link to open in the app), which channels exist, quiet hours, retry back-off and dedup keys.

Nothing here knows a contact detail: messages are rendered from event data (ids, amounts,
category names), so a message text never carries personal data either."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.clock import LOCAL_TZ
from shared.labels import LabeledEnum
from shared.money import fen_to_yuan


class Kind(LabeledEnum):
    """What a person hears about (one template each)."""

    order_offered = "order_offered", "新的派单邀约"
    order_offer_lapsing = "order_offer_lapsing", "派单邀约即将过期"
    wish_to_claim = "wish_to_claim", "可认领的微心愿"
    points_lists_published = "points_lists_published", "积分红黑榜公布"
    order_new_in_grid = "order_new_in_grid", "网格内新工单"
    order_escalated = "order_escalated", "工单升级"
    order_accepted = "order_accepted", "工单已被接单"
    order_completed = "order_completed", "工单已完成，请确认并评价"
    follow_up_due = "follow_up_due", "待回访"
    referral_updated = "referral_updated", "转办进展"
    payment_notification_refused = "payment_notification_refused", "支付通知被拒收"
    bill_issued = "bill_issued", "账单已出"
    arrears_reminder = "arrears_reminder", "缴费提醒"
    payment_received = "payment_received", "缴费已到账"
    vote_noticed = "vote_noticed", "业主表决公告"
    vote_opened = "vote_opened", "业主表决开始"
    vote_closing_soon = "vote_closing_soon", "表决即将截止"
    vote_outcome = "vote_outcome", "表决结果"
    disclosure_published = "disclosure_published", "小区收支公示"
    proposal_step_waiting = "proposal_step_waiting", "议题待本机构办理"
    approval_waiting = "approval_waiting", "待复核的资金使用申请"
    objection_raised = "objection_raised", "议题异议待答复"
    tally_to_certify = "tally_to_certify", "表决结果待核签"
    emergency_roll_call = "emergency_roll_call", "应急动员点名"
    emergency_response = "emergency_response", "应急响应通报"


class Channel(LabeledEnum):
    """Where a message goes. The in-app inbox always gets it; the others are chosen per person
    and kind among those the deployment turns on (NOTIFY_CHANNELS)."""

    in_app = "in_app", "站内消息"
    log = "log", "开发日志（不真正发送）"
    email = "email", "电子邮件"
    sms = "sms", "短信"
    wechat = "wechat", "微信订阅消息"


EXTERNAL: tuple[Channel, ...] = (Channel.log, Channel.email, Channel.sms, Channel.wechat)


class DeliveryStatus(LabeledEnum):
    pending = "pending", "待发送"
    sent = "sent", "已发送"
    failed = "failed", "发送失败，已放弃"
    skipped = "skipped", "无需发送"


ENUMS: dict[str, type[LabeledEnum]] = {
    "notification_kind": Kind,
    "notification_channel": Channel,
    "delivery_status": DeliveryStatus,
}


@dataclass(frozen=True)
class Template:
    title: str
    body: str
    link: str


# `{…}` fields come from the event (see consumers.py); none is a contact detail.
TEMPLATES: dict[Kind, Template] = {
    Kind.order_offered: Template(
        "新的派单：{category_name}",
        "网格员请您帮忙处理一张「{category_name}」工单（{urgency_label}），请在 {deadline} 前接单或婉拒。",
        "/tasks/{order_id}",
    ),
    Kind.order_offer_lapsing: Template(
        "邀约即将过期：{category_name}",
        "「{category_name}」工单的接单邀约将在 {deadline} 过期。能帮忙请尽快接单，不方便请婉拒，以便网格员另找他人。",
        "/tasks/{order_id}",
    ),
    Kind.wish_to_claim: Template(
        "有新的微心愿待认领",
        "您服务的小区有居民许下了一个微心愿，欢迎在应用中查看并认领，帮他圆梦。",
        "/tasks/{order_id}",
    ),
    Kind.points_lists_published: Template(
        "{period}积分红黑榜已公布",
        "您服务的小区{period}党员服务积分红榜（表扬榜）和黑榜（提醒榜）已公布，请在公示栏查看。",
        "/board",
    ),
    Kind.order_new_in_grid: Template(
        "网格内新工单：{category_name}",
        "您负责的网格有居民提交了「{category_name}」工单（{urgency_label}），请及时分流。",
        "/tasks/{order_id}",
    ),
    Kind.order_escalated: Template(
        "工单已升级：{category_name}",
        "「{category_name}」工单未按时处理，已升级到{level_label}，请尽快跟进。",
        "/tasks/{order_id}",
    ),
    Kind.order_accepted: Template(
        "您的工单已被接单",
        "您提交的「{category_name}」工单已有人接单，将尽快上门处理。",
        "/orders/{order_id}",
    ),
    Kind.order_completed: Template(
        "工单已完成，请确认并评价",
        "您提交的「{category_name}」工单已处理完成，请确认结果并给这次服务评个分。",
        "/orders/{order_id}",
    ),
    Kind.follow_up_due: Template(
        "待回访：{category_name}",
        "居民对「{category_name}」工单的评价为 {rating} 星，请安排回访，了解原因并登记回访结果。",
        "/tasks/{order_id}",
    ),
    Kind.referral_updated: Template(
        "转办进展：{category_name}",
        "转交职能部门办理的「{category_name}」工单有了新进展，请查看并告知居民。",
        "/tasks/{order_id}",
    ),
    Kind.payment_notification_refused: Template(
        "支付通知被拒收：{channel_label}",
        "{channel_label}发来的一条支付通知（商户订单号 {out_trade_no}）未通过校验，没有入账"
        "（原因：{reason_label}）。请核对这笔缴费，必要时联系支付渠道。",
        "/console/",
    ),
    Kind.bill_issued: Template(
        "{period_label}账单已出",
        "您家{period_label}的账单已出，请在应用中查看明细并缴费。",
        "/bills",
    ),
    Kind.arrears_reminder: Template(
        "缴费提醒",
        "温馨提示：您家尚有 {outstanding_yuan} 元费用未缴（最早为 {oldest_period}），"
        "方便时请在应用中缴纳。如已缴纳请忽略。",
        "/bills",
    ),
    Kind.payment_received: Template(
        "缴费已到账",
        "您家缴纳的 {amount_yuan} 元已到账，收据号 {receipt_no}。",
        "/bills",
    ),
    Kind.vote_noticed: Template(
        "表决公告：{title}",
        "小区就「{title}」发布了业主表决公告，请留意表决开始时间并按时投票。",
        "/votes",
    ),
    Kind.vote_opened: Template(
        "表决开始：{title}",
        "小区业主表决「{title}」已开始，请在 {closes_at} 前投票。",
        "/votes/{vote_id}",
    ),
    Kind.vote_closing_soon: Template(
        "表决即将截止：{title}",
        "小区业主表决「{title}」将于 {closes_at} 截止。还没投票的业主请及时投票，已投票的可以忽略本消息。",
        "/votes/{vote_id}",
    ),
    Kind.vote_outcome: Template(
        "表决结果：{outcome_label}",
        "小区业主表决（第 {vote_id} 号）已结束，结果：{outcome_label}。",
        "/votes/{vote_id}",
    ),
    Kind.disclosure_published: Template(
        "{period_label}收支公示",
        "小区{period_label}的收支公示已发布（第 {seq} 期），欢迎查阅。",
        "/board",
    ),
    Kind.proposal_step_waiting: Template(
        "待{body_label}办理：{title}",
        "议题「{title}」已进入「{status_label}」，等待{body_label}办理。",
        "/console/",
    ),
    Kind.approval_waiting: Template(
        "待您复核：{action_label} {amount_yuan} 元",
        "有委员申请「{action_label}」{amount_yuan} 元（申请第 {approval_id} 号），"
        "按四眼原则须由另一位委员复核，请在应用中查看并审批。",
        "/console/",
    ),
    Kind.objection_raised: Template(
        "异议待答复：{title}",
        "监事会对议题「{title}」提出了异议（第 {objection_id} 号），请业委会在应用中答复；异议未答复前，表决不能计票。",
        "/console/",
    ),
    Kind.tally_to_certify: Template(
        "待核签表决结果：第 {vote_id} 号表决",
        "业主表决（第 {vote_id} 号）已计票，结果：{outcome_label}。请监事会核对计票与审计链后签署。",
        "/console/",
    ),
    Kind.emergency_roll_call: Template(
        "{drill_tag}应急动员：{plan_name}",
        "{drill_tag}{compound_name}启动「{plan_name}」（{incident_label}，{level_label}）。"
        "请立即在应用中确认收到，并前往「{post_name}」{post_location}到岗报到。",
        "/emergency/{activation_id}",
    ),
    Kind.emergency_response: Template(
        "{drill_tag}{level_label}：{plan_name}",
        "{drill_tag}{compound_name}的「{plan_name}」（{incident_label}）已启动{level_label}，"
        "请贵级工作人员响应并协同处置。说明：{note}",
        "/console/emergency",
    ),
}

# Kinds that must not wait for the morning: quiet hours hold the rest for external channels.
URGENT_KINDS: frozenset[Kind] = frozenset(
    {Kind.order_escalated, Kind.payment_notification_refused, Kind.emergency_roll_call, Kind.emergency_response}
)
# SMS costs money and wakes phones: by default only for escalations (a person may choose it for
# other kinds). An urgent offer reaches SMS by ESCALATING instead, if it stays unopened.
# A roll call reaches phones by SMS too: the called may not have the app open (seed 002: 及时下沉).
SMS_BY_DEFAULT: frozenset[Kind] = frozenset({Kind.order_escalated, Kind.emergency_roll_call, Kind.emergency_response})
# Urgent messages of these kinds lapse if nobody sees them: unopened in the app after
# NOTIFY_ESCALATE_AFTER_MINUTES, they go by SMS too (whatever channels the person chose).
ESCALATING: frozenset[Kind] = frozenset({Kind.order_offered})


# What a person needs to do their duty or keep their rights (an offer to take, an order in
# their grid, an escalation, an owners' vote noticed): no one-tap unsubscribe. Every other kind
# carries an unsubscribe link in each e-mail and SMS.
ESSENTIAL_KINDS: frozenset[Kind] = frozenset(
    {
        Kind.order_offered,
        Kind.order_offer_lapsing,
        Kind.order_new_in_grid,
        Kind.order_escalated,
        Kind.follow_up_due,
        Kind.payment_notification_refused,
        Kind.vote_noticed,
        Kind.proposal_step_waiting,
        Kind.approval_waiting,
        Kind.objection_raised,
        Kind.tally_to_certify,
        Kind.emergency_roll_call,
        Kind.emergency_response,
    }
)


def unsubscribe_token(key: bytes, person_id: int, kind: Kind) -> str:
    """`<person>.<kind>.<signature>`: names whose messages of which kind to stop, signed so that
    nobody can stop another person's (it carries an id, not a contact)."""
    message = f"unsubscribe:{person_id}:{kind.value}".encode()
    return f"{person_id}.{kind.value}.{hmac.new(key, message, hashlib.sha256).hexdigest()[:32]}"


def read_unsubscribe_token(key: bytes, token: str) -> tuple[int, Kind] | None:
    """The person and kind a genuine token names, else None."""
    person, _, rest = token.partition(".")
    kind, _, _signature = rest.partition(".")
    if not person.isdigit() or kind not in Kind.__members__ or len(person) > 12:
        return None
    expected = unsubscribe_token(key, int(person), Kind(kind))
    return (int(person), Kind(kind)) if hmac.compare_digest(expected, token) else None


def default_channels(enabled: frozenset[Channel], kind: Kind) -> list[Channel]:
    """Without a choice of their own, people get every external channel the deployment has on
    (SMS only for SMS_BY_DEFAULT; those that cannot reach them are skipped when sending)."""
    return [c for c in EXTERNAL if c in enabled and (c is not Channel.sms or kind in SMS_BY_DEFAULT)]


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    link: str


def render(kind: Kind, params: dict[str, object]) -> Rendered:
    """The message of one kind, filled with the event's fields."""
    template = TEMPLATES[kind]
    return Rendered(template.title.format(**params), template.body.format(**params), template.link.format(**params))


def dedup_key(event_id: str, kind: Kind) -> str:
    """One event yields at most one message of a kind per person (with the person id, the
    table's unique key); a redelivered event finds its messages already there."""
    return f"{event_id}:{kind.value}"


def local_time_label(at: datetime, tz: ZoneInfo = LOCAL_TZ) -> str:
    """A moment as people read it on their phone: 11月20日 14:30 in the compound's time zone."""
    local = at.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def amount_label(fen: int) -> str:
    return fen_to_yuan(fen)


@dataclass(frozen=True)
class QuietHours:
    """Hours in which non-urgent messages are held back from external channels (the inbox
    gets them at once). `start` > `end` means the hours span midnight (22:00-07:00)."""

    start: time = time(22, 0)
    end: time = time(7, 0)
    tz: ZoneInfo = LOCAL_TZ

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(self.tz).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release_at(self, now: datetime, urgent: bool) -> datetime:
        """When an external channel may send a message created `now`: at once if urgent or
        outside quiet hours, else at the end of the quiet hours (07:00 local)."""
        if urgent or not self.contains(now):
            return now
        local = now.astimezone(self.tz)
        day = local.date()
        if local.time() >= self.end and self.start > self.end:
            day += timedelta(days=1)  # evening: the quiet hours end tomorrow morning
        return datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)


def parse_clock_time(value: str) -> time:
    """'22:00' -> time(22, 0) (settings)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def retry_at(now: datetime, attempts: int, base_s: float, max_s: float) -> datetime:
    """Exponential back-off after the `attempts`-th failed attempt (1, 2, …)."""
    return now + timedelta(seconds=min(max_s, base_s * 2 ** max(0, attempts - 1)))


def mask_email(address: str) -> str:
    """z***@example.com: enough for the owner to recognise it, nothing for a log reader."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
