"""The residents ledger's row rules, without a database: what a clerk types and what Linli
makes of it."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.ledgers.domain import (
    EXAMPLE_MARK,
    RESIDENT_COLUMNS,
    ErrorLog,
    LedgerFileError,
    ResidentBook,
    ResidentRow,
    cell_text,
    find_columns,
    floor_from_room,
    group_by_dwelling,
    is_template_example,
    looks_like_header,
    normalise_header,
    parse_id_card,
    parse_mobile,
    parse_resident,
    split_shares,
    structure_for,
)
from services.registry.ledgers.service import outbox_row
from services.registry.ledgers.sheets import (
    Sheet,
    decode_csv,
    file_format,
    iter_sheet_rows,
    write_workbook,
)
from services.registry.ledgers.xlsx_stream import iter_xlsx_rows
from services.registry.people.domain import Gender, id_card_check_char, mask_id_card, mask_mobile
from shared.contracts import registry as c
from shared.errors import InvalidInput
from shared.events.envelope import CloudEvent, EventData
from shared.spreadsheets import content_disposition

TODAY = date(2026, 11, 25)
WANG = "14010719580312002" + id_card_check_char("14010719580312002")


def cells(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "building": "3",
        "entrance": "1",
        "room": "301",
        "area_m2": "86.50",
        "name": "王秀英",
        "gender": "女",
        "id_card": WANG,
        "mobile": "13834561234",
        "relation": "本人",
        "kind": "业主",
        "needy": "否",
        "moved_in": "2003-06-01",
    }
    row.update(overrides)
    return row


def good(row: int = 2, **overrides: object) -> ResidentRow:
    parsed = parse_resident(row, cells(**overrides), TODAY)
    assert isinstance(parsed, ResidentRow), parsed
    return parsed


def reasons(**overrides: object) -> dict[str, str]:
    parsed = parse_resident(5, cells(**overrides), TODAY)
    assert isinstance(parsed, list), parsed
    assert {e.row for e in parsed} == {5}
    return {e.field: e.message for e in parsed}


def test_wang_xiuying_in_3_1_301_is_a_good_row() -> None:
    r = good()
    assert r.dwelling == ("3", "1", "301")
    assert r.area_m2 == Decimal("86.50")
    assert (r.gender, r.birth_date, r.kind, r.needy) == ("female", date(1958, 3, 12), "owner", False)
    assert r.dwelling_floor == 3
    assert r.moved_in == date(2003, 6, 1)


def test_what_excel_hands_over_is_read_as_the_clerk_meant() -> None:
    r = good(building=3, entrance=1.0, room=301, area_m2=86.5, mobile=13834561234, moved_in=datetime(2003, 6, 1))
    assert (r.building, r.entrance, r.room, r.area_m2, r.mobile) == ("3", "1", "301", Decimal("86.50"), "13834561234")
    assert r.moved_in == date(2003, 6, 1)
    assert good(kind="owner", gender=None).gender == "female"  # codes work too; gender from the ID card
    assert good(id_card=WANG.lower()[:-1] + WANG[-1].lower()).id_card == WANG


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_card": WANG[:-1] + ("1" if WANG[-1] != "1" else "2")}, "id_card", "校验位不正确"),
        ({"id_card": "14010719580312"}, "id_card", "应为 18 位"),
        ({"id_card": "14010719581312002X"}, "id_card", "出生日期 19581312 不是有效日期"),
        ({"id_card": "140107203012120021"}, "id_card", "在未来"),
        ({"mobile": "12834561234"}, "mobile", "应为 11 位中国大陆手机号"),
        ({"mobile": "1383456123"}, "mobile", "应为 11 位中国大陆手机号"),
        ({"area_m2": "0"}, "area_m2", "建筑面积 必须大于 0"),
        ({"area_m2": "-3"}, "area_m2", "建筑面积 必须大于 0"),
        ({"area_m2": "86.505"}, "area_m2", "建筑面积 最多两位小数"),
        ({"area_m2": "八十六"}, "area_m2", "建筑面积 必须是数字"),
        ({"area_m2": None}, "area_m2", "建筑面积不能为空"),
        ({"name": "  "}, "name", "姓名不能为空"),
        ({"kind": "房东"}, "kind", "人员类别“房东”无效，只能是：业主/租户/家庭成员"),
        ({"kind": None}, "kind", "人员类别不能为空"),
        ({"needy": "也许"}, "needy", "是否困难户只能填“是”或“否”"),
        ({"moved_in": "2003-13-01"}, "moved_in", "入住日期不是有效日期"),
        ({"moved_in": "2030-01-01"}, "moved_in", "入住日期 2030-01-01 晚于今天"),
        ({"gender": "男"}, "gender", "性别“男”与身份证号（女）不符"),
        ({"room": None}, "room", "房号不能为空"),
        ({"exclusive_area_m2": "90.00"}, "exclusive_area_m2", "专有面积 90.00 不能大于建筑面积 86.50"),
        ({"floor": "三楼"}, "floor", "楼层必须是整数"),
        ({"floor": 9, "building_floors": 6}, "floor", "楼层 9 高于楼栋总层数 6"),
        ({"structure": "平房"}, "structure", "楼栋结构“平房”无效"),
    ],
)
def test_each_mistake_a_clerk_makes_is_named_in_chinese(overrides: dict[str, object], field: str, message: str) -> None:
    assert message in reasons(**overrides)[field]


def test_every_bad_cell_of_a_row_is_reported_not_only_the_first() -> None:
    found = reasons(area_m2="-1", mobile="123", kind="房东", name="")
    assert set(found) == {"area_m2", "mobile", "kind", "name"}


def test_an_id_card_excel_turned_into_a_number_gets_a_hint() -> None:
    message = reasons(id_card=140107195803120100)["id_card"]
    assert "设为文本格式" in message


def test_blank_optional_cells_mean_not_stated() -> None:
    r = good(mobile=None, relation="", needy=None, moved_in=None, gender="")
    assert (r.mobile, r.relation, r.needy, r.moved_in) == (None, None, None, None)


@given(
    st.from_regex(
        r"[1-6][1-5][0-9]{4}(19[5-9][0-9]|20[01][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True
    )
)
def test_a_number_with_its_computed_check_digit_is_valid(first17: str) -> None:
    card = first17 + id_card_check_char(first17)
    parsed = parse_id_card(card, TODAY)
    assert parsed.number == card
    assert parsed.gender == (Gender.male if int(first17[16]) % 2 else Gender.female)
    for wrong in "0123456789X":
        if wrong != card[-1]:
            with pytest.raises(InvalidInput):
                parse_id_card(card[:-1] + wrong, TODAY)


def test_the_check_character_of_the_standards_example() -> None:
    assert id_card_check_char("11010519491231002") == "X"  # GB 11643-1999's own example


@pytest.mark.parametrize("raw", ["13834561234", "+86 138 3456 1234", "138-3456-1234", "008613834561234"])
def test_mobiles_lose_their_decoration(raw: str) -> None:
    assert parse_mobile(raw) == "13834561234"


def test_masks_keep_the_ends() -> None:
    assert mask_id_card(WANG) == WANG[:4] + "**********" + WANG[-4:]
    assert mask_mobile("13834561234") == "138****1234"


@given(st.integers(min_value=1, max_value=50))
def test_co_owners_shares_sum_to_one_hundred_percent_with_the_remainder_first(owners: int) -> None:
    shares = split_shares(owners)
    assert len(shares) == owners
    assert sum(shares) == 10_000
    assert shares[0] >= max(shares[1:], default=0)
    assert max(shares) - min(shares) <= owners


def test_three_co_owners() -> None:
    assert split_shares(3) == [3334, 3333, 3333]
    assert split_shares(2) == [5000, 5000]
    assert split_shares(1) == [10_000]
    assert split_shares(0) == []


def test_headers_are_found_with_units_marks_and_aliases() -> None:
    header = ["序号", "楼号*", "单元", "房间号", "建筑面积（㎡）", "姓名", "身份证号码", " 人员类别 "]
    positions = find_columns(header, RESIDENT_COLUMNS)
    assert positions == {"building": 1, "entrance": 2, "room": 3, "area_m2": 4, "name": 5, "id_card": 6, "kind": 7}
    assert normalise_header("建筑面积(m²)") == "建筑面积"
    assert looks_like_header(header, RESIDENT_COLUMNS)
    assert not looks_like_header(["杏花岭小区居民台账"], RESIDENT_COLUMNS)
    with pytest.raises(LedgerFileError) as err:
        find_columns(["楼栋号", "单元号", "房号", "姓名"], RESIDENT_COLUMNS, row=2)
    assert err.value.error.message == "表头缺少必填列：建筑面积、身份证号、人员类别"
    assert err.value.error.row == 2


def test_a_later_row_must_agree_with_the_first_about_its_dwelling_and_person() -> None:
    book = ResidentBook()
    assert book.admit(good(2)) == []
    husband = "14010719560807001" + id_card_check_char("14010719560807001")
    assert book.admit(good(3, id_card=husband, gender="男", name="李建国", needy=None)) == []
    errors = book.admit(good(4, id_card=husband, gender="男", name="李建国", area_m2="90"))
    assert {(e.field, e.message) for e in errors} == {
        ("id_card", "身份证号与第 3 行重复"),
        ("area_m2", "房屋 3-1-301 的建筑面积与第 2 行不一致"),
    }
    assert book.dwellings[("3", "1", "301")].needy is False  # stated on the first row, not on the second


def test_a_new_buildings_floors_and_structure_follow_its_highest_floor() -> None:
    book = ResidentBook()
    book.admit(good(2, room="1802"))
    assert book.buildings["3"].resolved() == ("high_rise", 18)
    book = ResidentBook()
    book.admit(good(2, room="601"))
    assert book.buildings["3"].resolved() == ("multi_storey", 6)
    book.admit(good(3, room="602", id_card="11010519491231002X", gender="", structure="高层", building_floors=7))
    assert book.buildings["3"].resolved() == ("high_rise", 7)
    assert structure_for(6).value == "multi_storey"
    assert (floor_from_room("301"), floor_from_room("1202"), floor_from_room("A3"), floor_from_room("05")) == (
        3,
        12,
        None,
        None,
    )


def test_chunks_never_split_a_dwelling() -> None:
    rows = [good(i, room=str(300 + i // 3), id_card=_card(i), gender=None) for i in range(2, 40)]
    chunks = group_by_dwelling(rows, 5)
    assert sum(len(c) for c in chunks) == len(rows)
    seen: set[tuple[str, str, str]] = set()
    for chunk in chunks:
        rooms = {r.dwelling for r in chunk}
        assert not rooms & seen
        seen |= rooms


def _card(i: int) -> str:
    first17 = f"14010719800101{i:03d}"
    return first17 + id_card_check_char(first17)


def test_the_error_log_counts_every_bad_row_but_keeps_two_hundred_reasons() -> None:
    log = ErrorLog()
    for row in range(2, 502):
        log.add(parse_resident(row, cells(mobile="1", area_m2="0"), TODAY))  # type: ignore[arg-type]
    assert len(log.bad_rows) == 500
    assert len(log.kept) == 200


def test_cells_become_text() -> None:
    assert [cell_text(v) for v in (None, 3.0, 86.5, " 王  秀英 ", True, date(2003, 6, 1))] == [
        "",
        "3",
        "86.5",
        "王 秀英",
        "是",
        "2003-06-01",
    ]


def test_files_and_their_names() -> None:
    assert (file_format("台账.XLSX"), file_format("a.csv"), file_format("a.xls")) == ("xlsx", "csv", None)
    assert decode_csv("楼栋号".encode("gb18030")) == "楼栋号"
    assert decode_csv(b"\xef\xbb\xbf" + "楼栋号".encode()) == "楼栋号"
    assert content_disposition("居民台账.xlsx") == (
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''%E5%B1%85%E6%B0%91%E5%8F%B0%E8%B4%A6.xlsx"
    )


# --- spreadsheets --------------------------------------------------------------------------


def _openpyxl_values(path: Path) -> list[list[object]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _trimmed(rows: list[list[object]]) -> list[list[object]]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    return out


def test_the_stream_reader_reads_what_openpyxl_reads(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["杏花岭小区居民台账"])
    sheet.append(["楼栋号", "建筑面积", "入住日期", "是否困难户", "备注"])
    sheet.append([3, 86.5, datetime(2003, 6, 1), True, "  前后空格  "])
    sheet.append([])
    sheet.append(["5", 118, date(2020, 1, 2), False, None, "多出的一列"])
    sheet["C5"].number_format = "yyyy/m/d"
    sheet["A7"] = "=1+1"  # a formula without a cached value reads as None, as in openpyxl
    sheet["B8"] = 1e20
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)
    ours = [list(cells) for _, cells in iter_xlsx_rows(path)]
    assert _trimmed(ours) == _trimmed(_openpyxl_values(path))
    assert ours[2][:4] == [3, 86.5, datetime(2003, 6, 1), True]


def test_what_linli_writes_reads_back_the_same(tmp_path: Path) -> None:
    rows = [["3", "1", "301", "86.50", 3, "王秀英", "140107195803120027", None, True, date(2003, 6, 1)]]
    rows.append(["  x ", "<&>\"'", "\x07bell", "", 1.25, "", "", "", False, None])
    path = tmp_path / "linli.xlsx"
    write_workbook(
        [
            Sheet(
                "居民台账:测试/超过三十一个字符的标题会被截断到三十一个字符为止",
                ["a"] * 10,
                rows,
                frozenset({6}),
                (8,) * 10,
            )
        ],
        path,
    )
    expected: list[list[object]] = [["a"] * 10]
    expected += [[("是" if v is True else "否" if v is False else v) for v in r] for r in rows]
    expected[1][9] = "2003-06-01"
    expected[2][2] = "bell"  # characters XML cannot carry are dropped
    for reader in (lambda p: [list(cells) for _, cells in iter_xlsx_rows(p)], _openpyxl_values):
        got = _trimmed(reader(path))
        assert got == _trimmed([[None if v == "" else v for v in r] for r in expected])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["居民台账_测试_超过三十一个字符的标题会被截断到三十一个字符为"]  # 31 characters
    assert book.active["G2"].number_format == "@"
    assert book.active["A1"].font.b


RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXCEL_LIKE = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml": (
        '<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<x:workbookPr date1904="1"/><x:sheets><x:sheet name="台账" sheetId="7" r:id="rId9"/></x:sheets></x:workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId9" Type="{RELS}/worksheet" Target="/xl/worksheets/data.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="strings.xml"/>'
        f'<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/strings.xml": (
        '<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<x:si><x:t>楼栋号</x:t></x:si>"
        "<x:si><x:r><x:t>王</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>秀英</x:t></x:r>"
        "<x:rPh sb='0' eb='1'><x:t>ワン</x:t></x:rPh></x:si></x:sst>"
    ),
    "xl/styles.xml": (
        '<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:numFmts><x:numFmt numFmtId="170" '
        'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></x:numFmts>'
        '<x:cellXfs><x:xf numFmtId="0"/><x:xf numFmtId="170"/><x:xf numFmtId="14"/><x:xf numFmtId="2"/></x:cellXfs>'
        "</x:styleSheet>"
    ),
    "xl/worksheets/data.xml": (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="A4" s="1"><x:v>1</x:v></x:c><x:c r="B4" s="2"><x:v>366</x:v></x:c>'
        '<x:c r="C4" s="3"><x:v>86.5</x:v></x:c><x:c r="D4" t="b"><x:v>0</x:v></x:c>'
        '<x:c r="E4" t="str"><x:f>A1&amp;"x"</x:f><x:v>算出的</x:v></x:c><x:c r="F4" t="e"><x:v>#N/A</x:v></x:c>'
        '<x:c r="G4" t="inlineStr"><x:is><x:t xml:space="preserve"> 行内 </x:t></x:is></x:c>'
        '<x:c r="H4"><x:v>140107195803120027</x:v></x:c><x:c r="I4"><x:v>1.5E3</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    ),
}


def test_an_excel_package_with_prefixes_rich_text_and_the_1904_calendar(tmp_path: Path) -> None:
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        for name, content in EXCEL_LIKE.items():
            package.writestr(name, content)
    rows = list(iter_xlsx_rows(path))
    assert [n for n, _ in rows] == [1, 2, 3, 4]
    assert rows[1][1] == [None, "楼栋号", "王秀英"]
    assert rows[3][1] == [
        datetime(1904, 1, 2),
        datetime(1905, 1, 1),
        86.5,
        False,
        "算出的",
        "#N/A",
        " 行内 ",
        140107195803120027,
        1500.0,
    ]


def test_a_damaged_xlsx_is_a_file_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        for name, content in EXCEL_LIKE.items():
            package.writestr(name, content.replace("</x:sheetData>", "") if name.endswith("data.xml") else content)
    with pytest.raises(LedgerFileError):
        list(iter_sheet_rows(path, "xlsx"))
    not_ours = tmp_path / "no-workbook.xlsx"
    with zipfile.ZipFile(not_ours, "w") as package:
        package.writestr("hello.txt", "hi")
    with pytest.raises(LedgerFileError):
        list(iter_sheet_rows(not_ours, "xlsx"))


# --- events --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        c.DwellingCreated(
            dwelling_id=7,
            entrance_id=2,
            building_id=3,
            compound_id=4,
            room="301",
            area_m2=Decimal("86.50"),
            exclusive_area_m2=Decimal("78.2"),
            usage="residential",
            sale_status="sold",
            delivered=True,
            version=1,
        ),
        c.ResidentCreated(
            person_id=9,
            name="王秀英",
            household_id=3,
            compound_id=4,
            kind="owner",
            moved_in=date(2003, 6, 1),
            moved_out=None,
            version=1,
        ),
        c.PartyMemberCreated(
            party_member_id=1,
            person_id=9,
            name="李“建国”\\",
            ledger="retired",
            party_org_id=2,
            household_id=None,
            compound_id=4,
            skills=["plumber", "电工"],
            on_duty=True,
            max_open_orders=3,
            version=1,
        ),
    ],
)
def test_a_bulk_outbox_row_is_the_row_emit_writes(data: EventData) -> None:
    for subject in (9, '单元"3\\'):
        event = CloudEvent.of(data, subject=subject, key=4)
        message = event.to_message(data.topic())
        fast = outbox_row(data, subject, 4, event_id=event.id, at=event.time)
        assert fast == {
            "event_id": event.id,
            "topic": message.topic,
            "key": message.key,
            "type": event.type,
            "headers": json.dumps([[k, v.decode()] for k, v in message.headers], ensure_ascii=False),
            "value": message.value.decode(),
        }
        assert "140107" not in fast["value"]


def test_only_the_untouched_example_row_of_the_template_is_skipped() -> None:
    positions = {c.field: i for i, c in enumerate(RESIDENT_COLUMNS)}
    example: list[object] = [c.example for c in RESIDENT_COLUMNS]
    assert is_template_example([*example, EXAMPLE_MARK], positions, RESIDENT_COLUMNS)
    # Unmarked (someone's real 王秀英), or marked but filled in with a real person: imported.
    assert not is_template_example(example, positions, RESIDENT_COLUMNS)
    filled = [*example[:6], "李建国", *example[7:], EXAMPLE_MARK]
    assert not is_template_example(filled, positions, RESIDENT_COLUMNS)
