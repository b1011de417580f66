"""The demo street a newcomer gets from `make run` (embedded mode, demo_size 1) has two owners'
votes in 杏花岭片区·老旧小区: one finished (eleven of twelve owners voted, one of them on a paper
sheet the supervisory committee witnessed; tallied and certified) and one open, with half the
owners voted. The committee chair 刘建华 reads both; the street's dashboard figures show them;
the votes are added once, whatever the tickers' rounds."""

from __future__ import annotations

from typing import Any

from services.deliberation.demo_votes import FINISHED_TITLE, OPEN_TITLE
from services.registry.demo import add_demo_organisation, add_demo_people, build_demo_street
from services.registry.demo_history import add_demo_members, add_demo_owners
from tests.api.conftest import Platform
from tests.api.deliberation.flow import call
from tests.api.registry.builders import demo_login


async def test_the_demo_compound_has_a_finished_and_an_open_vote(platform: Platform) -> None:
    registry = platform.apps["registry"].state.runtime
    settings = platform.settings.model_copy(update={"demo_size": 1})
    async with registry.db.sessionmaker() as session:
        demo = await build_demo_street(session)
        await add_demo_people(session, settings, demo)
        await add_demo_organisation(session, demo)
        await add_demo_members(session, settings, demo)
        await add_demo_owners(session, settings, demo)
        await session.commit()
    registry.relay.wake()
    runtime = platform.apps["deliberation"].state.runtime
    runtime.settings = runtime.settings.model_copy(update={"seed_demo": True, "demo_size": 1})
    liu = await demo_login(platform, "13800000005")  # 刘建华, chair of the owners' committee
    compound = demo.old_compound_id

    async def seeded() -> list[Any] | None:
        await runtime.tick("demo_board")  # the convention the finished vote is codified in
        await runtime.tick("demo_votes")
        answer = await platform.clients["deliberation"].get(
            "/api/v1/deliberation/proposals", params={"compound_id": compound}, headers=liu
        )
        found = answer.json() if answer.status_code == 200 else []
        return found if len(found) == 2 else None

    proposals = {p["title"]: p for p in await platform.eventually(seeded, within_s=60)}
    assert proposals[FINISHED_TITLE]["status"] != "voting"
    assert proposals[OPEN_TITLE]["status_label"] == "业主表决中"

    [finished] = await call(platform, "GET", f"/proposals/{proposals[FINISHED_TITLE]['id']}/votes", liu)
    assert (finished["status_label"], finished["outcome"]) == ("已结束并计票", "passed")
    assert finished["tally_certified_by"] is not None
    tally = await call(platform, "GET", f"/votes/{finished['id']}/tally", liu)
    assert tally["outcome"] == "passed"
    turnout = await call(platform, "GET", f"/votes/{finished['id']}/turnout", liu)
    assert (turnout["persons"], turnout["voted_persons"]) == (12, 11)
    assert [b["number"] for b in turnout["buildings"]] == ["1", "2"]
    [sheet] = await call(platform, "GET", f"/votes/{finished['id']}/paper-ballots", liu)
    assert (sheet["sheet_no"], sheet["awaiting_witness"]) == ("纸-001", False)
    [convention] = await call(platform, "GET", f"/compounds/{compound}/conventions", liu)
    assert [(c["number"], c["revision"], c["vote_id"]) for c in convention["clauses"]] == [
        (1, 1, finished["id"]),
        (2, 1, finished["id"]),
    ]
    verified = await call(platform, "GET", f"/compounds/{compound}/audit/verify", liu)
    assert verified["ok"] is True

    [running] = await call(platform, "GET", f"/proposals/{proposals[OPEN_TITLE]['id']}/votes", liu)
    assert running["status"] == "open"
    live = await call(platform, "GET", f"/votes/{running['id']}/turnout", liu)
    assert (live["persons"], live["voted_persons"]) == (12, 6)

    # The street's dashboard shows both, with the vote pages' own turnout.
    li = await demo_login(platform, "13800000001")
    figures = await call(platform, "GET", f"/figures?level=street&place_id={demo.street_id}", li)
    shown = {v["title"]: v for v in figures["votes"]}
    assert shown[FINISHED_TITLE]["outcome_label"] == "通过"
    assert shown[OPEN_TITLE]["voted_persons"] == 6
    assert figures["votes_closed"] == 1

    # Added once.
    assert await runtime.tick("demo_votes") == 0
