"""The figures a community reads: days as the compound lives them (Beijing time, not UTC),
labels instead of codes, durations in hours and minutes, in JSON and in the .xlsx alike."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, order_leak, xinghualing_cast
from tests.helpers import ok


async def test_a_leak_reported_just_after_midnight_counts_on_that_day_in_labels_and_hours(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    grid_worker = cast.grid_worker(platform)
    # 00:30 on 1 December in Xinghualing is still 30 November in UTC: the day must be December's.
    reported = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    platform.set_clock(reported)
    order_id = (await order_leak(platform, cast))["id"]
    # 张丽 triages it at 02:35, two hours and five minutes later.
    platform.set_clock(reported + timedelta(hours=2, minutes=5))
    ok(await dispatch.post(f"{API}/orders/{order_id}/triage", json={"triage": "minor"}, headers=grid_worker))

    grid: dict[str, Any] = {"level": "grid", "place_id": cast.home.grid_id}
    december = ok(
        await dispatch.get(
            f"{API}/stats", params={**grid, "date_from": "2026-12-01", "date_to": "2026-12-01"}, headers=grid_worker
        )
    )
    november = ok(
        await dispatch.get(
            f"{API}/stats", params={**grid, "date_from": "2026-11-30", "date_to": "2026-11-30"}, headers=grid_worker
        )
    )
    assert (december["orders"], november["orders"], december["time_zone"]) == (1, 0, "Asia/Shanghai")
    assert december["level_label"] == "网格"
    assert [(c["label"], c["orders"]) for c in december["triage_counts"]] == [("小事（社区与居民协商解决）", 1)]
    assert [(c["label"], c["orders"]) for c in december["category_counts"]] == [("水管漏水", 1)]
    assert [(c["label"], c["orders"]) for c in december["state_counts"]] == [("待派单", 1)]
    # (The clocks run on after being set, so the seconds are 7,500 give or take a moment.)
    assert december["to_triage"]["median_text"] == "2小时05分"
    assert abs(december["to_triage"]["median_s"] - 7500) < 30

    sheet = await dispatch.get(
        f"{API}/stats.xlsx", params={**grid, "date_from": "2026-12-01", "date_to": "2026-12-01"}, headers=grid_worker
    )
    book = load_workbook(io.BytesIO(sheet.content))
    summary = {row[0].value: row[1] for row in book["概况"].iter_rows(min_row=2)}
    assert (summary["层级"].value, summary["受理工单数"].value) == ("网格", 1)
    # A duration cell is a duration (it sums and averages in the sheet) shown as hours and minutes.
    triage = summary["分流用时中位数（时:分）"]
    assert triage.number_format == "[h]:mm"
    assert abs(triage.value.total_seconds() - 7500) < 30
    assert list(book["按分流"].iter_rows(min_row=2, values_only=True)) == [("小事（社区与居民协商解决）", 1)]
    assert list(book["按类别"].iter_rows(min_row=2, values_only=True)) == [("水管漏水", 1)]
    assert list(book["按状态"].iter_rows(min_row=2, values_only=True)) == [("待派单", 1)]
    assert "5星" in [r[0] for r in book["满意度分布"].iter_rows(min_row=2, values_only=True)]
