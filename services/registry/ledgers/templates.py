"""What each ledger looks like on paper: the downloadable templates, the cells of an exported
row, and the sheets of the party-member and pairing exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.registry.ledgers.domain import (
    EXAMPLE_MARK,
    LEDGER_COLUMNS,
    RESIDENT_COLUMNS,
    Ledger,
    ResidentRow,
)
from services.registry.ledgers.sheets import Sheet, write_workbook
from services.registry.pairings.domain import PairingKind
from services.registry.party.domain import PartyLedger, Skill
from services.registry.people.domain import Gender, ResidentKind
from services.registry.places.domain import BuildingStructure
from shared.errors import InvalidInput
from shared.labels import LabeledEnum

RESIDENT_HEADERS: tuple[str, ...] = tuple(c.header for c in RESIDENT_COLUMNS)
_RESIDENT_TEXT_COLUMNS = frozenset(
    i for i, c in enumerate(RESIDENT_COLUMNS) if c.field in {"building", "entrance", "room", "id_card", "mobile"}
)
_RESIDENT_WIDTHS = tuple(22 if c.field == "id_card" else 14 for c in RESIDENT_COLUMNS)


@dataclass(frozen=True)
class ResidentCells:
    """One exported resident with their dwelling, in ledger terms."""

    building: str
    entrance: str
    room: str
    area_m2: Decimal
    exclusive_area_m2: Decimal | None
    floor: int | None
    name: str
    gender: str | None
    id_card: str
    mobile: str | None
    relation: str | None
    kind: str
    needy: bool
    moved_in: date | None
    structure: str
    building_floors: int

    def cells(self) -> list[object]:
        """Values in RESIDENT_COLUMNS order; codes shown by their Chinese labels."""
        by_field: dict[str, object] = {
            "building": self.building,
            "entrance": self.entrance,
            "room": self.room,
            "area_m2": f"{self.area_m2:.2f}",
            "exclusive_area_m2": None if self.exclusive_area_m2 is None else f"{self.exclusive_area_m2:.2f}",
            "floor": self.floor,
            "name": self.name,
            "gender": _label(Gender, self.gender),
            "id_card": self.id_card,
            "mobile": self.mobile,
            "relation": self.relation,
            "kind": _label(ResidentKind, self.kind) or ResidentKind.family.label,
            "needy": "是" if self.needy else "否",
            "moved_in": self.moved_in.isoformat() if self.moved_in else None,
            "structure": _label(BuildingStructure, self.structure),
            "building_floors": self.building_floors,
        }
        return [by_field[c.field] for c in RESIDENT_COLUMNS]


def _label(enum: type[Gender] | type[ResidentKind] | type[BuildingStructure], value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return enum(value).label
    except ValueError:
        return value


def cells_of_row(r: ResidentRow, structure: str, building_floors: int) -> list[object]:
    """A ledger row as a spreadsheet row (the generator writes its street this way)."""
    return ResidentCells(
        r.building,
        r.entrance,
        r.room,
        r.area_m2,
        r.exclusive_area_m2,
        r.floor,
        r.name,
        r.gender,
        r.id_card,
        r.mobile,
        r.relation,
        r.kind,
        bool(r.needy),
        r.moved_in,
        structure,
        building_floors,
    ).cells()


def residents_sheet(rows: list[list[object]] | object, title: str = "居民台账") -> Sheet:
    return Sheet(
        title=title,
        headers=RESIDENT_HEADERS,
        rows=rows,  # type: ignore[arg-type]
        text_columns=_RESIDENT_TEXT_COLUMNS,
        widths=_RESIDENT_WIDTHS,
    )


def template_workbook(ledger: Ledger) -> bytes:
    """The headers and one example row (marked, so it is skipped if uploaded as it is), plus a
    sheet explaining each column."""
    columns = LEDGER_COLUMNS.get(ledger)
    if columns is None:
        raise InvalidInput(
            f"暂不提供“{ledger.label}”的导入模板",
            f"No import template for ledger {ledger.value} yet",
            details=[{"field": "ledger", "value": ledger.value}],
        )
    example: list[object] = [*(c.example for c in columns), EXAMPLE_MARK]
    notes = [[c.header, "必填" if c.required else "可空", c.note or "", "、".join(c.aliases)] for c in columns]
    return write_workbook(
        [
            residents_sheet([example], title=ledger.label),
            Sheet("填写说明", ["列", "是否必填", "说明", "也可写作"], notes, widths=(14, 10, 40, 30)),
        ]
    )


def template_filename(ledger: Ledger) -> str:
    return f"{ledger.label}导入模板.xlsx"


# --- party members -------------------------------------------------------------------------

# 四类党员台账, one sheet each, in the order of the ledger enum.
PARTY_LEDGER_SHEETS: tuple[tuple[str, str], ...] = tuple((ledger.value, ledger.label) for ledger in PartyLedger)
PARTY_HEADERS: tuple[str, ...] = (
    "姓名",
    "性别",
    "出生日期",
    "手机号",
    "楼栋号",
    "单元号",
    "房号",
    "所属党组织",
    "一技之长",
    "报到岗位",
    "是否在岗",
)
PARTY_TEXT_COLUMNS = frozenset({3, 4, 5, 6})


def skill_label(skill: str) -> str:
    return _label_of(Skill, skill)


# --- pairings ------------------------------------------------------------------------------

PAIRING_HEADERS: tuple[str, ...] = ("包联类型", "包联人", "被包联对象", "起始日期")


def pairing_kind_label(kind: str) -> str:
    return _label_of(PairingKind, kind)


def _label_of(enum: type[LabeledEnum], value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value
