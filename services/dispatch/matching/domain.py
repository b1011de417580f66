"""Who may take an order and in what order they are asked (派单推荐): hard filters first, then
a rank that explains itself. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.clock import LOCAL_TZ
from shared.errors import InvalidInput
from shared.labels import LabeledEnum
from shared.party import PartyLedger, skill_label


@dataclass(frozen=True)
class Member:
    """What matching knows of one party member."""

    party_member_id: int
    person_id: int
    name: str
    skills: tuple[str, ...]
    on_duty: bool
    checked_in: bool
    open_orders: int
    max_open_orders: int
    household_id: int | None
    paired_with_household: bool
    average_rating: float | None = None
    last_assigned_at: datetime | None = None
    ledger: PartyLedger = PartyLedger.in_service
    lives_in_compound: bool = False


# Seeds 000 and 001: retired members (老党员) are who the old compounds lean on, beside the
# in-service members who report there; mobile and directly-managed members join where the
# community says so.
DEFAULT_LEDGERS: frozenset[PartyLedger] = frozenset({PartyLedger.in_service, PartyLedger.retired})


@dataclass(frozen=True)
class Eligibility:
    """A compound's rule for who takes its orders and claims its wishes: members of these
    ledgers. In-service members qualify by checking in there (在职党员报到); the other ledgers
    cannot check in and qualify by living in the compound."""

    ledgers: frozenset[PartyLedger] = DEFAULT_LEDGERS

    def check(self) -> None:
        """At least one ledger: a compound where nobody may take work would stall every order."""
        if not self.ledgers:
            raise InvalidInput(
                "至少须有一类党员可以接单",
                "At least one ledger must be eligible",
                details=[{"field": "ledgers"}],
            )

    def describe(self) -> str:
        """The allowed ledgers' labels in ledger order: '在职党员、离退休党员'."""
        return "、".join(ledger.label for ledger in PartyLedger if ledger in self.ledgers)


@dataclass(frozen=True)
class OrderNeeds:
    category_skills: tuple[str, ...]
    requester_household_id: int | None


@dataclass
class Candidate:
    member: Member
    eligible: bool
    rank: int | None = None
    reasons: list[str] = field(default_factory=list)
    excluded_because: list[str] = field(default_factory=list)


def exclusions(member: Member, needs: OrderNeeds, rule: Eligibility | None = None) -> list[str]:
    """The hard filters a member fails, in Chinese (empty = eligible)."""
    rule = rule or Eligibility()
    out: list[str] = []
    if needs.category_skills and not set(needs.category_skills) & set(member.skills):
        out.append("技能不符（需要：" + _skills(needs.category_skills) + "）")
    if member.ledger not in rule.ledgers:
        out.append(f"{member.ledger.label}不在本小区接单范围（本小区：{rule.describe()}）")
    elif member.ledger is PartyLedger.in_service and not member.checked_in:
        out.append("未在本小区报到")
    elif member.ledger is not PartyLedger.in_service and not member.lives_in_compound:
        out.append("不住在本小区")
    if not member.on_duty:
        out.append("当前不在岗")
    if member.open_orders >= member.max_open_orders:
        out.append(f"在办工单已达上限（{member.open_orders}/{member.max_open_orders}）")
    if needs.requester_household_id is not None and member.household_id == needs.requester_household_id:
        out.append("是点单人同户家属（回避）")
    return out


def _skills(codes: tuple[str, ...] | list[str]) -> str:
    return "、".join(skill_label(code) for code in codes)


def _key(member: Member) -> tuple[int, int, float, float, int]:
    # Paired first, then lighter load, better rating, longest since last assignment, lowest id.
    last = member.last_assigned_at.timestamp() if member.last_assigned_at else float("-inf")
    rating = member.average_rating if member.average_rating is not None else 0.0
    return (0 if member.paired_with_household else 1, member.open_orders, -rating, last, member.party_member_id)


def rank(members: list[Member], needs: OrderNeeds, rule: Eligibility | None = None) -> list[Candidate]:
    """Eligible members ranked with the reasons for their place, then the excluded ones with
    why; the same inputs always give the same order."""
    eligible: list[Candidate] = []
    excluded: list[Candidate] = []
    for m in members:
        why_not = exclusions(m, needs, rule)
        (excluded if why_not else eligible).append(Candidate(m, not why_not, excluded_because=why_not))
    eligible.sort(key=lambda c: _key(c.member))
    for i, c in enumerate(eligible, start=1):
        m = c.member
        c.rank = i
        covered = sorted(set(needs.category_skills) & set(m.skills))
        c.reasons.append("技能匹配：" + _skills(covered) if covered else "此类别不限技能")
        if m.ledger is not PartyLedger.in_service:
            c.reasons.append(f"{m.ledger.label}，住在本小区")
        if m.paired_with_household:
            c.reasons.append("与点单户结对包联")
        c.reasons.append(f"在办工单 {m.open_orders}/{m.max_open_orders}")
        c.reasons.append(f"平均评分 {m.average_rating:.1f}" if m.average_rating is not None else "暂无评分")
        c.reasons.append(
            f"上次派单 {m.last_assigned_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"
            if m.last_assigned_at
            else "近期未接派单"
        )
    excluded.sort(key=lambda c: c.member.party_member_id)
    return eligible + excluded


# --- volunteer residents (特长户, seed 001), asked after the party members --------------------


class CandidateKind(LabeledEnum):
    """Who a candidate is: a party member, or a volunteer resident asked after them."""

    party_member = "party_member", "党员"
    volunteer = "volunteer", "志愿者居民"


@dataclass(frozen=True)
class Volunteer:
    """What matching knows of a resident who volunteers: skills and teams (红邻服务队)."""

    volunteer_id: int
    person_id: int
    name: str
    skills: tuple[str, ...]
    household_id: int
    team_names: tuple[str, ...] = ()


@dataclass
class VolunteerCandidate:
    volunteer: Volunteer
    eligible: bool
    rank: int | None = None
    reasons: list[str] = field(default_factory=list)
    excluded_because: list[str] = field(default_factory=list)


AFTER_MEMBERS = "志愿者居民，排在党员之后（党员优先接单）"


def volunteer_exclusions(volunteer: Volunteer, needs: OrderNeeds) -> list[str]:
    """The hard filters a volunteer fails: the category's skills and the requester's own family."""
    out: list[str] = []
    if needs.category_skills and not set(needs.category_skills) & set(volunteer.skills):
        out.append("技能不符（需要：" + _skills(needs.category_skills) + "）")
    if volunteer.household_id == needs.requester_household_id:
        out.append("是点单人同户家属（回避）")
    return out


def rank_volunteers(volunteers: list[Volunteer], needs: OrderNeeds, after: int) -> list[VolunteerCandidate]:
    """Volunteers ranked after the `after` eligible party members (seed 001's service chain puts
    特长户 last: 网格员—楼栋长—单元长—党员—特长户), each saying so; among themselves in the order
    they volunteered, so the same inputs always give the same order."""
    eligible: list[VolunteerCandidate] = []
    excluded: list[VolunteerCandidate] = []
    for v in volunteers:
        why_not = volunteer_exclusions(v, needs)
        (excluded if why_not else eligible).append(VolunteerCandidate(v, not why_not, excluded_because=why_not))
    eligible.sort(key=lambda c: c.volunteer.volunteer_id)
    for i, c in enumerate(eligible, start=after + 1):
        v = c.volunteer
        c.rank = i
        covered = sorted(set(needs.category_skills) & set(v.skills))
        c.reasons.append(AFTER_MEMBERS)
        c.reasons.append("技能匹配：" + _skills(covered) if covered else "此类别不限技能")
        if v.team_names:
            c.reasons.append("服务队：" + "、".join(v.team_names))
    for c in excluded:
        c.excluded_because.append(AFTER_MEMBERS)
    excluded.sort(key=lambda c: c.volunteer.volunteer_id)
    return eligible + excluded
