"""The entity kinds of people (resident, head, resident unit, grid worker): how each is saved,
announced and scoped."""

from __future__ import annotations

from typing import Any

from services.registry.entities import EntityKind
from services.registry.people.domain import (
    HeadKind,
)
from services.registry.people.models import GridWorker, Head, Person, ResidentUnit
from shared.contracts import registry as c
from shared.masking import mask_name

RESIDENT = EntityKind(
    Person,
    "居民",
    "resident",
    c.ResidentFields,
    # Never the ID-card or mobile number, nor the full name: events leave the service and
    # outlive an erasure (docs/personal-data.md). Billing's arrears list shows the masked name.
    lambda e: {
        "person_id": e.id,
        "masked_name": "" if getattr(e, "anonymised", False) else mask_name(e.name),
        "household_id": e.household_id,
        "compound_id": e.compound_id,
        "kind": e.kind,
        "moved_in": e.moved_in,
        "moved_out": e.moved_out,
        "version": e.version,
    },
    lambda e: e.compound_id if e.compound_id is not None else e.id,
)


def _head_fields(e: Head) -> dict[str, Any]:
    return {
        "head_id": e.id,
        "kind": e.kind,
        "person_id": e.person_id,
        "compound_id": e.compound_id,
        "building_id": e.place_id if e.kind == HeadKind.building else None,
        "entrance_id": e.place_id if e.kind == HeadKind.entrance else None,
        "courtyard_id": e.place_id if e.kind == HeadKind.courtyard else None,
        "version": e.version,
    }


HEAD = EntityKind(Head, "负责人", "head", c.HeadFields, _head_fields, lambda e: e.compound_id)


RESIDENT_UNIT = EntityKind(
    ResidentUnit,
    "驻地单位",
    "resident unit",
    c.ResidentUnitFields,
    lambda e: {"resident_unit_id": e.id, "community_id": e.community_id, "name": e.name, "version": e.version},
    lambda e: e.community_id,
)


def _no_sync_worker_fields(e: GridWorker) -> dict[str, Any]:
    # A grid worker's event carries the person's name and the grids, which live in other rows
    # and cannot be loaded synchronously: announce_grid_worker builds it instead.
    raise TypeError("grid worker events are built by announce_grid_worker")


# Used for lookups and version checks; events go through announce_grid_worker.
GRID_WORKER = EntityKind(
    GridWorker, "网格员", "grid worker", c.GridWorkerFields, _no_sync_worker_fields, lambda e: e.id
)
