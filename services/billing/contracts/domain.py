"""Contract, performance and credit rules (seed 004): standard items weigh 100 points in all;
a review scores each item from 0 to its weight; a company's credit score is 70% its latest
reviews and 30% its owners' satisfaction; 90 and above is the street's red list (诚信履约), below
60 its black list (失信)."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum

RED_AT = 90
BLACK_BELOW = 60
REVIEW_SHARE = 70  # percent of the credit score from reviews; the rest from satisfaction


class CreditList(LabeledEnum):
    honor_roll = "honor_roll", "红名单"
    warning_list = "warning_list", "黑名单"
    none = "none", "未列入"
    unrated = "unrated", "尚无评价"


def check_items(weights: list[int]) -> None:
    if sum(weights) != 100:
        raise InvalidInput(
            f"服务标准各项分值合计须为 100（现为 {sum(weights)}）",
            f"The standard items' weights must sum to 100 (got {sum(weights)})",
            details=[{"field": "items"}],
        )


def check_term(starts_on: date, ends_on: date) -> None:
    if ends_on <= starts_on:
        raise InvalidInput("合同截止须晚于开始", "ends_on must be after starts_on", details=[{"field": "ends_on"}])


def check_no_overlap(starts_on: date, ends_on: date, others: list[tuple[int, date, date]]) -> None:
    for contract_id, other_from, other_to in others:
        if starts_on <= other_to and other_from <= ends_on:
            raise Conflict(details={"contract_id": contract_id}, code=ErrorCode.contract_overlap)


def review_total(weights: dict[int, int], scores: dict[int, int]) -> int:
    """Every item scored, each within 0 and its weight; the total out of 100."""
    if set(scores) != set(weights):
        raise InvalidInput(
            "须为合同的每一项服务标准打分", "Score every standard item of the contract", details=[{"field": "scores"}]
        )
    for item_id, score in scores.items():
        if not 0 <= score <= weights[item_id]:
            raise InvalidInput(
                f"第 {item_id} 项得分须在 0 到 {weights[item_id]} 之间",
                f"Item {item_id} scores between 0 and {weights[item_id]}",
                details=[{"field": f"scores.{item_id}", "value": score}],
            )
    return sum(scores.values())


def satisfaction_percent(scores: list[int]) -> int | None:
    """Average of 1–5 answers as a percentage (5 = 100%), rounded half up; None with no answers."""
    if not scores:
        return None
    return (sum(scores) * 100 * 2 + 5 * len(scores)) // (5 * len(scores) * 2)


def credit_score(review_totals: list[int], satisfaction: int | None) -> int | None:
    """70% the average of the latest review of each contract, 30% satisfaction (all from reviews
    when no owner has answered yet); None before any review."""
    if not review_totals:
        return None
    reviews = Fraction(sum(review_totals), len(review_totals))
    score = reviews if satisfaction is None else (reviews * REVIEW_SHARE + satisfaction * (100 - REVIEW_SHARE)) / 100
    return math.floor(score + Fraction(1, 2))  # half up, as people round


def list_of(score: int | None) -> CreditList:
    if score is None:
        return CreditList.unrated
    if score >= RED_AT:
        return CreditList.honor_roll
    if score < BLACK_BELOW:
        return CreditList.warning_list
    return CreditList.none
