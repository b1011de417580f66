"""Xinghualing's residents ledger (seed 002): the community clerk uploads the spreadsheet the
compound has kept for years, Linli checks every row, builds the buildings, dwellings and
households, and gives the ledgers back as .xlsx."""

from __future__ import annotations

import asyncio
import gc
import io
import shutil
import stat
import weakref
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlalchemy import func, select

from linli.apps import SERVICE_FACTORIES
from services.registry.ledgers.domain import ImportMode, Ledger
from services.registry.ledgers.generator import build_street, plan_street, write_residents_xlsx
from services.registry.ledgers.service import create_job, import_runner, resume_unfinished_imports, store_upload
from services.registry.people.domain import id_card_check_char
from services.registry.people.models import PersonalDataAccess
from services.registry.people.pii import PiiVault
from shared.auth import Grant, Role
from shared.events.inprocess import InProcessTransport
from shared.events.outbox import outbox
from shared.settings import Settings
from tests.api.conftest import Platform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "楼栋号",
    "单元号",
    "房号",
    "建筑面积",
    "专有面积",
    "楼层",
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "与户主关系",
    "人员类别",
    "是否困难户",
    "入住日期",
]


def id_card(born: str, sequence: int) -> str:
    """A valid number from 杏花岭区 (140107) with the GB 11643 check digit."""
    first17 = f"140107{born}{sequence:03d}"
    return first17 + id_card_check_char(first17)


def resident(place: str, area: str, exclusive: str | None, floor: int | None, *person: Any) -> list[Any]:
    """One ledger row: 楼栋-单元-房号 and the dwelling, then the person (birth date and sequence
    make the ID-card number)."""
    name, gender, born, sequence, mobile, relation, kind, needy, moved_in = person
    card = id_card(born, sequence)
    return [*place.split("-"), area, exclusive, floor, name, gender, card, mobile, relation, kind, needy, moved_in]


# 12 residents of 杏花岭小区 in two buildings: 3号楼 (multi-storey) and 5号楼 (high-rise).
# fmt: off
RESIDENTS: list[list[Any]] = [
    resident("3-1-301", "86.50", "78.20", 3,
             "王秀英", "女", "19580312", 2, "13834561234", "本人", "业主", "否", "2003-06-01"),
    resident("3-1-301", "86.50", None, None,
             "李建国", "男", "19560807", 11, "13834561235", "配偶", "业主", "否", None),
    resident("3-1-301", "86.50", None, None,
             "李小明", "男", "20150101", 31, None, "孙子", "家庭成员", None, None),
    resident("3-1-302", "62.30", None, None,
             "张伟", "男", "19850520", 13, "13912345678", "本人", "租户", "否", "2021-03-15"),
    resident("3-1-302", "62.30", None, None,
             "刘芳", "女", "19870211", 24, "13912345679", "配偶", "家庭成员", None, None),
    resident("3-1-401", "86.50", None, None,
             "赵敏", "女", "19490909", 6, "15034567890", "本人", "业主", "是", "1998-10-01"),
    resident("5-2-1201", "118.00", "96.40", 12,
             "陈强", "男", "19750101", 15, "18603451111", "本人", "业主", "否", None),
    resident("5-2-1201", "118.00", "96.40", 12,
             "周丽", "女", "19770303", 26, "18603452222", "配偶", "业主", "否", None),
    resident("5-2-1201", "118.00", "96.40", 12,
             "陈子涵", "女", "20080808", 28, None, "子女", "家庭成员", "否", None),
    resident("5-2-1202", "96.40", None, None,
             "孙磊", "男", "19900606", 17, "17734560001", "本人", "租户", "否", None),
    resident("5-2-1501", "132.75", None, None,
             "吴刚", "男", "19680418", 19, "13703518888", "本人", "业主", "否", None),
    resident("5-2-1501", "132.75", None, None,
             "郑洁", "女", "19700512", 20, "13703519999", "配偶", "家庭成员", None, None),
]
# fmt: on


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS, title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def compound(platform: Platform, community: int, name: str = "杏花岭小区") -> int:
    body = {"name": name, "community_id": community, "kind": "old", "management_model": "self_managed"}
    return int((await platform.post("/compounds", body))["id"])


async def upload(
    platform: Platform,
    compound_id: int,
    content: bytes,
    *,
    filename: str = "杏花岭小区居民台账.xlsx",
    mode: str = "all_or_nothing",
    headers: dict[str, str] | None = None,
    content_type: str = XLSX,
) -> httpx.Response:
    return await platform.clients["registry"].post(
        "/api/v1/registry/imports",
        files={"file": (filename, content, content_type)},
        data={"ledger": "residents", "mode": mode, "compound_id": str(compound_id)},
        headers=headers or platform.street_admin,
    )


async def finished(platform: Platform, job_id: int, within_s: float = 20.0) -> dict[str, Any]:
    """Poll the job until it is done or failed (it runs in the background)."""

    async def probe() -> dict[str, Any] | None:
        answer = await platform.clients["registry"].get(
            f"/api/v1/registry/imports/{job_id}", headers=platform.street_admin
        )
        assert answer.status_code == 200, answer.text
        job: dict[str, Any] = answer.json()
        return job if job["status"] in ("done", "failed") else None

    result: dict[str, Any] = await platform.eventually(probe, within_s=within_s)
    return result


async def imported(platform: Platform, compound_id: int, content: bytes, **kwargs: Any) -> dict[str, Any]:
    answer = await upload(platform, compound_id, content, **kwargs)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    assert answer.headers["location"] == f"/api/v1/registry/imports/{answer.json()['id']}"
    return await finished(platform, answer.json()["id"])


async def all_events(platform: Platform) -> list[str]:
    runtime = platform.apps["registry"].state.runtime
    async with runtime.db.sessionmaker() as session:
        return list((await session.scalars(select(outbox.c.value))).all())


async def tree(platform: Platform, compound_id: int) -> dict[str, Any]:
    answer = await platform.clients["registry"].get(
        f"/api/v1/registry/compounds/{compound_id}/tree", headers=platform.street_admin
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def dwellings_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{b['number']}-{e['number']}-{d['room']}": d
        for b in body["buildings"]
        for e in b["entrances"]
        for d in e["dwellings"]
    }


async def test_the_clerk_imports_the_ledger_and_a_second_upload_changes_nothing(
    platform: Platform, community: int
) -> None:
    xinghualing = await compound(platform, community)
    ledger = workbook(RESIDENTS)
    job = await imported(platform, xinghualing, ledger)
    assert job["status"] == "done", job
    assert (job["total_rows"], job["processed_rows"], job["written_rows"], job["bad_rows"]) == (12, 12, 12, 0)
    assert (job["ledger_label"], job["status_label"]) == ("居民台账", "已完成")

    body = await tree(platform, xinghualing)
    assert body["totals"]["buildings"] == 2
    assert body["totals"]["dwellings"] == 6
    assert body["totals"]["households"] == 6
    by_number = {b["number"]: b for b in body["buildings"]}
    assert (by_number["3"]["structure"], by_number["3"]["floors"]) == ("multi_storey", 4)
    assert (by_number["5"]["structure"], by_number["5"]["floors"]) == ("high_rise", 15)
    dwellings = dwellings_of(body)
    assert dwellings["3-1-301"]["area_m2"] == "86.50"  # 王秀英's flat
    assert dwellings["3-1-301"]["exclusive_area_m2"] == "78.20"
    assert dwellings["3-1-302"]["exclusive_area_m2"] == "62.30"  # defaults to the building area
    assert dwellings["5-2-1501"]["area_m2"] == "132.75"

    registry = platform.clients["registry"]
    owners = (
        await registry.get(
            "/api/v1/registry/ownerships",
            params={"dwelling_id": dwellings["3-1-301"]["id"]},
            headers=platform.street_admin,
        )
    ).json()
    assert sorted(o["share_bp"] for o in owners) == [5000, 5000]  # 王秀英 and 李建国
    needy = (
        await registry.get(
            "/api/v1/registry/households",
            params={"dwelling_id": dwellings["3-1-401"]["id"]},
            headers=platform.street_admin,
        )
    ).json()
    assert [h["needy"] for h in needy] == [True]  # 赵敏, 困难户

    assert await platform.outbox_rows(entity="resident") == 12
    assert await platform.outbox_rows(entity="dwelling") == 6
    assert await platform.outbox_rows(entity="ownership") == 6
    events = await all_events(platform)
    for row in RESIDENTS:  # events never carry ID-card or mobile numbers
        assert not any(row[8] in e or (row[9] and row[9] in e) for e in events)

    again = await imported(platform, xinghualing, ledger)
    assert again["status"] == "done"
    assert (again["written_rows"], again["unchanged_rows"], again["bad_rows"]) == (0, 12, 0)
    assert len(await all_events(platform)) == len(events)
    assert again["file_sha256"] == job["file_sha256"]


BAD_CHECK_DIGIT = id_card("19580312", 2)[:-1] + ("1" if id_card("19580312", 2)[-1] != "1" else "2")


def with_two_bad_rows() -> list[list[Any]]:
    rows = [list(r) for r in RESIDENTS]
    rows[2][8] = BAD_CHECK_DIGIT  # spreadsheet row 4: a typo in 李小明's ID card
    rows[5][3] = "86.555"  # row 7: three decimals in 赵敏's area
    rows[5][11] = "房东"  # … and an unknown 人员类别
    return rows


async def test_bad_rows_are_reported_and_nothing_is_written_unless_the_clerk_asks_for_good_rows(
    platform: Platform, community: int
) -> None:
    xinghualing = await compound(platform, community)
    content = workbook(with_two_bad_rows())

    job = await imported(platform, xinghualing, content, mode="all_or_nothing")
    assert job["status"] == "failed"
    assert (job["total_rows"], job["written_rows"], job["bad_rows"]) == (12, 0, 2)
    by_row: dict[int, list[dict[str, Any]]] = {}
    for e in job["errors"]:
        by_row.setdefault(e["row"], []).append(e)
    assert sorted(by_row) == [4, 7]
    assert by_row[4][0]["field"] == "id_card"
    assert by_row[4][0]["column"] == "身份证号"
    assert "校验位" in by_row[4][0]["message"]
    # The clerk sees which number is wrong, masked like everywhere else, never in full.
    masked = BAD_CHECK_DIGIT[:4] + "*" * 10 + BAD_CHECK_DIGIT[-4:]
    assert by_row[4][0]["value"] == masked
    assert f"“{masked}”" in by_row[4][0]["message"]
    assert masked in by_row[4][0]["message_en"]
    assert BAD_CHECK_DIGIT not in str(job)
    assert {e["field"] for e in by_row[7]} == {"area_m2", "kind"}
    assert any("两位小数" in e["message"] for e in by_row[7])
    assert any("人员类别“房东”无效" in e["message"] for e in by_row[7])
    assert (await tree(platform, xinghualing))["totals"]["dwellings"] == 0
    assert await platform.outbox_rows(entity="resident") == 0

    job = await imported(platform, xinghualing, content, mode="good_rows")
    assert job["status"] == "done"
    assert (job["written_rows"], job["unchanged_rows"], job["bad_rows"], job["processed_rows"]) == (10, 0, 2, 12)
    assert dwellings_of(await tree(platform, xinghualing)).keys() == {
        "3-1-301",
        "3-1-302",
        "5-2-1201",
        "5-2-1202",
        "5-2-1501",
    }
    assert await platform.outbox_rows(entity="resident") == 10


async def test_a_ledger_with_a_title_row_and_rows_that_contradict_each_other(
    platform: Platform, community: int
) -> None:
    xinghualing = await compound(platform, community)
    rows = [list(r) for r in RESIDENTS[:3]]
    rows[1][3] = "90.00"  # 李建国's row gives 301 another area than 王秀英's
    rows.append(list(RESIDENTS[0]))  # and 王秀英 appears twice
    rows.append(["3", "1", "303", "-5", None, None, "", "男", "1401071958031", "1234", None, "业主", "也许", "明天"])
    job = await imported(platform, xinghualing, workbook(rows, title="杏花岭小区居民台账（2026年）"))
    assert job["status"] == "failed"
    reasons = {(e["row"], e["field"]): e["message"] for e in job["errors"]}
    assert reasons[(4, "area_m2")] == "房屋 3-1-301 的建筑面积与第 3 行不一致"
    assert reasons[(6, "id_card")] == "身份证号与第 3 行重复"
    assert {f for r, f in reasons if r == 7} == {"area_m2", "name", "id_card", "mobile", "needy", "moved_in"}
    assert reasons[(7, "name")] == "姓名不能为空"
    shown = {(e["row"], e["field"]): e["value"] for e in job["errors"]}
    assert (shown[(7, "id_card")], shown[(7, "mobile")]) == ("1401*****8031", "****")
    assert "1401071958031" not in str(job)


async def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(platform: Platform, community: int) -> None:
    xinghualing = await compound(platform, community)
    lines = [",".join(HEADERS)] + [",".join("" if v is None else str(v) for v in row) for row in RESIDENTS]
    content = "\r\n".join(lines).encode("gb18030")
    job = await imported(platform, xinghualing, content, filename="台账.csv", content_type="text/csv")
    assert job["status"] == "done", job
    assert job["written_rows"] == 12
    assert dwellings_of(await tree(platform, xinghualing))["3-1-301"]["area_m2"] == "86.50"

    with_bom = b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8")
    again = await imported(platform, xinghualing, with_bom, filename="台账-utf8.csv", content_type="text/csv")
    assert (again["status"], again["unchanged_rows"]) == ("done", 12)


def read_sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheets = {s.title: [tuple(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}
    book.close()
    return sheets


async def test_export_then_import_again_changes_nothing_and_full_numbers_are_logged(
    platform: Platform, community: int
) -> None:
    xinghualing = await compound(platform, community)
    await imported(platform, xinghualing, workbook(RESIDENTS))
    registry = platform.clients["registry"]
    answer = await registry.get(
        "/api/v1/registry/exports/residents", params={"compound_id": xinghualing}, headers=platform.street_admin
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    rows = read_sheets(answer.content)["居民台账"]
    assert rows[0][:14] == tuple(HEADERS)
    assert len(rows) == 13
    wang = next(r for r in rows if r[6] == "王秀英")
    assert wang[:4] == ("3", "1", "301", "86.50")
    assert (wang[8], wang[9], wang[11]) == (RESIDENTS[0][8], "13834561234", "业主")

    runtime = platform.apps["registry"].state.runtime
    async with runtime.db.sessionmaker() as session:
        logged = await session.scalar(select(func.count()).select_from(PersonalDataAccess))
        purposes = set((await session.scalars(select(PersonalDataAccess.purpose))).all())
    assert (logged, purposes) == (12, {"export"})

    events = len(await all_events(platform))
    job = await imported(platform, xinghualing, answer.content, filename="导出.xlsx")
    assert (job["status"], job["written_rows"], job["unchanged_rows"]) == ("done", 0, 12)
    assert len(await all_events(platform)) == events

    ops = platform.token(Grant(Role.ops), person=99)
    masked = await registry.get("/api/v1/registry/exports/residents", params={"compound_id": xinghualing}, headers=ops)
    wang = next(r for r in read_sheets(masked.content)["居民台账"] if r[6] == "王秀英")
    assert (wang[8], wang[9]) == ("1401**********" + RESIDENTS[0][8][-4:], "138****1234")


async def test_party_member_and_pairing_exports_have_their_sheets(platform: Platform, community: int) -> None:
    xinghualing = await compound(platform, community)
    registry = platform.clients["registry"]
    party = await registry.get(
        "/api/v1/registry/exports/party-members", params={"compound_id": xinghualing}, headers=platform.street_admin
    )
    assert party.status_code == 200, party.text
    sheets = read_sheets(party.content)
    assert list(sheets) == ["在职党员", "离退休党员", "流动党员", "直管党员"]
    assert sheets["在职党员"][0][:3] == ("姓名", "性别", "出生日期")
    wall = await registry.get(
        "/api/v1/registry/exports/pairings", params={"compound_id": xinghualing}, headers=platform.street_admin
    )
    assert wall.status_code == 200
    assert read_sheets(wall.content)["包联公示"][0] == ("包联类型", "包联人", "被包联对象", "起始日期")


async def test_the_template_has_the_chinese_headers_and_an_example(platform: Platform) -> None:
    answer = await platform.clients["registry"].get(
        "/api/v1/registry/imports/template", params={"ledger": "residents"}, headers=platform.street_admin
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%B1%85%E6%B0%91" in answer.headers["content-disposition"]  # 居民…
    sheets = read_sheets(answer.content)
    header, example = sheets["居民台账"][:2]
    assert header[:14] == tuple(HEADERS)
    assert example[6] == "王秀英"
    assert "填写说明" in sheets


async def test_only_the_compounds_admins_may_import_export_or_poll(platform: Platform, community: int) -> None:
    xinghualing = await compound(platform, community)
    registry = platform.clients["registry"]
    other_community = await platform.community(street="双塔街道", name="双塔社区")
    strangers = [
        platform.token(Grant(Role.community_admin, "community", other_community), person=7),
        platform.token(Grant(Role.resident), person=8),
        platform.token(Grant(Role.street_admin, "street", 999), person=9),
    ]
    own_admin = platform.token(Grant(Role.community_admin, "community", community), person=6)
    answer = await upload(platform, xinghualing, workbook(RESIDENTS[:1]), headers=own_admin)
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    await finished(platform, job_id)
    for headers in strangers:
        assert (await upload(platform, xinghualing, workbook(RESIDENTS), headers=headers)).status_code == 403
        assert (await registry.get(f"/api/v1/registry/imports/{job_id}", headers=headers)).status_code == 403
        for path in ("residents", "party-members", "pairings"):
            refused = await registry.get(
                f"/api/v1/registry/exports/{path}", params={"compound_id": xinghualing}, headers=headers
            )
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "forbidden"
    assert (await registry.get(f"/api/v1/registry/imports/{job_id}")).status_code == 401


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("台账.txt", b"hello", "只支持 .xlsx 或 .csv"),
        ("台账.xlsx", b"not a zip file", "不是有效的 .xlsx"),
        ("台账.csv", b"", "文件是空的"),
    ],
)
async def test_files_that_are_not_ledgers_are_refused_at_once(
    platform: Platform, community: int, filename: str, content: bytes, reason: str
) -> None:
    xinghualing = await compound(platform, community)
    answer = await upload(platform, xinghualing, content, filename=filename)
    assert answer.status_code == 422
    assert reason in answer.json()["error"]["message"]


async def test_a_file_without_the_required_headers_fails_the_job(platform: Platform, community: int) -> None:
    xinghualing = await compound(platform, community)
    headers = [h for h in HEADERS if h != "身份证号"]
    rows = [[v for h, v in zip(HEADERS, r, strict=True) if h != "身份证号"] for r in RESIDENTS]
    job = await imported(platform, xinghualing, workbook(rows, headers=headers))
    assert job["status"] == "failed"
    assert job["errors"][0]["message"] == "表头缺少必填列：身份证号"


async def test_a_job_left_behind_by_a_crash_is_resumed_at_start_up(platform: Platform, community: int) -> None:
    xinghualing = await compound(platform, community)
    runtime = platform.apps["registry"].state.runtime
    vault = PiiVault(platform.settings)
    sha, stored = await asyncio.to_thread(
        store_upload, platform.settings.data_dir, io.BytesIO(workbook(RESIDENTS)), "xlsx", vault
    )
    async with runtime.db.sessionmaker() as session:
        job = await create_job(
            session,
            ledger=Ledger.residents,
            mode=ImportMode.good_rows,
            compound_id=xinghualing,
            filename="crash.xlsx",
            sha256=sha,
            stored_path=stored,
            created_by=1,
        )
        job.status = "running"  # the process died half-way
        lost = await create_job(
            session,
            ledger=Ledger.residents,
            mode=ImportMode.good_rows,
            compound_id=xinghualing,
            filename="lost.xlsx",
            sha256="0" * 64,
            stored_path=Path(platform.settings.data_dir) / "imports" / "gone.xlsx",
            created_by=1,
        )
        await session.commit()
    # What older versions or a crash left behind: a plain-text upload, a half-written one.
    imports = Path(platform.settings.data_dir) / "imports"
    legacy = imports / f"{'a' * 64}.xlsx"
    legacy.write_bytes(workbook(RESIDENTS))
    half = imports / ".0190abcd.part"
    half.write_bytes(b"LNPII")
    assert await resume_unfinished_imports(runtime) == [job.id]
    assert not legacy.exists()
    assert not half.exists()
    resumed = await finished(platform, job.id)
    assert (resumed["status"], resumed["written_rows"]) == ("done", 12)
    assert not stored.exists()
    gone = await finished(platform, lost.id)
    assert gone["status"] == "failed"
    assert "文件已丢失" in gone["errors"][0]["message"]


async def test_an_uploaded_ledger_is_sealed_while_its_job_needs_it_and_deleted_when_it_ends(
    platform: Platform, community: int
) -> None:
    """The file holds every resident's ID-card and mobile number (PIPL): on disk it is sealed
    with the personal-data key, readable by the service alone, and gone once the job ends."""
    xinghualing = await compound(platform, community)
    runtime = platform.apps["registry"].state.runtime
    imports = Path(platform.settings.data_dir) / "imports"
    wang_card, wang_mobile = RESIDENTS[0][8], RESIDENTS[0][9]
    for content, expected in ((workbook(RESIDENTS), "done"), (workbook(with_two_bad_rows()), "failed")):
        # The runner imports one file at a time: while a job holds its turn, the next one waits
        # queued with its file on disk, where a thief with the disk would find it.
        async with import_runner(runtime)._one_at_a_time:
            answer = await upload(platform, xinghualing, content)
            assert answer.status_code == 202, answer.text
            [stored] = list(imports.iterdir())
            assert stat.S_IMODE(stored.stat().st_mode) == 0o600
            assert stat.S_IMODE(imports.stat().st_mode) == 0o700
            raw = stored.read_bytes()
            for plain in (content, wang_card.encode(), wang_mobile.encode(), "王秀英".encode()):
                assert plain not in raw
            assert b"PK" not in raw[:64]  # not even recognisable as a spreadsheet
        job = await finished(platform, answer.json()["id"])
        assert job["status"] == expected
        assert list(imports.iterdir()) == []


async def test_a_registry_that_has_stopped_is_freed_with_its_import_runner(tmp_path: Path, migrated: Path) -> None:
    """Every start looks for unfinished imports, so every registry gets an import runner, kept
    in a weak map by its runtime. A runner that held its runtime kept each stopped registry
    (engine, caches, metrics) for the life of the process: every API test's, in the suite."""
    shutil.copyfile(migrated / "registry.db", tmp_path / "registry.db")
    settings = Settings(data_dir=tmp_path, seed_demo=False, demo_size=0)
    transport = InProcessTransport(settings.bus_url())
    app = SERVICE_FACTORIES["registry"](settings, transport)
    async with app.router.lifespan_context(app):
        runtime = weakref.ref(app.state.runtime)
        assert import_runner(app.state.runtime).tasks == set()
    await transport.close()
    del app
    gc.collect()
    assert runtime() is None


async def test_a_sealed_upload_that_was_tampered_with_fails_its_job(platform: Platform, community: int) -> None:
    xinghualing = await compound(platform, community)
    runtime = platform.apps["registry"].state.runtime
    imports = Path(platform.settings.data_dir) / "imports"
    async with import_runner(runtime)._one_at_a_time:
        answer = await upload(platform, xinghualing, workbook(RESIDENTS))
        [stored] = list(imports.iterdir())
        raw = bytearray(stored.read_bytes())
        raw[-5] ^= 0x01  # one bit flipped in the last chunk
        stored.write_bytes(bytes(raw))
    job = await finished(platform, answer.json()["id"])
    assert job["status"] == "failed"
    assert job["written_rows"] == 0
    assert "损坏" in job["errors"][0]["message"]
    assert list(imports.iterdir()) == []


async def test_the_generated_street_is_realistic_and_its_ledger_imports_unchanged(
    platform: Platform, tmp_path: Path
) -> None:
    runtime = platform.apps["registry"].state.runtime
    summary = await build_street(runtime, households=150, seed=11, compounds=2)
    plan = plan_street(150, 11, compounds=2)
    assert plan_street(150, 11, compounds=2).compounds[0].rows == plan.compounds[0].rows  # deterministic
    assert (summary["households"], summary["residents"]) == (150, plan.residents)
    assert 2 * 150 <= summary["residents"] <= 4 * 150
    assert summary["party_members"] == sum(len(cp.party) for cp in plan.compounds)
    assert abs(summary["party_members"] / summary["residents"] - 0.07) < 0.01
    assert await platform.outbox_rows(entity="resident") == summary["residents"]
    assert await platform.outbox_rows(entity="party_member") == summary["party_members"]
    first = summary["compound_ids"][0]
    shape = await tree(platform, first)
    assert shape["totals"]["households"] == plan.compounds[0].households
    for building in shape["buildings"]:
        assert (building["structure"], building["floors"] == 6) in {("multi_storey", True), ("high_rise", False)}
        assert 1 <= len(building["entrances"]) <= 4  # the last building may be only partly lived in
    assert max(len(b["entrances"]) for b in shape["buildings"]) >= 2
    areas = [Decimal(d["area_m2"]) for d in dwellings_of(shape).values()]
    assert all(Decimal("45.00") <= a <= Decimal("160.00") for a in areas)

    ledger = tmp_path / "generated.xlsx"
    await asyncio.to_thread(write_residents_xlsx, ledger, plan.compounds[0])
    job = await imported(platform, first, ledger.read_bytes())
    assert (job["status"], job["written_rows"], job["unchanged_rows"]) == ("done", 0, len(plan.compounds[0].rows))
    party = await platform.clients["registry"].get(
        "/api/v1/registry/exports/party-members", params={"compound_id": first}, headers=platform.street_admin
    )
    exported = sum(len(rows) - 1 for rows in read_sheets(party.content).values())
    assert exported == len(plan.compounds[0].party)


async def test_the_templates_example_row_is_skipped_and_the_rows_below_it_import(
    platform: Platform, community: int
) -> None:
    """A newcomer who uploads the template untouched must not get its example 王秀英 in their
    compound (the README's walk did, and every billing figure after it was off); the rows
    they write below the example import as usual."""
    compound_id = await compound(platform, community, "模板小区")
    template = await platform.clients["registry"].get(
        "/api/v1/registry/imports/template?ledger=residents", headers=platform.street_admin
    )
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    headers = [cell.value for cell in book["居民台账"][1] if cell.value]
    example = [cell.value for cell in book["居民台账"][2]]
    # Marked in the cell after the last column.
    assert (example[6], example[len(headers)]) == ("王秀英", "示例行：导入时跳过，请从下一行起填写")
    job = await imported(platform, compound_id, template.content, filename="template.xlsx")
    assert (job["status"], job["written_rows"], job["bad_rows"]) == ("done", 0, 0), job

    # The example stays; one real household is written under it.
    book["居民台账"].append(RESIDENTS[3])
    filled = io.BytesIO()
    book.save(filled)
    job = await imported(platform, compound_id, filled.getvalue(), filename="template.xlsx")
    assert (job["status"], job["written_rows"], job["bad_rows"]) == ("done", 1, 0), job
    listed = await platform.clients["registry"].get(
        "/api/v1/registry/exports/residents", params={"compound_id": compound_id}, headers=platform.street_admin
    )
    names = [row[6] for row in read_sheets(listed.content)["居民台账"][1:]]
    assert names == ["张伟"]
