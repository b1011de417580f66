"""The authorisation matrix: every operation of the four services' OpenAPI, called by people who
have no business with 王秀英's records, against her records.

The world: 王秀英 lives in 3-1-301 of the old compound of 杏花岭社区 (第一网格); her household is
needy with a staff note, she owns her dwelling, heads her building, sits on the council, has
a leak order in dispatch, a bill in billing and a proposal in deliberation, and the street
admin 张丽 pairs with her compound off the wall (not public). The outsiders:
  (a) neighbour: a resident of another household of the same compound;
  (b) other compound: a resident of 迎泽社区's compound (same street, other community);
  (c) staff of another place: the community admin of 迎泽社区, the grid worker of its grid,
      the property staff of its compound.
Any 2xx is a failure unless the operation is written below as open to that outsider, and a
2xx list never holds one of her records the outsider may not read one by one."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from shared.auth import Grant, Role
from tests.api.billing.builders import rate_card, wait_for_dwellings
from tests.api.billing.builders import staff as property_staff
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API as DISPATCH
from tests.api.dispatch.builders import LEAK, xinghualing_cast
from tests.api.registry.builders import dwelling_in, resident
from tests.helpers import ok

NEIGHBOUR = "neighbour (other household, same compound)"
OTHER_COMPOUND = "resident of another community's compound"
OTHER_ADMIN = "community admin of another community"
OTHER_GRID = "grid worker of another grid"
OTHER_PROPERTY = "property staff of another compound"
EVERYONE = frozenset({NEIGHBOUR, OTHER_COMPOUND, OTHER_ADMIN, OTHER_GRID, OTHER_PROPERTY})
SAME_COMPOUND = frozenset({NEIGHBOUR})
# Every outsider is in the same street: the street and its own community are theirs to see.
SAME_COMMUNITY = frozenset({NEIGHBOUR})

# Operations open to (some of) the outsiders, and why. Everything else must answer 4xx.
OPEN: dict[tuple[str, str], frozenset[str]] = {
    # Labels of enums and the catalogue of order categories: reference data, no one's record.
    ("GET", "/api/v1/registry/enums"): EVERYONE,
    ("GET", "/api/v1/dispatch/enums"): EVERYONE,
    ("GET", "/api/v1/billing/enums"): EVERYONE,
    ("GET", "/api/v1/deliberation/enums"): EVERYONE,
    ("GET", "/api/v1/dispatch/categories"): EVERYONE,
    # Open311 service discovery is public by the GeoReport v2 standard.
    ("GET", "/api/v1/dispatch/open311/v2/services.json"): EVERYONE,
    ("GET", "/api/v1/dispatch/open311/v2/services/{service_code}.json"): EVERYONE,
    # The blank import workbook.
    ("GET", "/api/v1/registry/imports/template"): EVERYONE,
    # Logging out ends only the session whose refresh token is sent, and answers 204 whatever
    # it is sent (so it tells nobody whether a token was valid).
    ("POST", "/api/v1/registry/auth/logout"): EVERYONE,
    # The caller's own profile.
    ("GET", "/api/v1/registry/me"): EVERYONE,
    # The caller's own inbox and notification settings: they touch no one else's (someone
    # else's message is 404, tests/api/registry/test_notifications.py).
    ("POST", "/api/v1/registry/notifications/read-all"): EVERYONE,
    ("PUT", "/api/v1/registry/notifications/preferences"): EVERYONE,
    # The caller's own volunteering (特长户): a resident registers or withdraws only themself, in
    # the compound they live in (tests/api/registry/test_volunteers_and_posts.py).
    ("PUT", "/api/v1/registry/volunteers/me"): EVERYONE,
    ("DELETE", "/api/v1/registry/volunteers/me"): EVERYONE,
    # Coverage rates are published aggregate figures of the street (no one's record).
    # The street is everyone's here (all outsiders live or serve in it).
    ("GET", "/api/v1/registry/streets/{entity_id}"): EVERYONE,
    # What is public in her compound: its places, the party organisation, who sits on its
    # bodies and who heads its buildings, the resident units of the community, the wall.
    ("GET", "/api/v1/registry/communities/{entity_id}"): SAME_COMMUNITY,
    ("GET", "/api/v1/registry/grids/{entity_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/compounds/{entity_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/compounds/{compound_id}/tree"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/compounds/{compound_id}/pairings/public"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/buildings/{entity_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/entrances/{entity_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/dwellings/{entity_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/party-orgs/{entity_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/party-orgs/{entity_id}/tree"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/memberships/{entity_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/heads/{head_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/grid-workers/{worker_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/registry/resident-units/{entity_id}"): SAME_COMMUNITY,
    # Each service's card of her compound (name, kind, management model), and the points rules
    # dispatch applies there: public in the compound.
    ("GET", "/api/v1/dispatch/compounds/{compound_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/billing/compounds/{compound_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/dispatch/points/rules/{compound_id}"): SAME_COMPOUND,
    # The household credit rules of her compound: what a household earns or loses, and for what.
    ("GET", "/api/v1/dispatch/credit/rules/{compound_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/dispatch/eligibility/{compound_id}"): SAME_COMPOUND,
    # A resident of the compound puts a matter forward in it.
    ("POST", "/api/v1/deliberation/proposals"): SAME_COMPOUND,
    # Deliberation is public to the compound (proposals, meetings, conventions, its audit log).
    ("GET", "/api/v1/deliberation/compounds/{compound_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/proposals/{proposal_id}"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/proposals/{proposal_id}/objections"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/proposals/{proposal_id}/milestones"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/proposals/{proposal_id}/meetings"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/proposals/{proposal_id}/evaluation"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/compounds/{compound_id}/conventions"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/compounds/{compound_id}/disclosures"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/compounds/{compound_id}/audit"): SAME_COMPOUND,
    ("GET", "/api/v1/deliberation/compounds/{compound_id}/audit/verify"): SAME_COMPOUND,
}

# Lists answer 200 with what the caller may see (never everything): their 2xx is expected, and
# what they hold is checked instead (no record of hers the caller may not read one by one).
SCOPED_LISTS = re.compile(
    r"^/api/v1/(registry|dispatch|billing|deliberation)/[a-z0-9\-/.]+$"  # a collection, no path id
)

# Not called here: the SSE streams never end through httpx's ASGI transport; they carry only
# the caller's own feeds (dispatch.stream.recipients_of, the caller's inbox), which
# tests/api/dispatch/test_stream.py and tests/api/registry/test_notification_stream.py hold to.
NOT_CALLED = {("GET", "/api/v1/dispatch/stream"), ("GET", "/api/v1/registry/notifications/stream")}

# Holes in other services found by this matrix, fixed on branch authz-places (remove them from
# here when merging it): (outsider, method, path).
_OUTSIDE_HER_COMPOUND = (OTHER_COMPOUND, OTHER_ADMIN, OTHER_GRID, OTHER_PROPERTY)
# Holes the matrix found in dispatch, billing and deliberation are closed; a new one fails here.
KNOWN_HOLES: set[tuple[str, str, str]] = set()


@dataclass
class World:
    ids: dict[str, int]  # path / query / body field name -> her record's id
    by_resource: dict[str, int]  # collection segment (households, orders, ...) -> her record's id
    outsiders: dict[str, dict[str, str]] = field(default_factory=dict)
    markers: tuple[str, ...] = ()  # text only her household and its staff may read


async def build_world(platform: Platform) -> World:
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    home = cast.home
    wang_headers = platform.token(
        Grant(Role.resident, "household", home.household_id), Grant(Role.owner, "compound", home.compound_id),
        person=cast.wang,
    )  # fmt: skip
    # Her household's private side, her ownership, her seat and her building.
    household = ok(
        await registry.get(f"/api/v1/registry/households/{home.household_id}", headers=platform.street_admin)
    )
    ok(
        await registry.patch(
            f"/api/v1/registry/households/{home.household_id}",
            json={"version": household["version"], "needy": True, "note": "独居老人需关照"},
            headers=platform.street_admin,
        )
    )
    ownership = await platform.post("/ownerships", {"dwelling_id": home.dwelling_id, "person_id": cast.wang})
    membership = await platform.post(
        "/memberships", {"person_id": cast.wang, "body": "council", "compound_id": home.compound_id}
    )
    head = await platform.post("/heads", {"kind": "building", "place_id": home.building_id, "person_id": cast.wang})
    unit = await platform.post("/resident-units", {"community_id": home.community_id, "name": "杏花岭小学"})
    hidden = await platform.post(
        "/pairings",
        {"kind": "cadre_compound", "compound_id": home.compound_id, "cadre_person_id": cast.zhang, "public": False},
    )
    grid_worker = (ok(await registry.get("/api/v1/registry/grid-workers", headers=platform.street_admin)))[0]

    # The neighbour, and 迎泽社区 with its grid, compound and a household.
    neighbour_home = await dwelling_in(
        platform, street_id=home.street_id, community_id=home.community_id, grid_id=home.grid_id,
        compound_id=home.compound_id, building="8",
    )  # fmt: skip
    neighbour = await resident(platform, "邻居孙阿姨", household_id=neighbour_home.household_id)
    community2 = (await platform.post("/communities", {"street_id": home.street_id, "name": "迎泽社区"}))["id"]
    grid2 = (await platform.post("/grids", {"community_id": community2, "name": "第三网格"}))["id"]
    compound2 = (
        await platform.post(
            "/compounds",
            {"name": "迎泽小区", "community_id": community2, "grid_id": grid2, "kind": "commercial",
             "management_model": "professional"},
        )
    )["id"]  # fmt: skip
    far_home = await dwelling_in(
        platform, street_id=home.street_id, community_id=community2, grid_id=grid2, compound_id=compound2, building="1"
    )
    far = await resident(platform, "外区居民", household_id=far_home.household_id)

    # Her leak order, her compound's bill run, her proposal.
    order = ok(await platform.clients["dispatch"].post(f"{DISPATCH}/orders", json=LEAK, headers=wang_headers), 201)
    await wait_for_dwellings(platform, home.compound_id, 6)
    await rate_card(platform, home.compound_id, "0.80", management_model="community_custody")
    billing = platform.clients["billing"]
    staff = property_staff(platform, home.compound_id)
    run = ok(
        await billing.post(
            "/api/v1/billing/bill-runs",
            json={"scope_id": home.compound_id, "period": "2026"},
            headers={**staff, "Idempotency-Key": "matrix-bill-run"},
        ),
        201,
    )
    bills = ok(await billing.get("/api/v1/billing/bills", params={"compound_id": home.compound_id}, headers=staff))
    [bill_id] = [b["id"] for b in bills["items"] if b["dwelling_id"] == home.dwelling_id]

    # Her dispute with her upstairs neighbour in mediation: only the two of them, the mediator
    # and the grid's staff may read it.
    dispute = ok(
        await platform.clients["dispatch"].post(
            f"{DISPATCH}/mediation/cases",
            json={
                "compound_id": home.compound_id, "kind": "dispute", "category": "neighbours",
                "title": "楼上渗水调解", "summary": "卫生间天花板渗水",
                "parties": [
                    {"side": "applicant", "name": "王秀英", "person_id": cast.wang},
                    {"side": "respondent", "name": "孙师傅", "person_id": cast.sun["person_id"]},
                ],
            },
            headers=wang_headers,
        ),
        201,
    )  # fmt: skip

    deliberation = platform.clients["deliberation"]

    async def proposal() -> Any:
        answer = await deliberation.post(
            "/api/v1/deliberation/proposals",
            json={"compound_id": home.compound_id, "title": "更换单元门禁"},
            headers=wang_headers,
        )
        return answer.json() if answer.status_code == 201 else None

    proposed = await platform.eventually(proposal, within_s=30)

    ids = {
        "street_id": home.street_id, "community_id": home.community_id, "grid_id": home.grid_id,
        "compound_id": home.compound_id, "scope_id": home.compound_id, "building_id": home.building_id,
        "entrance_id": home.entrance_id, "dwelling_id": home.dwelling_id, "household_id": home.household_id,
        "person_id": cast.wang, "cadre_person_id": cast.zhang, "party_member_id": cast.zhao["id"],
        "party_org_id": cast.branch, "order_id": order["id"], "run_id": run["id"], "bill_id": bill_id,
        "proposal_id": proposed["id"], "worker_id": grid_worker["id"], "head_id": head["id"],
        "place_id": home.building_id, "case_id": dispute["id"],
    }  # fmt: skip
    by_resource = {
        "streets": home.street_id, "communities": home.community_id, "grids": home.grid_id,
        "compounds": home.compound_id, "buildings": home.building_id, "entrances": home.entrance_id,
        "dwellings": home.dwelling_id, "households": home.household_id, "ownerships": ownership["id"],
        "memberships": membership["id"], "heads": head["id"], "resident-units": unit["id"], "pairings": hidden["id"],
        "party-orgs": cast.branch, "party-members": cast.zhao["id"], "residents": cast.wang,
        "grid-workers": grid_worker["id"], "orders": order["id"], "bills": bill_id, "bill-runs": run["id"],
        "proposals": proposed["id"], "cases": dispute["id"],
    }  # fmt: skip
    outsiders = {
        NEIGHBOUR: platform.token(
            Grant(Role.resident, "household", neighbour_home.household_id), person=neighbour["id"]
        ),
        OTHER_COMPOUND: platform.token(Grant(Role.resident, "household", far_home.household_id), person=far["id"]),
        OTHER_ADMIN: platform.token(Grant(Role.community_admin, "community", community2), person=7001),
        OTHER_GRID: platform.token(Grant(Role.grid_worker, "grid", grid2), person=7002),
        OTHER_PROPERTY: platform.token(Grant(Role.property_staff, "compound", compound2), person=7003),
    }
    return World(ids, by_resource, outsiders, markers=("独居老人需关照", LEAK["title"], "楼上渗水调解"))


# --- requests from the OpenAPI -------------------------------------------------------------


def operations(platform: Platform) -> list[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """(service, method, path, operation, components) for every /api/v1 operation; reads first,
    deletes last (so a hole that deletes cannot hide the holes after it)."""
    out = []
    for service, app in platform.apps.items():
        doc = app.openapi()
        components = doc.get("components", {}).get("schemas", {})
        for path, item in doc["paths"].items():
            if not path.startswith("/api/v1/"):
                continue
            for method, op in item.items():
                if method in {"get", "post", "put", "patch", "delete"}:
                    out.append((service, method.upper(), path, op, components))
    order = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
    return sorted(out, key=lambda o: order[o[1]])


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _resolve(options[0], components) if options else {"type": "null"}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def example(name: str, schema: dict[str, Any], components: dict[str, Any], world: World, depth: int = 0) -> Any:
    """A plausible value: her record's id for a field naming one, else the smallest valid value."""
    schema = _resolve(schema, components)
    if name in world.ids and schema.get("type") in {"integer", None}:
        return world.ids[name]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        wanted = set(schema.get("required", [])) | {p for p in props if p in world.ids}
        return {p: example(p, props[p], components, world, depth + 1) for p in props if p in wanted}
    if kind == "array":
        item = example(name.removesuffix("s"), schema.get("items", {}), components, world, depth + 1)
        return [item] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return 1  # versions too: her records are fresh
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "2026-11-20"
        if fmt == "date-time":
            return "2026-11-20T10:00:00+08:00"
        if "pattern" in schema and "\\d" in schema["pattern"]:
            return "2026-11" if "-" in schema["pattern"] else "1.00"
        return "测试" * max(1, (schema.get("minLength") or 1) // 2 + 1)
    return None


def request_of(
    path: str, op: dict[str, Any], components: dict[str, Any], world: World
) -> tuple[str, dict[str, Any], Any]:
    """The URL with her ids in the path, the query (her ids in every filter), the body."""
    segments = path.split("/")
    url_parts = []
    for i, segment in enumerate(segments):
        found = re.fullmatch(r"(.*)\{(\w+)\}(.*)", segment)
        if found is None:
            url_parts.append(segment)
            continue
        prefix, name, suffix = found.groups()
        value = world.by_resource.get(segments[i - 1]) if name == "entity_id" else world.ids.get(name)
        url_parts.append(f"{prefix}{value if value is not None else 1}{suffix}")
    query: dict[str, Any] = {}
    for param in op.get("parameters", []):
        if param["in"] != "query":
            continue
        pname, schema = param["name"], param.get("schema", {})
        if param.get("required") or pname in world.ids:
            query[pname] = example(pname, schema, components, world)
    body = None
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = example("body", content["application/json"]["schema"], components, world)
    return "/".join(url_parts), query, body


def listed_ids(payload: Any) -> set[int]:
    items = payload.get("items") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        return set()
    return {item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), int)}


async def test_no_outsider_reads_or_changes_her_records(platform: Platform) -> None:
    world = await build_world(platform)
    ops = operations(platform)
    one_by_one = {(m, p) for _, m, p, _, _ in ops if m == "GET" and "{" in p}
    failures: list[str] = []
    probed: set[tuple[str, str]] = set()
    for service, method, path, op, components in ops:
        if (method, path) in NOT_CALLED:
            probed.add((method, path))
            continue
        url, query, body = request_of(path, op, components, world)
        for who, headers in world.outsiders.items():
            if (who, method, path) in KNOWN_HOLES:
                continue
            call = platform.clients[service].request(method, url, params=query, json=body, headers=headers)
            answer = await asyncio.wait_for(call, timeout=30)
            if answer.status_code != 422:
                probed.add((method, path))
            assert answer.status_code < 500, f"{method} {url} as {who}: {answer.status_code} {answer.text[:300]}"
            if not 200 <= answer.status_code < 300:
                continue
            text = answer.text
            leaked = [m for m in world.markers if m in text]
            if leaked:
                failures.append(f"{who}: {method} {path} shows {leaked}")
            if method == "GET" and "{" not in path and SCOPED_LISTS.match(path):
                # A list: none of her records the caller may not read one by one.
                resource = path.rsplit("/", 1)[1]
                # The record's own route (`…/compounds/{id}`, not `…/compounds/{id}/something`).
                detail = next(
                    (p for m, p in one_by_one if p.startswith(f"{path}/{{") and p.count("{") == 1 and p.endswith("}")),
                    None,
                )
                mine = world.by_resource.get(resource)
                may_read = detail is not None and who in OPEN.get(("GET", detail), frozenset())
                if mine is not None and not may_read and mine in listed_ids(answer.json()):
                    failures.append(f"{who}: {method} {path} lists her {resource} {mine}")
                continue
            if who not in OPEN.get((method, path), frozenset()):
                failures.append(f"{who}: {method} {path} answered {answer.status_code}: {text[:160]}")
    assert not failures, f"{len(failures)} holes:\n" + "\n".join(sorted(failures))
    # The matrix must reach the authorisation of most operations (not stop at validation).
    assert len(probed) > 0.8 * len(ops), sorted({(m, p) for _, m, p, _, _ in ops} - probed)
