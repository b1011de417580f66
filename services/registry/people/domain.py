"""People rules, plain Python: kinds with Chinese labels, the checks a clerk's ID-card and
mobile numbers must pass, and how personal data is masked in responses."""

from __future__ import annotations

import re
from datetime import date

from shared.errors import InvalidInput
from shared.labels import LabeledEnum


class Gender(LabeledEnum):
    male = "male", "男"
    female = "female", "女"


class ResidentKind(LabeledEnum):
    """How a resident relates to the dwelling they live in."""

    owner = "owner", "业主"
    tenant = "tenant", "租户"
    family = "family", "家庭成员"
    other = "other", "其他"


class GridWorkerKind(LabeledEnum):
    full_time = "full_time", "专职"
    part_time = "part_time", "兼职"


class HeadKind(LabeledEnum):
    """楼栋长 / 单元长 / 院落长: the place kind each heads is the value itself."""

    building = "building", "楼栋长"
    entrance = "entrance", "单元长"
    courtyard = "courtyard", "院落长"


ENUMS: dict[str, type[LabeledEnum]] = {
    "gender": Gender,
    "resident_kind": ResidentKind,
    "grid_worker_kind": GridWorkerKind,
    "head_kind": HeadKind,
}

ANONYMISED_NAME = "已注销居民"
MAX_PERSON_NAME_LENGTH = 50

# GB 11643-1999: weights of the first 17 digits, and the check character by weighted sum mod 11.
ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK_CHARS = "10X98765432"
_ID_CARD_SHAPE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")
_MOBILE_SEPARATORS = re.compile(r"[\s\-()（）]")
EARLIEST_BIRTH_YEAR = 1900


def _invalid(message: str, message_en: str, field: str, value: object) -> InvalidInput:
    return InvalidInput(message, message_en, details=[{"field": field, "value": value}])


def normalise_person_name(name: str, field: str = "name") -> str:
    """Trim and collapse inner white space; refuse an empty or over-long name."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise _invalid("姓名不能为空", f"{field} must not be blank", field, name)
    if len(cleaned) > MAX_PERSON_NAME_LENGTH:
        raise _invalid(
            f"姓名不能超过 {MAX_PERSON_NAME_LENGTH} 个字符",
            f"{field} must be at most {MAX_PERSON_NAME_LENGTH} characters",
            field,
            cleaned,
        )
    return cleaned


def id_card_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of an ID-card number."""
    if len(first17) != len(ID_CARD_WEIGHTS) or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK_CHARS[total % 11]


def parse_id_card(value: str, field: str = "id_card", *, today: date) -> str:
    """A mainland 18-digit ID-card number, normalised (trimmed, check character upper case).

    Refused, naming the field and the value: a wrong shape, a birth date that is not a real
    date or lies in the future, and a wrong check character (usually a mistyped digit)."""
    normalised = value.strip().upper()
    if not _ID_CARD_SHAPE.match(normalised):
        raise _invalid(
            f"身份证号 {field} 格式不正确：“{value}”，应为 18 位（17 位数字加一位校验位 0-9 或 X）",
            f"{field} must be 18 characters (17 digits and a check character 0-9 or X), got {value!r}",
            field,
            value,
        )
    born = _birth_date_or_none(normalised)
    if born is None or born.year < EARLIEST_BIRTH_YEAR:
        raise _invalid(
            f"身份证号 {field} 中的出生日期 {normalised[6:14]} 不是有效日期：“{value}”",
            f"{field} embeds {normalised[6:14]}, which is not a valid birth date: {value!r}",
            field,
            value,
        )
    if born > today:
        raise _invalid(
            f"身份证号 {field} 中的出生日期 {born.isoformat()} 在未来：“{value}”",
            f"{field} embeds a birth date in the future ({born.isoformat()}): {value!r}",
            field,
            value,
        )
    if id_card_check_char(normalised[:17]) != normalised[17]:
        raise _invalid(
            f"身份证号 {field} 校验位不正确：“{value}”，请核对是否有数字录入错误",
            f"{field} fails the GB 11643 check character; a digit is probably mistyped: {value!r}",
            field,
            value,
        )
    return normalised


def _birth_date_or_none(id_card: str) -> date | None:
    try:
        return date(int(id_card[6:10]), int(id_card[10:12]), int(id_card[12:14]))
    except ValueError:
        return None


def birth_date_of(id_card: str) -> date:
    """The birth date embedded in a (valid, normalised) ID-card number."""
    born = _birth_date_or_none(id_card)
    if born is None:
        raise ValueError(f"no valid birth date in {id_card!r}")
    return born


def check_birth_date(id_card: str, birth_date: date, field: str = "birth_date") -> None:
    """A birth date given beside an ID card must be the one the card carries."""
    embedded = birth_date_of(id_card)
    if embedded != birth_date:
        raise _invalid(
            f"出生日期 {field} {birth_date.isoformat()} 与身份证号中的出生日期 {embedded.isoformat()} 不一致",
            f"{field} {birth_date.isoformat()} differs from the ID card's birth date {embedded.isoformat()}",
            field,
            birth_date.isoformat(),
        )


def check_stay(moved_in: date | None, moved_out: date | None) -> None:
    """Nobody moves out before moving in."""
    if moved_in is not None and moved_out is not None and moved_out < moved_in:
        raise _invalid(
            f"迁出日期 moved_out {moved_out.isoformat()} 早于迁入日期 {moved_in.isoformat()}",
            f"moved_out {moved_out.isoformat()} is before moved_in {moved_in.isoformat()}",
            "moved_out",
            moved_out.isoformat(),
        )


def parse_mobile(value: str, field: str = "mobile") -> str:
    """A mainland mobile number as 11 digits: spaces, dashes and a +86 / 0086 / 86 prefix go."""
    digits = _MOBILE_SEPARATORS.sub("", value.strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not _MOBILE_SHAPE.match(digits):
        raise _invalid(
            f"手机号 {field} 不正确：“{value}”，应为 11 位中国大陆手机号（1 开头，第二位 3-9）",
            f"{field} must be an 11-digit mainland mobile number (1, then 3-9, then 9 digits), got {value!r}",
            field,
            value,
        )
    return digits


def mask_mobile(mobile: str) -> str:
    """138****1234: the carrier prefix and the last four digits."""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return f"{mobile[:3]}{'*' * (len(mobile) - 7)}{mobile[-4:]}"


def mask_id_card(id_card: str) -> str:
    """1101**********1234: the first four (province and city) and the last four characters."""
    if len(id_card) < 9:
        return "*" * len(id_card)
    return f"{id_card[:4]}{'*' * (len(id_card) - 8)}{id_card[-4:]}"
