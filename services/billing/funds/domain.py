"""Fund rules: public revenue net of evidenced costs, the distribution rule (433 by default),
shares of a withdrawal by area, and the never-below-zero rule."""

from __future__ import annotations

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum
from shared.money import fen_to_yuan, split_by_basis_points


class RevenueSource(LabeledEnum):
    """公共收益 sources (Civil Code art. 282: they belong to the owners)."""

    advertising = "advertising", "广告"
    parking = "parking", "停车"
    venue = "venue", "场地占用"
    other = "other", "其他"


class FundKind(LabeledEnum):
    """The funds a compound keeps, each an account (or a family of accounts) in the journal."""

    fund_pool = "fund_pool", "资金池"
    shared_development_fund = "shared_development_fund", "共享发展金"
    maintenance_fund = "maintenance_fund", "维修资金"


class DevelopmentFundSource(LabeledEnum):
    """Where shared development money comes from (Luxian)."""

    company = "company", "企业预存"
    resident_unit = "resident_unit", "驻区单位"
    startup_grant = "startup_grant", "启动资金"
    public_revenue = "public_revenue", "公共收益补充"
    other = "other", "其他"


# 433 (Qionglai, Mahu village): 40% retained for growth, 30% livelihood, 30% governance.
DEFAULT_RULE: dict[str, int] = {"retained": 4_000, "livelihood": 3_000, "governance": 3_000}
PART_LABELS = {"retained": "提留发展", "livelihood": "民生", "governance": "治理"}
UNDISTRIBUTED = ""


def net_revenue(gross_fen: int, cost_fen: int, evidence: list[str]) -> int:
    """Gross less costs; costs need at least one piece of evidence and cannot exceed gross."""
    if gross_fen <= 0:
        raise InvalidInput("收益金额须大于 0", "gross_fen must be above 0", details=[{"field": "gross_fen"}])
    if cost_fen < 0 or cost_fen > gross_fen:
        raise InvalidInput(
            "成本须在 0 与收益金额之间", "cost_fen must be between 0 and gross_fen", details=[{"field": "cost_fen"}]
        )
    if cost_fen > 0 and not [e for e in evidence if e.strip()]:
        raise InvalidInput(
            "扣除成本须附凭证（发票、合同等）",
            "Costs are deducted only with evidence (invoice, contract …)",
            details=[{"field": "evidence"}],
        )
    return gross_fen - cost_fen


def check_rule(shares: dict[str, int]) -> None:
    """Named parts in basis points, each positive, summing to 10,000."""
    if not 1 <= len(shares) <= 10 or any(not name.strip() or len(name) > 30 for name in shares):
        raise InvalidInput(
            "分配规则须有 1 至 10 个命名份额", "A rule has 1 to 10 named parts", details=[{"field": "shares"}]
        )
    if any(bp <= 0 for bp in shares.values()) or sum(shares.values()) != 10_000:
        raise InvalidInput(
            f"份额须为正数且合计 10000 个基点（现为 {sum(shares.values())}）",
            f"Shares must be positive and sum to 10,000 bp (got {sum(shares.values())})",
            details=[{"field": "shares", "value": shares}],
        )


def distribute(amount_fen: int, shares: dict[str, int]) -> dict[str, int]:
    """Split by the rule; the remainder fen go to the largest remainders, earlier parts first
    on ties (shared.money's rule), so the parts add up to the amount exactly."""
    names = list(shares)
    return dict(zip(names, split_by_basis_points(amount_fen, [shares[n] for n in names]), strict=True))


def split_by_weights(total_fen: int, weights: list[int]) -> list[int]:
    """Split in proportion to positive weights (areas): floors, then the leftover fen one each
    to the largest remainders, earlier first on ties; the parts add up exactly."""
    whole = sum(weights)
    if whole <= 0:
        raise InvalidInput("没有可分摊的面积", "Nothing to share the amount over")
    floors = [total_fen * w // whole for w in weights]
    remainders = [total_fen * w % whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: total_fen - sum(floors)]:
        floors[i] += 1
    return floors


def check_covers(balance_fen: int, amount_fen: int, what: str, what_en: str) -> None:
    """A fund never goes below zero: 409 naming the account and what it holds."""
    if amount_fen > balance_fen:
        raise Conflict(
            f"{what}余额 {fen_to_yuan(balance_fen)} 元，不足支付 {fen_to_yuan(amount_fen)} 元",
            f"{what_en} holds {balance_fen} fen, less than {amount_fen} fen",
            details={"balance_fen": balance_fen, "amount_fen": amount_fen},
            code=ErrorCode.insufficient_funds,
        )


def check_positive(amount_fen: int, field: str = "amount_fen") -> None:
    """Amounts are positive whole fen, below a billion fen."""
    if amount_fen <= 0 or amount_fen > 1_000_000_000:
        raise InvalidInput(
            "金额须大于 0 且不超过 1000 万元",
            f"{field} must be above 0 and at most 1,000,000,000 fen",
            details=[{"field": field, "value": amount_fen}],
        )
