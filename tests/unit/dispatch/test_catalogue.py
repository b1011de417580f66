"""The catalogue's rules: per-category fields, SLA clocks per urgency, skills that cover."""

from __future__ import annotations

import pytest

from services.dispatch.catalogue.domain import (
    DEFAULT_CATALOGUE,
    DEFAULT_SLA,
    Category,
    Stage,
    Urgency,
    check_fields,
    check_sla,
    covers,
    sla_seconds,
)
from shared.errors import InvalidInput

LEAK = next(c for c in DEFAULT_CATALOGUE if c.code == "water_leak")


def test_a_leak_needs_its_location_and_nothing_unknown() -> None:
    assert check_fields(LEAK, {"location": " 厨房 "}) == {"location": "厨房"}
    with pytest.raises(InvalidInput) as missing:
        check_fields(LEAK, {})
    assert "缺少「漏水位置」" in missing.value.message
    with pytest.raises(InvalidInput) as unknown:
        check_fields(LEAK, {"location": "厨房", "colour": "red"})
    assert "未知字段 colour" in unknown.value.message


def test_a_category_may_set_its_own_clock_and_falls_back_to_the_default() -> None:
    fast = Category("x", "x", sla={"urgent": {"accept": 600}})
    assert sla_seconds(fast, Urgency.urgent, Stage.accept) == 600
    assert sla_seconds(fast, Urgency.urgent, Stage.start) == DEFAULT_SLA[Urgency.urgent][Stage.start]
    assert all(DEFAULT_SLA[u][Stage.confirm] == 72 * 3600 for u in Urgency)


def test_bad_sla_entries_are_refused() -> None:
    check_sla({"normal": {"triage": 60}})
    for bad in ({"soon": {"triage": 60}}, {"normal": {"lunch": 60}}, {"normal": {"triage": 0}}):
        with pytest.raises(InvalidInput):
            check_sla(bad)


def test_skills_cover_a_category_and_an_open_category_takes_anyone() -> None:
    assert covers(LEAK, ["plumber", "teacher"])
    assert not covers(LEAK, ["teacher"])
    assert covers(Category("micro_wish", "微心愿"), [])
    assert len({c.code for c in DEFAULT_CATALOGUE}) == len(DEFAULT_CATALOGUE)
