"""The party-building vocabularies two services share: the four member ledgers (四类党员台账)
and the skills catalogue (一技之长). The registry keeps the members; dispatch matches orders
against their ledgers and skills and shows the labels, so both read the one definition here."""

from __future__ import annotations

from shared.labels import LabeledEnum


class PartyLedger(LabeledEnum):
    """四类党员台账."""

    in_service = "in_service", "在职党员"
    retired = "retired", "离退休党员"
    mobile = "mobile", "流动党员"
    directly_managed = "directly_managed", "直管党员"


class Skill(LabeledEnum):
    """一技之长: the catalogue orders are matched against."""

    lawyer = "lawyer", "律师"
    doctor = "doctor", "医生"
    teacher = "teacher", "教师"
    plumber = "plumber", "水工/管道工"
    electrician = "electrician", "电工"
    repair = "repair", "维修"
    cleaning = "cleaning", "保洁"
    elderly_care = "elderly_care", "养老照护"
    mediation = "mediation", "矛盾调解"
    it = "it", "电脑网络"
    other = "other", "其他"


def skill_label(code: str) -> str:
    """The Chinese label of a skill code; a code outside the catalogue shows as itself."""
    try:
        return Skill(code).label
    except ValueError:
        return code


def ledger_label(code: str) -> str:
    """The Chinese label of a ledger code; an unknown code shows as itself."""
    try:
        return PartyLedger(code).label
    except ValueError:
        return code
