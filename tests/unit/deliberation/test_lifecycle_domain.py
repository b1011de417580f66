"""The pure rules of the lifecycle: the transition table, the committee's majority of all
members, levies, the vote's schedule and window, proxies, witnesses, and the audit chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.deliberation.audit.domain import GENESIS, StoredEntry, canonical, entry_hash, first_break
from services.deliberation.proposals import domain as pd
from services.deliberation.votes import domain as vd
from services.deliberation.votes.tally import Outcome
from shared.errors import Conflict, Forbidden, InvalidInput

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_happy_path_is_allowed_and_terminal_states_go_nowhere() -> None:
    path = [
        pd.Status.submitted, pd.Status.in_council, pd.Status.planning, pd.Status.awaiting_vote,
        pd.Status.voting, pd.Status.passed, pd.Status.executing, pd.Status.evaluated,
    ]  # fmt: skip
    for current, target in pairwise(path):
        pd.PROPOSAL_MACHINE.check(current, target)
    for terminal in (pd.Status.rejected, pd.Status.withdrawn, pd.Status.evaluated, pd.Status.referred_to_government):
        assert pd.PROPOSAL_MACHINE.targets()[terminal] == frozenset()


def test_an_illegal_move_is_a_conflict_naming_both_states() -> None:
    with pytest.raises(Conflict) as caught:
        pd.PROPOSAL_MACHINE.check(pd.Status.submitted, pd.Status.passed)
    assert caught.value.details == {"status": "submitted", "target": "passed"}


def test_no_quorum_may_be_noticed_again_but_a_passed_decision_cannot_be_withdrawn() -> None:
    pd.PROPOSAL_MACHINE.check(pd.Status.no_quorum, pd.Status.voting)
    with pytest.raises(Conflict):
        pd.PROPOSAL_MACHINE.check(pd.Status.passed, pd.Status.withdrawn)


def test_triage_and_council_send_the_proposal_where_the_131_model_says() -> None:
    assert pd.triage_target(pd.Triage.major) is pd.Status.referred_to_government
    assert pd.triage_target(pd.Triage.private) is pd.Status.returned_with_advice
    assert pd.council_target(pd.CouncilResolution.revise) is pd.Status.in_council


@given(members=st.integers(1, 15), data=st.data())
def test_the_committee_decides_by_more_than_half_of_all_members(members: int, data: st.DataObject) -> None:
    ayes = data.draw(st.integers(0, members))
    noes = data.draw(st.integers(0, members - ayes))
    decision = pd.committee_decision(ayes, noes, members)
    if ayes * 2 > members:
        assert decision is True
    elif (members - noes) * 2 <= members:
        assert decision is False  # even if every remaining member agreed it could not pass
    else:
        assert decision is None


def test_levies_need_their_formula_and_amount() -> None:
    pd.check_levy(pd.FundingSource.levy, pd.LevyFormula.by_area, 100, None, 100)
    pd.check_levy(pd.FundingSource.levy, pd.LevyFormula.per_household, None, 5_000, 100)
    pd.check_levy(pd.FundingSource.fund_pool, None, None, None, 100)
    with pytest.raises(InvalidInput):
        pd.check_levy(pd.FundingSource.levy, pd.LevyFormula.by_area, None, None, 100)
    with pytest.raises(InvalidInput):
        pd.check_levy(pd.FundingSource.levy, pd.LevyFormula.by_area, 200, None, 100)
    with pytest.raises(InvalidInput):
        pd.check_levy(pd.FundingSource.public_revenue, pd.LevyFormula.by_area, 100, None, 100)
    assert pd.needs_owner_vote(pd.FundingSource.maintenance_fund, False)
    assert not pd.needs_owner_vote(pd.FundingSource.public_revenue, False)


def test_a_decision_may_be_contested_for_one_year() -> None:
    assert pd.within_contest_period(date(2026, 1, 10), date(2027, 1, 10))
    assert not pd.within_contest_period(date(2026, 1, 10), date(2027, 1, 11))


def test_notice_must_come_fifteen_days_before_opening() -> None:
    vd.check_schedule(T0, T0 + timedelta(days=15), T0 + timedelta(days=20), 3)
    with pytest.raises(InvalidInput):
        vd.check_schedule(T0, T0 + timedelta(days=15) - timedelta(seconds=1), T0 + timedelta(days=20), None)
    with pytest.raises(InvalidInput):
        vd.check_schedule(T0, T0 + timedelta(days=15), T0 + timedelta(days=15), None)
    with pytest.raises(InvalidInput):
        vd.check_schedule(T0, T0 + timedelta(days=15), T0 + timedelta(days=20), 0)


def test_ballots_count_only_inside_the_window() -> None:
    opens, closes = T0, T0 + timedelta(days=7)
    with pytest.raises(Conflict, match="not opened"):
        vd.check_ballot_window(vd.VoteStatus.noticed, T0, opens, closes)
    vd.check_ballot_window(vd.VoteStatus.open, T0, opens, closes)
    with pytest.raises(Conflict, match="closed"):
        vd.check_ballot_window(vd.VoteStatus.open, closes, opens, closes)
    with pytest.raises(Conflict, match="closed"):
        vd.check_ballot_window(vd.VoteStatus.closed, T0, opens, closes)


def test_closing_happens_at_the_closing_time_and_only_once() -> None:
    with pytest.raises(Conflict):
        vd.check_can_close(vd.VoteStatus.open, T0, T0 + timedelta(minutes=1))
    vd.check_can_close(vd.VoteStatus.open, T0, T0)
    with pytest.raises(Conflict):
        vd.check_can_close(vd.VoteStatus.closed, T0, T0)


def test_the_extension_rule_applies_once_and_only_without_quorum() -> None:
    assert vd.should_extend(3, False, [Outcome.passed, Outcome.no_quorum])
    assert not vd.should_extend(3, True, [Outcome.no_quorum])
    assert not vd.should_extend(None, False, [Outcome.no_quorum])
    assert not vd.should_extend(3, False, [Outcome.rejected])


def test_a_plan_passes_as_a_package() -> None:
    assert vd.overall_outcome([Outcome.passed, Outcome.passed]) is Outcome.passed
    assert vd.overall_outcome([Outcome.passed, Outcome.rejected]) is Outcome.rejected
    assert vd.overall_outcome([Outcome.rejected, Outcome.no_quorum]) is Outcome.no_quorum


def test_a_proxy_needs_a_written_mandate_naming_someone_else() -> None:
    assert vd.check_mandate("  委托代为投票  ", 1, 2) == "委托代为投票"
    with pytest.raises(InvalidInput):
        vd.check_mandate("  ", 1, 2)
    with pytest.raises(InvalidInput):
        vd.check_mandate("委托代为投票", 1, 1)


def test_a_paper_ballot_needs_a_second_eligible_person() -> None:
    vd.check_witness(1, 2, True)
    with pytest.raises(InvalidInput):
        vd.check_witness(1, 1, True)
    with pytest.raises(Forbidden):
        vd.check_witness(1, 2, False)


def test_receipts_change_with_the_choice_and_the_version() -> None:
    a = vd.receipt("n", 1, 2, "owner:3", "for", 1)
    assert a != vd.receipt("n", 1, 2, "owner:3", "against", 1)
    assert a != vd.receipt("n", 1, 2, "owner:3", "for", 2)
    assert len(a) == 64


def chain(n: int) -> list[StoredEntry]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        body = canonical({"n": seq, "choice": "for"})
        digest = entry_hash(prev, seq, "ballot_cast", "vote:1", seq, body)
        entries.append(StoredEntry(seq, "ballot_cast", "vote:1", seq, body, prev, digest))
        prev = digest
    return entries


def test_an_intact_chain_verifies() -> None:
    assert first_break(chain(5)) is None


@given(position=st.integers(0, 5))
def test_a_changed_row_is_named(position: int) -> None:
    entries = chain(6)
    entries[position] = replace(entries[position], body=entries[position].body.replace("for", "against"))
    broken = first_break(entries)
    assert broken is not None
    assert broken.seq == position + 1


def test_a_removed_or_reordered_row_is_named() -> None:
    entries = chain(4)
    broken = first_break([entries[0], entries[2], entries[3]])
    assert broken is not None
    assert broken.seq == 3
    swapped = first_break([entries[0], entries[2], entries[1], entries[3]])
    assert swapped is not None
    assert swapped.seq == 3


def test_rehashing_one_row_still_breaks_the_next_link() -> None:
    entries = chain(3)
    forged_body = entries[1].body.replace("for", "against")
    forged = replace(
        entries[1], body=forged_body, hash=entry_hash(entries[1].prev_hash, 2, "ballot_cast", "vote:1", 2, forged_body)
    )
    broken = first_break([entries[0], forged, entries[2]])
    assert broken is not None
    assert broken.seq == 3
