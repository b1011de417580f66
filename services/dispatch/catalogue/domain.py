"""The service catalogue (服务目录): categories with the skills that cover them, how they are
dispatched (the grid worker assigns, or members grab), the shared property's per-visit price,
per-category fields and SLA timers per urgency. Pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.error_codes import ErrorCode
from shared.errors import InvalidInput
from shared.labels import LabeledEnum
from shared.money import fen_to_yuan


class DispatchMode(LabeledEnum):
    assign = "assign", "网格员指派"
    grab = "grab", "党员抢单"


class Urgency(LabeledEnum):
    normal = "normal", "一般"
    urgent = "urgent", "紧急"
    emergency = "emergency", "特急（急难愁盼）"


class Stage(LabeledEnum):
    """The clocks an order runs against (SLA)."""

    triage = "triage", "分流"
    accept = "accept", "接单"
    start = "start", "开工"
    resolve = "resolve", "办结"
    confirm = "confirm", "确认"
    follow_up = "follow_up", "回访"


class ChargeTo(LabeledEnum):
    household = "household", "由住户支付"
    compound_fund = "compound_fund", "由小区资金支付"


HOUR = 3600
# Seconds per stage at each urgency, used where a category sets none. The confirm clock is
# the 72 h auto-confirmation at every urgency; follow_up is the grid worker's visit
# (回访) after a rating of 1–2.
DEFAULT_SLA: dict[Urgency, dict[Stage, int]] = {
    Urgency.normal: {Stage.triage: 4 * HOUR, Stage.accept: 2 * HOUR, Stage.start: 24 * HOUR,
                     Stage.resolve: 72 * HOUR, Stage.confirm: 72 * HOUR, Stage.follow_up: 48 * HOUR},
    Urgency.urgent: {Stage.triage: 1 * HOUR, Stage.accept: HOUR // 2, Stage.start: 4 * HOUR,
                     Stage.resolve: 24 * HOUR, Stage.confirm: 72 * HOUR, Stage.follow_up: 24 * HOUR},
    Urgency.emergency: {Stage.triage: HOUR // 4, Stage.accept: HOUR // 4, Stage.start: HOUR,
                        Stage.resolve: 8 * HOUR, Stage.confirm: 72 * HOUR, Stage.follow_up: 24 * HOUR},
}  # fmt: skip

# Offers without an answer before the order escalates instead of being offered again.
DEFAULT_MAX_OFFERS = 3


@dataclass(frozen=True)
class FieldSpec:
    """An extra field a category asks for (e.g. where the leak is)."""

    name: str
    label: str
    required: bool = False


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    skills: tuple[str, ...] = ()
    dispatch_mode: DispatchMode = DispatchMode.assign
    fields: tuple[FieldSpec, ...] = ()
    shared_property_price_fen: int | None = None
    market_price_fen: int | None = None
    charge_to: ChargeTo = ChargeTo.household
    max_offers: int = DEFAULT_MAX_OFFERS
    sla: dict[str, dict[str, int]] = field(default_factory=dict)


def sla_seconds(category: Category, urgency: Urgency, stage: Stage) -> int:
    """The clock for one stage: the category's own figure if set, else the default."""
    own = category.sla.get(urgency.value, {}).get(stage.value)
    return own if own is not None else DEFAULT_SLA[urgency][stage]


def check_fields(category: Category, given: dict[str, Any]) -> dict[str, str]:
    """The category's fields from `given`, as text; 422 naming every missing or unknown one."""
    known = {f.name: f for f in category.fields}
    unknown = sorted(set(given) - set(known))
    missing = [f for f in category.fields if f.required and not str(given.get(f.name) or "").strip()]
    if unknown or missing:
        problems = [f"未知字段 {n}" for n in unknown] + [f"缺少「{f.label}」({f.name})" for f in missing]
        raise InvalidInput(
            f"类别「{category.name}」的字段有误：" + "；".join(problems),
            f"Category {category.code} fields: unknown {unknown}, missing {[f.name for f in missing]}",
            details=[{"field": f"fields.{n}"} for n in unknown] + [{"field": f"fields.{f.name}"} for f in missing],
        )
    return {name: str(value).strip() for name, value in given.items() if str(value).strip()}


def covers(category: Category, skills: list[str] | tuple[str, ...]) -> bool:
    """A member may take an order of the category if they have one of its skills (or it asks none)."""
    return not category.skills or bool(set(category.skills) & set(skills))


def check_prices(shared_property_price_fen: int | None, market_price_fen: int | None) -> None:
    """Shared property (共享物业) charges by the visit "below market price" (seed 002): a category
    with a shared-property price records the market price it is measured against, and the price
    is under it; the saving shown to owners is that difference. 422 otherwise."""
    if shared_property_price_fen is None:
        return
    if market_price_fen is None:
        raise InvalidInput(
            "设置共享物业价格时须同时填写市场价（共享物业按低于市场价收费）",
            "A shared-property price needs the market price it is below (market_price_fen)",
            details=[{"field": "market_price_fen", "value": None}],
            code=ErrorCode.market_price_required,
        )
    if shared_property_price_fen >= market_price_fen:
        raise InvalidInput(
            f"共享物业价格 {fen_to_yuan(shared_property_price_fen)} 元须低于市场价 {fen_to_yuan(market_price_fen)} 元",
            f"The shared-property price ({shared_property_price_fen} fen) must be below the market price "
            f"({market_price_fen} fen)",
            details=[
                {"field": "shared_property_price_fen", "value": shared_property_price_fen},
                {"field": "market_price_fen", "value": market_price_fen},
            ],
            code=ErrorCode.price_not_below_market,
        )


def check_sla(sla: dict[str, dict[str, int]]) -> None:
    """Urgencies and stages must be known and clocks positive; the refusal names the cell as the
    desk shows it (紧急 · 分流)."""
    for urgency, stages in sla.items():
        if urgency not in Urgency.__members__:
            raise InvalidInput(f"未知紧急程度 {urgency}", f"Unknown urgency {urgency}", details=[{"field": "sla"}])
        for stage, seconds in stages.items():
            if stage not in Stage.__members__:
                raise InvalidInput(
                    f"未知办理环节 {stage}", f"Unknown SLA stage {stage}", details=[{"field": f"sla.{urgency}.{stage}"}]
                )
            if seconds <= 0:
                raise InvalidInput(
                    f"时限须大于零：{Urgency(urgency).label} · {Stage(stage).label}",
                    f"Bad SLA entry {urgency}.{stage}={seconds}: a clock must run for some time",
                    details=[{"field": f"sla.{urgency}.{stage}", "value": seconds}],
                )


DEFAULT_CATALOGUE: tuple[Category, ...] = (
    Category("water_leak", "水管漏水", ("plumber",), DispatchMode.assign,
             (FieldSpec("location", "漏水位置", required=True),), 3000, 8000),
    Category("drain_clog", "管道疏通", ("plumber",), DispatchMode.assign,
             (FieldSpec("location", "堵塞位置", required=True),), 5000, 12000),
    Category("electrical", "电路维修", ("electrician",), DispatchMode.assign,
             (FieldSpec("location", "故障位置"),), 3000, 8000),
    Category("home_repair", "家居维修", ("repair",), DispatchMode.grab, (FieldSpec("item", "待修物品"),)),
    Category("stairwell_lighting", "楼道照明", ("electrician", "repair"), DispatchMode.grab,
             (FieldSpec("location", "楼栋单元", required=True),), 2000, 5000, ChargeTo.compound_fund),
    Category("public_facility", "公共设施维修", ("repair",), DispatchMode.assign,
             (FieldSpec("location", "位置", required=True),), 8000, 20000, ChargeTo.compound_fund),
    Category("cleaning", "环境卫生", ("cleaning",), DispatchMode.grab, (FieldSpec("location", "位置"),)),
    Category("elderly_care", "助老服务", ("elderly_care",), DispatchMode.grab),
    Category("legal_aid", "法律咨询", ("lawyer",), DispatchMode.assign),
    Category("health", "健康咨询", ("doctor",), DispatchMode.assign),
    Category("tutoring", "课业辅导", ("teacher",), DispatchMode.grab),
    Category("mediation", "矛盾调解", ("mediation",), DispatchMode.assign),
    Category("it_help", "电脑网络", ("it",), DispatchMode.grab),
    Category("micro_wish", "微心愿", (), DispatchMode.grab),
    Category("other", "其他", (), DispatchMode.assign),
)  # fmt: skip

ENUMS: dict[str, type[LabeledEnum]] = {
    "dispatch_mode": DispatchMode,
    "urgency": Urgency,
    "sla_stage": Stage,
    "charge_to": ChargeTo,
}
