"""Registry rules, plain Python: the compound's kinds and management models with their Chinese
labels, name rules and the optimistic version check."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import Conflict, InvalidInput


class CompoundKind(StrEnum):
    """小区类型."""

    old = "old"
    resettlement = "resettlement"
    commercial = "commercial"
    super_large = "super_large"

    @property
    def label(self) -> str:
        return {
            "old": "老旧小区",
            "resettlement": "集中居住区",
            "commercial": "商品房小区",
            "super_large": "超大型小区",
        }[self.value]


class ManagementModel(StrEnum):
    """物业管理模式."""

    professional = "professional"
    self_managed = "self_managed"
    community_custody = "community_custody"

    @property
    def label(self) -> str:
        return {"professional": "专业物业", "self_managed": "自管", "community_custody": "社区托管"}[self.value]


MAX_NAME_LENGTH = 100


def normalise_compound_name(name: str) -> str:
    """Trim and collapse inner runs of white space; refuse an empty or over-long name."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(
            "小区名称不能为空", "Compound name must not be blank", details=[{"field": "name", "value": name}]
        )
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"小区名称不能超过 {MAX_NAME_LENGTH} 个字符",
            f"Compound name must be at most {MAX_NAME_LENGTH} characters",
            details=[{"field": "name", "value": cleaned}],
        )
    return cleaned


def stale_version(current: int, expected: int) -> Conflict:
    return Conflict(
        f"数据已被他人修改（当前版本 {current}，你提交的是 {expected}），请刷新后重试",
        f"Stale version: current is {current}, request was based on {expected}",
        code="stale_version",
        details={"current_version": current, "your_version": expected},
    )


def check_version(current: int, expected: int) -> None:
    """Refuse (409) a change based on a version other than the current one."""
    if current != expected:
        raise stale_version(current, expected)
