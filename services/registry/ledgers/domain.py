"""Ledger (台账) rules, plain Python: the columns of each ledger, how a clerk's cell becomes a
value, what makes a row bad, what must agree across rows, and how co-owners share a dwelling.

A row is judged on its own first (parse_resident) and then against the rows before it
(ResidentBook.admit): the first good row that names a dwelling fixes its area, later rows
must agree with it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.registry.people import domain as people
from services.registry.people.domain import Gender, ResidentKind, mask_id_card, mask_mobile
from services.registry.places.domain import FULL_SHARE_BP, BuildingStructure, parse_area
from shared.errors import InvalidInput
from shared.labels import LabeledEnum

MAX_ERRORS_KEPT = 200
# Buildings above this many floors are high-rise (高层) when a ledger does not say.
MULTI_STOREY_MAX_FLOORS = 6
MAX_FLOORS = 200


class Ledger(LabeledEnum):
    """The ledgers Linli takes in and gives back."""

    residents = "residents", "居民台账"
    party_members = "party_members", "党员台账"


class ImportMode(LabeledEnum):
    all_or_nothing = "all_or_nothing", "全部成功才写入"
    good_rows = "good_rows", "只写入正确的行"


class JobStatus(LabeledEnum):
    queued = "queued", "排队中"
    running = "running", "导入中"
    done = "done", "已完成"
    failed = "failed", "失败"


# --- columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a ledger: its Chinese header, the field it fills, and an example cell."""

    header: str
    field: str
    required: bool
    example: str
    aliases: tuple[str, ...] = ()
    note: str = ""


RESIDENT_COLUMNS: tuple[Column, ...] = (
    Column("楼栋号", "building", True, "3", ("楼号", "楼栋", "幢号")),
    Column("单元号", "entrance", True, "1", ("单元",)),
    Column("房号", "room", True, "301", ("房间号", "门牌号", "室号")),
    Column("建筑面积", "area_m2", True, "86.50", (), "平方米，最多两位小数"),
    Column("专有面积", "exclusive_area_m2", False, "78.20", ("专有部分面积", "套内面积"), "可空，默认等于建筑面积"),
    Column("楼层", "floor", False, "3", ("所在楼层",), "可空，默认取房号百位以上"),
    Column("姓名", "name", True, "王秀英"),
    Column("性别", "gender", False, "女", (), "男/女，可空（按身份证号推出）"),
    Column("身份证号", "id_card", True, "140107195803120027", ("身份证号码", "公民身份号码"), "18 位，请设为文本格式"),
    Column("手机号", "mobile", False, "13834561234", ("手机号码", "联系电话", "电话")),
    Column("与户主关系", "relation", False, "本人", ("关系",)),
    Column("人员类别", "kind", True, "业主", ("类别", "居住类型"), "业主/租户/家庭成员"),
    Column("是否困难户", "needy", False, "否", ("困难户",), "是/否"),
    Column("入住日期", "moved_in", False, "2003-06-01", ("入住时间",), "YYYY-MM-DD"),
    Column("楼栋结构", "structure", False, "多层", ("结构",), "多层/高层，可空（按层数推出）"),
    Column("楼栋总层数", "building_floors", False, "6", ("总层数", "楼栋层数"), "可空（按最高楼层推出）"),
)

LEDGER_COLUMNS: dict[Ledger, tuple[Column, ...]] = {Ledger.residents: RESIDENT_COLUMNS}

# The template's example row carries this in the cell after its last column. Uploaded untouched
# it is skipped: a newcomer who sends the template back must not add 王秀英 to their compound.
EXAMPLE_MARK = "示例行：导入时跳过，请从下一行起填写"


def is_template_example(cells: Sequence[object], positions: dict[str, int], columns: tuple[Column, ...]) -> bool:
    """True for the template's example row as it was written: marked, and every column still
    holds its example (an example row someone filled in with a real person imports)."""
    if not any(isinstance(c, str) and c.strip() == EXAMPLE_MARK for c in cells):
        return False
    for column in columns:
        index = positions.get(column.field)
        cell = cells[index] if index is not None and index < len(cells) else None
        if ("" if cell is None else str(cell).strip()) != column.example:
            return False
    return True


@dataclass(frozen=True)
class RowError:
    """One reason a row is bad. `row` is the spreadsheet row number (the header is row 1)."""

    row: int
    field: str
    column: str
    value: str
    message: str
    message_en: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "message_en": self.message_en,
        }


class LedgerFileError(Exception):
    """The file as a whole cannot be read as the ledger (wrong format, headers missing)."""

    def __init__(self, message: str, message_en: str, row: int = 1, field: str = "file", value: str = "") -> None:
        super().__init__(message_en)
        self.error = RowError(row, field, field, value, message, message_en)


_BRACKETS = re.compile(r"[（(【\[].*?[)）】\]]")


def normalise_header(cell: object) -> str:
    """建筑面积（㎡）*, ' 楼栋号 ' → 建筑面积, 楼栋号: units, marks and spaces dropped."""
    text = "" if cell is None else str(cell)
    text = _BRACKETS.sub("", text)
    return re.sub(r"[\s*＊:：]", "", text)


def find_columns(header: Iterable[object], columns: tuple[Column, ...], row: int = 1) -> dict[str, int]:
    """Map each column's field to its position in the header row; LedgerFileError names the
    required headers that are missing."""
    names = {c.header: c for c in columns}
    for c in columns:
        for alias in c.aliases:
            names.setdefault(alias, c)
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = names.get(normalise_header(cell))
        if column is not None and column.field not in positions:
            positions[column.field] = index
    missing = [c.header for c in columns if c.required and c.field not in positions]
    if missing:
        raise LedgerFileError(
            f"表头缺少必填列：{'、'.join(missing)}",
            f"Header row lacks required columns: {', '.join(missing)}",
            row=row,
            field="header",
            value="、".join(missing),
        )
    return positions


def looks_like_header(cells: Iterable[object], columns: tuple[Column, ...]) -> bool:
    """A header row names at least half of the ledger's required columns (a title row above
    it, e.g. “杏花岭小区居民台账”, does not)."""
    found = {normalise_header(c) for c in cells}
    required = [c for c in columns if c.required]
    hits = sum(1 for c in required if c.header in found or any(a in found for a in c.aliases))
    return hits * 2 >= len(required)


def cell_text(value: object) -> str:
    """A cell as the text a clerk typed: 3.0 → "3", None → "", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if value.__class__ is str:  # the common case, first
        return " ".join(value.split())
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


# --- single values -------------------------------------------------------------------------


def _bad(field: str, value: object, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(message, message_en, details=[{"field": field, "value": str(value)}])


@dataclass(frozen=True)
class IdCard:
    number: str
    birth_date: date
    gender: Gender


def parse_id_card(value: object, today: date) -> IdCard:
    """An 18-character resident ID number (the people service's rule: shape, birth date,
    GB 11643 check character), with the birth date and gender it carries."""
    text = re.sub(r"\s", "", cell_text(value))
    if not text:
        raise _bad("id_card", value, "身份证号不能为空", "ID card number is required")
    number = people.parse_id_card(text, "id_card", today=today)
    return IdCard(number, people.birth_date_of(number), Gender.male if int(number[16]) % 2 else Gender.female)


def parse_mobile(value: object) -> str:
    """A mainland mobile number (the people service's rule), as 11 digits."""
    return people.parse_mobile(cell_text(value), "mobile")


_YES = {"是", "Y", "YES", "TRUE", "1", "√", "困难户"}
_NO = {"否", "N", "NO", "FALSE", "0", "×"}


def parse_yes_no(value: object, field: str, label: str) -> bool | None:
    """是/否 (blank: not stated)."""
    text = cell_text(value).upper()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _bad(field, value, f"{label}只能填“是”或“否”：{cell_text(value)}", f"{field} must be 是 or 否, got {text!r}")


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object, field: str, label: str) -> date | None:
    """2003-06-01, 2003/6/1, 2003年6月1日, 20030601 or a date cell; blank: not stated."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise _bad(field, value, f"{label}不是有效日期（应为 YYYY-MM-DD）：{text}", f"{field} is not a date: {text!r}")


def parse_int(value: object, field: str, label: str, low: int, high: int) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    if not re.fullmatch(r"-?\d+", text):
        raise _bad(field, value, f"{label}必须是整数：{text}", f"{field} must be a whole number, got {text!r}")
    number = int(text)
    if not low <= number <= high:
        raise _bad(
            field, value, f"{label}应在 {low} 到 {high} 之间：{text}", f"{field} must be {low}..{high}, got {number}"
        )
    return number


def parse_number(value: object, field: str, label: str, max_length: int = 30) -> str:
    """楼栋号 / 单元号 / 房号: text, 3.0 read as "3"; blank or over-long refused."""
    text = cell_text(value)
    if not text:
        raise _bad(field, value, f"{label}不能为空", f"{field} is required")
    if len(text) > max_length:
        raise _bad(
            field, value, f"{label}不能超过 {max_length} 个字符", f"{field} must be at most {max_length} characters"
        )
    return text


def parse_text(value: object, field: str, label: str, max_length: int, required: bool) -> str | None:
    text = cell_text(value)
    if not text:
        if required:
            raise _bad(field, value, f"{label}不能为空", f"{field} is required")
        return None
    if len(text) > max_length:
        raise _bad(
            field,
            value,
            f"{label}不能超过 {max_length} 个字符：{text}",
            f"{field} must be at most {max_length} characters",
        )
    return text


_LABELS: dict[type[LabeledEnum], dict[str, str]] = {}


def parse_labeled(value: object, enum: type[LabeledEnum], field: str, label: str, required: bool) -> str | None:
    """A value given by its Chinese label (业主) or its code (owner)."""
    text = cell_text(value)
    if not text:
        if required:
            raise _bad(field, value, f"{label}不能为空", f"{field} is required")
        return None
    lookup = _LABELS.get(enum)
    if lookup is None:
        lookup = _LABELS[enum] = {k: m.value for m in enum for k in (m.label, m.value)}
    found = lookup.get(text)
    if found is not None:
        return found
    allowed = "/".join(m.label for m in enum)
    raise _bad(
        field,
        value,
        f"{label}“{text}”无效，只能是：{allowed}",
        f"Unknown {field} {text!r}; one of {', '.join(m.value for m in enum)}",
    )


def floor_from_room(room: str) -> int | None:
    """301 → 3, 1202 → 12: the usual numbering of Chinese flats (floor, then two-digit door)."""
    return int(room[:-2]) if room.isdigit() and len(room) >= 3 and int(room[:-2]) > 0 else None


def structure_for(floors: int) -> BuildingStructure:
    """Up to six floors is multi-storey (多层), above is high-rise (高层)."""
    return BuildingStructure.multi_storey if floors <= MULTI_STOREY_MAX_FLOORS else BuildingStructure.high_rise


def split_shares(owners: int) -> list[int]:
    """Even co-owner shares in basis points, the remainder to the first: 3 → 3334/3333/3333."""
    if owners <= 0:
        return []
    base, remainder = divmod(FULL_SHARE_BP, owners)
    return [base + remainder] + [base] * (owners - 1)


# --- the residents ledger ------------------------------------------------------------------

DwellingKey = tuple[str, str, str]
"""(楼栋号, 单元号, 房号) within one compound."""


@dataclass(frozen=True, slots=True)
class ResidentRow:
    """One good row of the residents ledger: a resident with their dwelling."""

    row: int
    building: str
    entrance: str
    room: str
    area_m2: Decimal
    exclusive_area_m2: Decimal | None
    floor: int | None
    name: str
    gender: str
    id_card: str
    birth_date: date
    mobile: str | None
    relation: str | None
    kind: str
    needy: bool | None
    moved_in: date | None
    structure: str | None
    building_floors: int | None

    @property
    def dwelling(self) -> DwellingKey:
        return (self.building, self.entrance, self.room)

    @property
    def dwelling_floor(self) -> int | None:
        return self.floor if self.floor is not None else floor_from_room(self.room)


_HEADERS = {c.field: c.header for c in RESIDENT_COLUMNS}


def _error(row: int, exc: InvalidInput, field: str, value: object) -> RowError:
    return masked(RowError(row, field, _HEADERS.get(field, field), cell_text(value), exc.message, exc.message_en))


# Import reports are kept with the job and shown to whoever polls it: an ID-card or mobile
# number in them is masked like in every other response, even a mistyped one.
_MASKS = {"id_card": mask_id_card, "mobile": mask_mobile}


def masked(error: RowError) -> RowError:
    """The error with the rejected ID-card / mobile value masked, in `value` and wherever the
    messages quote it (as typed, or without its spaces); other fields as they are."""
    mask = _MASKS.get(error.field)
    if mask is None or not error.value:
        return error
    message, message_en = error.message, error.message_en
    # Longest first, so a value's spaceless form never leaves part of the spaced one behind.
    for typed in sorted({error.value, re.sub(r"\s", "", error.value), error.value.strip().upper()}, key=len)[::-1]:
        if typed:
            shown = mask(re.sub(r"\s", "", typed))
            message, message_en = message.replace(typed, shown), message_en.replace(typed, shown)
    value = mask(re.sub(r"\s", "", error.value))
    return RowError(error.row, error.field, error.column, value, message, message_en)


def masked_dict(error: Mapping[str, object]) -> dict[str, object]:
    """masked() for a report stored as a dict (also jobs that ran before reports were masked)."""
    field = error.get("field")
    if field not in _MASKS:
        return dict(error)
    row = error.get("row")
    text = {k: str(error.get(k) or "") for k in ("column", "value", "message", "message_en")}
    kept = RowError(row if isinstance(row, int) else 0, str(field), **text)
    return {**error, **masked(kept).as_dict()}


def parse_resident(row: int, cells: Mapping[str, object], today: date) -> ResidentRow | list[RowError]:
    """Judge one row on its own; every bad cell is reported, not only the first."""
    errors: list[RowError] = []
    values: dict[str, object] = {}

    def take(field: str, parse: object) -> None:
        raw = cells.get(field)
        try:
            values[field] = parse(raw)  # type: ignore[operator]
        except InvalidInput as exc:
            errors.append(_error(row, exc, field, raw))

    take("building", lambda v: parse_number(v, "building", "楼栋号"))
    take("entrance", lambda v: parse_number(v, "entrance", "单元号"))
    take("room", lambda v: parse_number(v, "room", "房号"))
    take("area_m2", lambda v: _area(v, "area_m2", "建筑面积", required=True))
    take("exclusive_area_m2", lambda v: _area(v, "exclusive_area_m2", "专有面积", required=False))
    take("floor", lambda v: parse_int(v, "floor", "楼层", -5, MAX_FLOORS))
    take("name", lambda v: parse_text(v, "name", "姓名", 50, required=True))
    take("gender", lambda v: parse_labeled(v, Gender, "gender", "性别", required=False))
    take("id_card", lambda v: _id_card(v, today))
    take("mobile", lambda v: parse_mobile(v) if cell_text(v) else None)
    take("relation", lambda v: parse_text(v, "relation", "与户主关系", 20, required=False))
    take("kind", lambda v: parse_labeled(v, ResidentKind, "kind", "人员类别", required=True))
    take("needy", lambda v: parse_yes_no(v, "needy", "是否困难户"))
    take("moved_in", lambda v: parse_date(v, "moved_in", "入住日期"))
    take("structure", lambda v: parse_labeled(v, BuildingStructure, "structure", "楼栋结构", required=False))
    take("building_floors", lambda v: parse_int(v, "building_floors", "楼栋总层数", 1, MAX_FLOORS))

    area, exclusive = values.get("area_m2"), values.get("exclusive_area_m2")
    if isinstance(area, Decimal) and isinstance(exclusive, Decimal) and exclusive > area:
        errors.append(
            RowError(
                row,
                "exclusive_area_m2",
                "专有面积",
                str(exclusive),
                f"专有面积 {exclusive} 不能大于建筑面积 {area}",
                f"exclusive_area_m2 {exclusive} exceeds area_m2 {area}",
            )
        )
    card = values.get("id_card")
    gender = values.get("gender")
    if isinstance(card, IdCard) and gender is not None and gender != card.gender.value:
        errors.append(
            RowError(
                row,
                "gender",
                "性别",
                cell_text(cells.get("gender")),
                f"性别“{Gender(str(gender)).label}”与身份证号（{card.gender.label}）不符",
                f"gender {gender} contradicts the ID card ({card.gender.value})",
            )
        )
    moved_in = values.get("moved_in")
    if isinstance(moved_in, date) and moved_in > today:
        errors.append(
            RowError(
                row,
                "moved_in",
                "入住日期",
                moved_in.isoformat(),
                f"入住日期 {moved_in} 晚于今天",
                f"moved_in {moved_in} is in the future",
            )
        )
    floor, floors = values.get("floor"), values.get("building_floors")
    if isinstance(floor, int) and isinstance(floors, int) and floor > floors:
        errors.append(
            RowError(
                row,
                "floor",
                "楼层",
                str(floor),
                f"楼层 {floor} 高于楼栋总层数 {floors}",
                f"floor {floor} is above the building's {floors} floors",
            )
        )
    if errors:
        return errors
    assert isinstance(card, IdCard)
    return ResidentRow(
        row=row,
        building=str(values["building"]),
        entrance=str(values["entrance"]),
        room=str(values["room"]),
        area_m2=values["area_m2"],  # type: ignore[arg-type]
        exclusive_area_m2=values["exclusive_area_m2"],  # type: ignore[arg-type]
        floor=values["floor"],  # type: ignore[arg-type]
        name=str(values["name"]),
        gender=card.gender.value,
        id_card=card.number,
        birth_date=card.birth_date,
        mobile=values["mobile"],  # type: ignore[arg-type]
        relation=values["relation"],  # type: ignore[arg-type]
        kind=str(values["kind"]),
        needy=values["needy"],  # type: ignore[arg-type]
        moved_in=moved_in,  # type: ignore[arg-type]
        structure=values["structure"],  # type: ignore[arg-type]
        building_floors=floors,  # type: ignore[arg-type]
    )


def _area(value: object, field: str, label: str, required: bool) -> Decimal | None:
    text = cell_text(value)
    if not text:
        if required:
            raise _bad(field, value, f"{label}不能为空", f"{field} is required")
        return None
    try:
        return parse_area(text, field)
    except InvalidInput as exc:
        # parse_area names the English field; the clerk sees the Chinese header.
        raise _bad(field, value, exc.message.replace(field, label, 1), exc.message_en) from None


def _id_card(value: object, today: date) -> IdCard:
    try:
        return parse_id_card(value, today)
    except InvalidInput as exc:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise _bad(
                "id_card",
                value,
                exc.message + "（该单元格是数字，Excel 会截断 18 位号码，请把身份证号列设为文本格式）",
                exc.message_en + " (the cell holds a number: Excel truncates 18 digits; format the column as text)",
            ) from None
        raise


@dataclass
class BuildingPlan:
    """What the ledger says of one building: explicit structure / floors, or the highest
    floor its rows mention (to derive them for a new building)."""

    structure: str | None = None
    floors: int | None = None
    highest_floor: int = 1

    def resolved(self) -> tuple[str, int]:
        floors = self.floors or self.highest_floor
        return (self.structure or structure_for(floors).value, floors)


@dataclass
class _DwellingSeen:
    row: int
    area_m2: Decimal
    exclusive_area_m2: Decimal | None
    floor: int | None
    needy: bool | None


@dataclass
class ResidentBook:
    """The rows admitted so far; refuses a row that contradicts an earlier good row."""

    people: dict[str, int] = field(default_factory=dict)
    dwellings: dict[DwellingKey, _DwellingSeen] = field(default_factory=dict)
    buildings: dict[str, BuildingPlan] = field(default_factory=dict)
    building_rows: dict[str, int] = field(default_factory=dict)

    def admit(self, r: ResidentRow) -> list[RowError]:
        """Record a good row, or return why it contradicts the rows before it."""
        errors: list[RowError] = []
        first = self.people.get(r.id_card)
        if first is not None:
            errors.append(
                RowError(
                    r.row,
                    "id_card",
                    "身份证号",
                    mask_id_card(r.id_card),
                    f"身份证号与第 {first} 行重复",
                    f"ID card number repeats row {first}",
                )
            )
        seen = self.dwellings.get(r.dwelling)
        if seen is not None:
            place = "-".join(r.dwelling)
            dwelling_checks: tuple[tuple[str, str, object, object], ...] = (
                ("area_m2", "建筑面积", r.area_m2, seen.area_m2),
                ("exclusive_area_m2", "专有面积", r.exclusive_area_m2, seen.exclusive_area_m2),
                ("floor", "楼层", r.floor, seen.floor),
                ("needy", "是否困难户", r.needy, seen.needy),
            )
            for field_name, header, mine, theirs in dwelling_checks:
                if mine is not None and theirs is not None and mine != theirs:
                    shown = {True: "是", False: "否"}.get(mine, mine) if isinstance(mine, bool) else mine
                    errors.append(
                        RowError(
                            r.row,
                            field_name,
                            header,
                            str(shown),
                            f"房屋 {place} 的{header}与第 {seen.row} 行不一致",
                            f"{field_name} of dwelling {place} differs from row {seen.row}",
                        )
                    )
        plan = self.buildings.get(r.building)
        if plan is not None:
            building_checks: tuple[tuple[str, str, object, object], ...] = (
                ("structure", "楼栋结构", r.structure, plan.structure),
                ("building_floors", "楼栋总层数", r.building_floors, plan.floors),
            )
            for field_name, header, mine, theirs in building_checks:
                if mine is not None and theirs is not None and mine != theirs:
                    errors.append(
                        RowError(
                            r.row,
                            field_name,
                            header,
                            str(mine),
                            f"{r.building} 号楼的{header}与第 {self.building_rows[r.building]} 行不一致",
                            f"{field_name} of building {r.building} differs from row {self.building_rows[r.building]}",
                        )
                    )
        if errors:
            return errors
        self.people[r.id_card] = r.row
        if seen is None:
            self.dwellings[r.dwelling] = _DwellingSeen(r.row, r.area_m2, r.exclusive_area_m2, r.floor, r.needy)
        else:
            seen.exclusive_area_m2 = seen.exclusive_area_m2 or r.exclusive_area_m2
            seen.floor = seen.floor if seen.floor is not None else r.floor
            seen.needy = seen.needy if seen.needy is not None else r.needy
        if plan is None:
            plan = self.buildings[r.building] = BuildingPlan()
            self.building_rows[r.building] = r.row
        plan.structure = plan.structure or r.structure
        plan.floors = plan.floors or r.building_floors
        plan.highest_floor = max(plan.highest_floor, r.dwelling_floor or 1)
        return []


def group_by_dwelling(rows: Iterable[ResidentRow], chunk_rows: int) -> list[list[ResidentRow]]:
    """Chunks of about `chunk_rows` rows that never split a dwelling (its co-owners' shares
    are settled together), in the order dwellings first appear."""
    by_dwelling: dict[DwellingKey, list[ResidentRow]] = {}
    for r in rows:
        by_dwelling.setdefault(r.dwelling, []).append(r)
    chunks: list[list[ResidentRow]] = []
    current: list[ResidentRow] = []
    for group in by_dwelling.values():
        if current and len(current) + len(group) > chunk_rows:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks


class ErrorLog:
    """Bad rows: all counted, the first MAX_ERRORS_KEPT reasons kept."""

    def __init__(self) -> None:
        self.kept: list[RowError] = []
        self.bad_rows: set[int] = set()

    def add(self, errors: Iterable[RowError]) -> None:
        for e in errors:
            self.bad_rows.add(e.row)
            if len(self.kept) < MAX_ERRORS_KEPT:
                self.kept.append(e)

    def as_dicts(self) -> list[dict[str, object]]:
        return [e.as_dict() for e in self.kept]
