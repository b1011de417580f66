"""Demo notice board for embedded mode: once the registry's demo street has reached
deliberation (its compound, buildings and committee seats arrive by events after start-up), the
supervisory committee of the demo compound publishes a disclosure and the owners' committee sets
up building 1's convention, so a newcomer's 公示栏 is not empty. Never in production; added once."""

from __future__ import annotations

from sqlalchemy import select

from services.deliberation.base import compound_projection
from services.deliberation.bodies import Body
from services.deliberation.conventions import service as conventions
from services.deliberation.conventions.domain import Level
from services.deliberation.conventions.models import Convention
from services.deliberation.conventions.schemas import ConventionIn
from services.deliberation.disclosures import service as disclosures
from services.deliberation.disclosures.domain import DisclosureKind
from services.deliberation.disclosures.models import Disclosure
from services.deliberation.disclosures.schemas import DisclosureIn
from services.deliberation.projections.models import BuildingView, MembershipView
from shared.auth import Principal
from shared.service_app import ServiceRuntime, Ticker

DEMO_COMPOUND = "杏花岭片区·老旧小区"
DISCLOSURE_TITLE = "2026年第三季度小区公共收益及支出公示"
DISCLOSURE_BODY = (
    "本季度小区公共收益：电梯广告位租金 3,600.00 元，快递柜场地费 1,200.00 元，合计 4,800.00 元。\n"
    "支出：1号楼楼道灯更换 860.00 元，单元门闭门器维修 420.00 元，合计 1,280.00 元。\n"
    "结余 3,520.00 元计入公共收益账户。对以上内容有异议的，请于公示之日起七日内向业主监督委员会反映。"
)
CONVENTION_TITLE = "1号楼文明公约"
_done: set[int] = set()


async def seed_demo_board(runtime: ServiceRuntime) -> int:
    """Publish the demo disclosure and convention when the demo compound's seats are known here;
    how many records were added."""
    settings = runtime.settings
    if not settings.seed_demo or settings.environment == "production" or id(runtime) in _done:
        return 0
    async with runtime.transaction() as session:
        compound_id = await session.scalar(
            select(compound_projection.c.compound_id).where(compound_projection.c.name == DEMO_COMPOUND)
        )
        if compound_id is None:
            return 0  # the registry's events have not arrived yet
        seats = (
            await session.scalars(
                select(MembershipView).where(MembershipView.compound_id == compound_id, MembershipView.active.is_(True))
            )
        ).all()
        supervisor = next((m.person_id for m in seats if m.body == Body.supervisory_committee.value), None)
        committee = next((m.person_id for m in seats if m.body == Body.owners_committee.value), None)
        building = await session.scalar(
            select(BuildingView.building_id).where(BuildingView.compound_id == compound_id, BuildingView.number == "1")
        )
        if supervisor is None or committee is None or building is None:
            return 0
        added = 0
        now = runtime.clock()
        if await session.scalar(select(Disclosure.id).where(Disclosure.title == DISCLOSURE_TITLE)) is None:
            body = DisclosureIn(kind=DisclosureKind.spending, title=DISCLOSURE_TITLE, body=DISCLOSURE_BODY)
            await disclosures.publish(session, compound_id, body, Principal(supervisor, ()), now)
            added += 1
        if await session.scalar(select(Convention.id).where(Convention.title == CONVENTION_TITLE)) is None:
            convention = ConventionIn(
                compound_id=compound_id, level=Level.building, place_id=building, title=CONVENTION_TITLE
            )
            await conventions.create(session, convention, Principal(committee, ()))
            added += 1
    _done.add(id(runtime))
    return added


DEMO_BOARD_TICKER = Ticker("demo_board", interval_s=2.0, step=seed_demo_board)
