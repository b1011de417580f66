"""Party-building rules, plain Python: the five-level organisation tree (no skipped levels, no
cycles, each organisation inside its parent's place), the four member ledgers (四类党员台账),
the skills catalogue (一技之长), who may check in (在职党员报到) and 1+N mentoring."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum
from shared.party import PartyLedger as PartyLedger  # re-exported: the registry names them here too
from shared.party import Skill as Skill


class PartyOrgLevel(LabeledEnum):
    """The five levels, top to bottom (declaration order is the tree's order)."""

    street_committee = "street_committee", "街道党工委"
    community_committee = "community_committee", "社区党委"
    grid_branch_general = "grid_branch_general", "网格党总支"
    compound_branch = "compound_branch", "小区党支部"
    building_group = "building_group", "楼栋党小组"


LEVELS: tuple[PartyOrgLevel, ...] = tuple(PartyOrgLevel)

# Each level is attached to one kind of place.
PLACE_KIND: dict[PartyOrgLevel, str] = {
    PartyOrgLevel.street_committee: "street",
    PartyOrgLevel.community_committee: "community",
    PartyOrgLevel.grid_branch_general: "grid",
    PartyOrgLevel.compound_branch: "compound",
    PartyOrgLevel.building_group: "building",
}
PLACE_LABEL: dict[str, str] = {
    "street": "街道",
    "community": "社区",
    "grid": "网格",
    "compound": "小区",
    "building": "楼栋",
}


ENUMS: dict[str, type[LabeledEnum]] = {
    "party_org_level": PartyOrgLevel,
    "party_ledger": PartyLedger,
    "skill": Skill,
}

MAX_OPEN_ORDERS = 20
MAX_MENTORED = 10
MAX_POST_LENGTH = 100


# --- the organisation tree ----------------------------------------------------------------


def parent_level(level: PartyOrgLevel) -> PartyOrgLevel | None:
    """The level directly above `level`; None for the street committee at the top."""
    index = LEVELS.index(level)
    return LEVELS[index - 1] if index > 0 else None


def place_kind_of(level: PartyOrgLevel, given: str | None = None) -> str:
    """The kind of place an organisation of `level` is attached to; a contradicting `given`
    kind is refused."""
    kind = PLACE_KIND[level]
    if given is not None and given != kind:
        raise InvalidInput(
            f"{level.label}只能建在{PLACE_LABEL[kind]}上（place_kind 应为 {kind}，收到 {given}）",
            f"place_kind of a {level.value} must be {kind!r}, got {given!r}",
            details=[{"field": "place_kind", "value": given, "expected": kind}],
        )
    return kind


def check_parent_level(level: PartyOrgLevel, parent: PartyOrgLevel | None) -> None:
    """Each level hangs directly under the level above it: no skipped levels, and the top level
    has no parent."""
    expected = parent_level(level)
    if expected is None:
        if parent is not None:
            raise InvalidInput(
                f"{level.label}是最高一级党组织，不能有上级组织",
                f"A {level.value} is the top level and has no parent",
                details=[{"field": "parent_id", "level": level.value}],
            )
        return
    if parent is None:
        raise InvalidInput(
            f"{level.label}必须建在{expected.label}之下，请填写上级组织 (parent_id)",
            f"A {level.value} needs a parent {expected.value} (parent_id is required)",
            details=[{"field": "parent_id", "value": None, "expected_level": expected.value}],
        )
    if parent == expected:
        return
    if LEVELS.index(parent) < LEVELS.index(expected):
        skipped = "、".join(lv.label for lv in LEVELS[LEVELS.index(parent) + 1 : LEVELS.index(level)])
        raise InvalidInput(
            f"不能跳级：{level.label}的上级必须是{expected.label}，不能直接建在{parent.label}之下（跳过了{skipped}）",
            f"Skipped level: a {level.value} must sit under a {expected.value}, not directly under a {parent.value}",
            details=[{"field": "parent_id", "level": parent.value, "expected_level": expected.value}],
        )
    raise InvalidInput(
        f"{level.label}的上级必须是{expected.label}，不能是{parent.label}",
        f"A {level.value} must sit under a {expected.value}, not under a {parent.value}",
        details=[{"field": "parent_id", "level": parent.value, "expected_level": expected.value}],
    )


def check_inside_parent_place(
    level: PartyOrgLevel, place_id: int, container_id: int | None, parent_place_id: int
) -> None:
    """The organisation's place lies inside its parent's place. `container_id` is the place
    of the parent's kind that holds `place_id` (a compound's grid, a building's compound, …),
    None when the place is not assigned to one (a compound outside every grid)."""
    kind = PLACE_KIND[level]
    above = parent_level(level)
    if above is None:
        return
    outer = PLACE_KIND[above]
    here, there = PLACE_LABEL[kind], PLACE_LABEL[outer]
    if container_id is None:
        raise InvalidInput(
            f"{here} {place_id} 尚未划入{there}，不能在{above.label}下建立{level.label}；请先为{here}指定{there}",
            f"{kind} {place_id} is not assigned to a {outer}, so no {level.value} can sit under a {above.value}",
            details=[{"field": "place_id", "value": place_id, "missing": f"{outer}_id"}],
        )
    if container_id != parent_place_id:
        raise InvalidInput(
            f"{here} {place_id} 不在上级组织所在的{there} {parent_place_id} 内（它属于{there} {container_id}）",
            f"{kind} {place_id} lies in {outer} {container_id}, not in the parent's {outer} {parent_place_id}",
            details=[{"field": "place_id", "value": place_id, f"{outer}_id": container_id}],
        )


def check_no_cycle(org_id: int, name: str, ancestors: Sequence[int]) -> None:
    """`ancestors` is the new parent followed by its ancestors upwards; the organisation must not
    be among them, or it would end up under itself."""
    if org_id in ancestors:
        raise Conflict(
            f"不能把党组织“{name}”移到它自己或它的下级组织之下（会形成循环）",
            f"Party organisation {org_id} cannot move under itself or one of its own descendants (cycle)",
            code=ErrorCode.cycle,
            details={"field": "parent_id", "value": ancestors[0] if ancestors else None, "path": list(ancestors)},
        )


def check_removable(name: str, children: int, members: int) -> None:
    """An organisation with sub-organisations or members cannot be removed."""
    if children or members:
        raise Conflict(
            f"党组织“{name}”下还有 {children} 个下级组织、{members} 名党员，不能删除；请先调整或转出",
            f"Party organisation {name!r} still has {children} sub-organisations and {members} members",
            code=ErrorCode.still_referenced,
            details={"children": children, "members": members},
        )


# --- members ------------------------------------------------------------------------------


def _catalogue() -> str:
    return "、".join(f"{s.value}（{s.label}）" for s in Skill)


def parse_skill(text: str) -> Skill:
    """A skill from the catalogue, by value (`plumber`) or Chinese label (`水工`, `管道工`)."""
    cleaned = text.strip()
    for skill in Skill:
        if cleaned == skill.value or cleaned == skill.label or cleaned in skill.label.split("/"):
            return skill
    raise InvalidInput(
        f"技能“{text}”不在技能目录中，可选：{_catalogue()}",
        f"Skill {text!r} is not in the catalogue; allowed: {', '.join(Skill)}",
        details=[{"field": "skills", "value": text, "allowed": [s.value for s in Skill]}],
    )


def parse_skills(texts: Iterable[str]) -> list[Skill]:
    """The set of skills, each from the catalogue, in catalogue order without repeats."""
    chosen = {parse_skill(t) for t in texts}
    return [s for s in Skill if s in chosen]


def check_can_check_in(ledger: PartyLedger) -> None:
    """Only in-service members report to the compound where they live (在职党员报到)."""
    if ledger is not PartyLedger.in_service:
        raise InvalidInput(
            f"只有在职党员可以到小区报到，该党员在“{ledger.label}”台账",
            f"Only in-service party members check in; this member is on the {ledger.value} ledger",
            code=ErrorCode.not_in_service,
            details=[{"field": "party_member_id", "ledger": ledger.value}],
        )


def check_lives_in(compound_id: int, home_compound_id: int | None) -> None:
    """A member checks in to the compound where they live."""
    if home_compound_id is None:
        raise InvalidInput(
            "该党员尚未登记居住小区，请先登记住址再报到",
            "The member's home compound is not registered; register where they live first",
            code=ErrorCode.home_unknown,
            details=[{"field": "compound_id", "value": compound_id}],
        )
    if home_compound_id != compound_id:
        raise InvalidInput(
            f"在职党员应到居住地小区报到：该党员住在小区 {home_compound_id}，不是小区 {compound_id}",
            f"Members check in where they live: compound {home_compound_id}, not {compound_id}",
            code=ErrorCode.not_home_compound,
            details=[{"field": "compound_id", "value": compound_id, "home_compound_id": home_compound_id}],
        )


def normalise_post(post: str) -> str:
    """设岗定责: the post's name, trimmed, not blank."""
    cleaned = " ".join(post.split())
    if not cleaned or len(cleaned) > MAX_POST_LENGTH:
        raise InvalidInput(
            f"岗位名称不能为空且不超过 {MAX_POST_LENGTH} 个字符",
            f"post must be 1 to {MAX_POST_LENGTH} characters",
            details=[{"field": "post", "value": post}],
        )
    return cleaned


# --- 1+N mentoring ------------------------------------------------------------------------


def check_mentored(household_id: int, mentored: Sequence[int]) -> list[int]:
    """The N households a center household helps: at most ten, no repeats, never itself."""
    if len(mentored) > MAX_MENTORED:
        raise InvalidInput(
            f"一个党员中心户最多帮带 {MAX_MENTORED} 户，收到 {len(mentored)} 户",
            f"A center household mentors at most {MAX_MENTORED} households, got {len(mentored)}",
            details=[{"field": "mentored_household_ids", "value": len(mentored)}],
        )
    if household_id in mentored:
        raise InvalidInput(
            f"党员中心户不能帮带自己（住户 {household_id}）",
            f"A center household cannot mentor itself (household {household_id})",
            details=[{"field": "mentored_household_ids", "value": household_id}],
        )
    repeated = sorted({h for h in mentored if mentored.count(h) > 1})
    if repeated:
        raise InvalidInput(
            f"帮带住户重复：{'、'.join(map(str, repeated))}",
            f"Mentored households repeated: {repeated}",
            details=[{"field": "mentored_household_ids", "value": repeated}],
        )
    return list(mentored)


def check_lives_in_household(household_id: int, member_household_id: int | None) -> None:
    """A center household is the party member's own household."""
    if member_household_id != household_id:
        raise InvalidInput(
            f"党员中心户必须是该党员自己的家：党员登记在住户 {member_household_id or '（未登记）'}，"
            f"不是住户 {household_id}",
            f"The member lives in household {member_household_id}, not {household_id}",
            code=ErrorCode.not_members_household,
            details=[{"field": "household_id", "value": household_id, "member_household_id": member_household_id}],
        )


def check_same_compound(compound_id: int, elsewhere: Sequence[int]) -> None:
    """Mentored households lie in the center household's compound."""
    if elsewhere:
        raise InvalidInput(
            f"帮带住户必须与党员中心户在同一小区（小区 {compound_id}）：住户 {'、'.join(map(str, elsewhere))} 不在",
            f"Mentored households must be in compound {compound_id}: {list(elsewhere)} are not",
            details=[{"field": "mentored_household_ids", "value": list(elsewhere)}],
        )
