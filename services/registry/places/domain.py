"""Place rules, plain Python: kinds with Chinese labels, names, areas and co-owner shares."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from shared.errors import InvalidInput
from shared.labels import LabeledEnum


class CompoundKind(LabeledEnum):
    """小区类型."""

    old = "old", "老旧小区"
    resettlement = "resettlement", "集中居住区"
    commercial = "commercial", "商品房小区"
    super_large = "super_large", "超大型小区"


class ManagementModel(LabeledEnum):
    """物业管理模式."""

    professional = "professional", "专业物业"
    self_managed = "self_managed", "自管"
    community_custody = "community_custody", "社区托管"


class BuildingStructure(LabeledEnum):
    """楼栋结构; drives the fee rate."""

    multi_storey = "multi_storey", "多层"
    high_rise = "high_rise", "高层"


class DwellingUsage(LabeledEnum):
    residential = "residential", "住宅"
    commercial = "commercial", "商业"
    office = "office", "办公"
    other = "other", "其他"


class SaleStatus(LabeledEnum):
    """Unsold dwellings are the developer's: it pays their fees and votes for them as one person."""

    sold = "sold", "已售"
    unsold = "unsold", "未售"


MAX_NAME_LENGTH = 100
MAX_AREA_M2 = Decimal("100000")
FULL_SHARE_BP = 10_000


def normalise_name(name: str, field: str = "name", label: str = "名称") -> str:
    """Trim and collapse inner white space; refuse an empty or over-long name."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(f"{label}不能为空", f"{field} must not be blank", details=[{"field": field, "value": name}])
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"{label}不能超过 {MAX_NAME_LENGTH} 个字符",
            f"{field} must be at most {MAX_NAME_LENGTH} characters",
            details=[{"field": field, "value": cleaned}],
        )
    return cleaned


def parse_area(value: object, field: str = "area_m2") -> Decimal:
    """An area in m²: positive, at most two decimals, below 100,000 m²."""
    try:
        area = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            f"{field} 必须是数字：{value!r}",
            f"{field} must be a number, got {value!r}",
            details=[{"field": field, "value": str(value)}],
        ) from None
    if not area.is_finite() or area <= 0:
        raise InvalidInput(
            f"{field} 必须大于 0：{value}",
            f"{field} must be greater than 0, got {value}",
            details=[{"field": field, "value": str(value)}],
        )
    # Size first: quantizing "1e30" to cents would overflow the decimal context.
    if area >= MAX_AREA_M2:
        raise InvalidInput(
            f"{field} 过大：{value}",
            f"{field} is implausibly large: {value}",
            details=[{"field": field, "value": str(value)}],
        )
    if area != area.quantize(Decimal("0.01")):
        raise InvalidInput(
            f"{field} 最多两位小数：{value}",
            f"{field} has at most two decimals, got {value}",
            details=[{"field": field, "value": str(value)}],
        )
    return area.quantize(Decimal("0.01"))


def check_exclusive_area(area_m2: Decimal, exclusive_area_m2: Decimal) -> None:
    """专有部分面积 cannot exceed 建筑面积."""
    if exclusive_area_m2 > area_m2:
        raise InvalidInput(
            f"专有部分面积 {exclusive_area_m2} 不能大于建筑面积 {area_m2}",
            f"exclusive_area_m2 {exclusive_area_m2} exceeds area_m2 {area_m2}",
            details=[{"field": "exclusive_area_m2", "value": str(exclusive_area_m2)}],
        )


def check_shares(existing_bp: int, added_bp: int) -> None:
    """Co-owners' shares of one dwelling add up to at most 100% (10,000 basis points)."""
    if existing_bp + added_bp > FULL_SHARE_BP:
        raise InvalidInput(
            f"产权份额合计超过 100%（已有 {existing_bp / 100:g}%，新增 {added_bp / 100:g}%）",
            f"Ownership shares exceed 100% ({existing_bp} bp held, {added_bp} bp added)",
            details=[{"field": "share_bp", "value": added_bp, "held_bp": existing_bp}],
        )


class PlaceKind(LabeledEnum):
    """The levels of the place tree, top to bottom (ownerships are not places)."""

    street = "street", "街道"
    community = "community", "社区"
    grid = "grid", "网格"
    cluster = "cluster", "片区"
    compound = "compound", "小区"
    courtyard = "courtyard", "院落"
    building = "building", "楼栋"
    entrance = "entrance", "单元"
    dwelling = "dwelling", "房屋"
    household = "household", "住户"


# What is made directly below each place (None: the top of the tree, where streets are made).
CHILD_KINDS: dict[PlaceKind | None, tuple[PlaceKind, ...]] = {
    None: (PlaceKind.street,),
    PlaceKind.street: (PlaceKind.community,),
    PlaceKind.community: (PlaceKind.grid, PlaceKind.cluster, PlaceKind.compound),
    PlaceKind.grid: (),
    PlaceKind.cluster: (),
    PlaceKind.compound: (PlaceKind.courtyard, PlaceKind.building),
    PlaceKind.courtyard: (),
    PlaceKind.building: (PlaceKind.entrance,),
    PlaceKind.entrance: (PlaceKind.dwelling,),
    PlaceKind.dwelling: (PlaceKind.household,),
    PlaceKind.household: (),
}
