"""Events the registry publishes on `registry.events`: linli.registry.<entity>.<verb>.v1 for
every entity, keyed by compound id where the entity lies in a compound (by its own id above
that level). They carry what consumers need (ids, areas, roles, skills, membership) and never
ID-card or mobile numbers. A person's name travels only where a consumer shows it (party
members and grid workers, in dispatch); PersonErased tells every consumer to forget it
(docs/personal-data.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from shared.events.envelope import EventData

# --- places -------------------------------------------------------------------------------


class StreetFields(EventData):
    street_id: int
    name: str
    version: int


class CommunityFields(EventData):
    community_id: int
    street_id: int
    name: str
    version: int


class GridFields(EventData):
    grid_id: int
    community_id: int
    name: str
    version: int


class ClusterFields(EventData):
    cluster_id: int
    community_id: int
    name: str
    version: int


class CompoundFields(EventData):
    """What every consumer needs of a compound."""

    compound_id: int
    name: str
    community_id: int
    kind: str
    management_model: str
    version: int
    grid_id: int | None = None
    cluster_id: int | None = None
    street_id: int | None = None


class CourtyardFields(EventData):
    courtyard_id: int
    compound_id: int
    name: str
    version: int


class BuildingFields(EventData):
    building_id: int
    compound_id: int
    courtyard_id: int | None
    number: str
    structure: str
    floors: int
    version: int


class EntranceFields(EventData):
    entrance_id: int
    building_id: int
    compound_id: int
    number: str
    version: int


class DwellingFields(EventData):
    dwelling_id: int
    entrance_id: int
    building_id: int
    compound_id: int
    room: str
    area_m2: Decimal
    exclusive_area_m2: Decimal
    usage: str
    sale_status: str
    delivered: bool
    version: int


class HouseholdFields(EventData):
    household_id: int
    dwelling_id: int
    compound_id: int
    needy: bool
    version: int


class OwnershipFields(EventData):
    ownership_id: int
    dwelling_id: int
    compound_id: int
    person_id: int
    share_bp: int
    since: date | None
    until: date | None
    version: int


# --- people -------------------------------------------------------------------------------


class ResidentFields(EventData):
    person_id: int
    # Always "" since the erasure decision (docs/personal-data.md): no consumer needs a
    # resident's name, so it stays in the registry; kept so older consumers still parse.
    name: str = ""
    # The name masked by the registry ('王*英'): enough for a neighbour to recognise on an
    # arrears notice, too little to identify a stranger; blanked by PersonErased.
    masked_name: str = ""
    household_id: int | None
    compound_id: int | None
    kind: str
    moved_in: date | None
    moved_out: date | None
    version: int


class GridWorkerFields(EventData):
    grid_worker_id: int
    person_id: int
    name: str
    kind: str
    grid_ids: list[int]
    version: int


class HeadFields(EventData):
    head_id: int
    kind: str
    person_id: int
    compound_id: int
    building_id: int | None
    entrance_id: int | None
    courtyard_id: int | None
    version: int


class ResidentUnitFields(EventData):
    resident_unit_id: int
    community_id: int
    name: str
    version: int


# --- party and committees -----------------------------------------------------------------


class PartyOrgFields(EventData):
    party_org_id: int
    parent_id: int | None
    level: str
    name: str
    place_kind: str
    place_id: int
    version: int


class PartyMemberFields(EventData):
    party_member_id: int
    person_id: int
    name: str
    ledger: str
    party_org_id: int
    household_id: int | None
    compound_id: int | None
    skills: list[str]
    on_duty: bool
    max_open_orders: int
    version: int


class CheckInFields(EventData):
    check_in_id: int
    party_member_id: int
    person_id: int
    compound_id: int
    post: str
    active: bool
    version: int


class CenterHouseholdFields(EventData):
    center_household_id: int
    household_id: int
    party_member_id: int
    compound_id: int
    mentored_household_ids: list[int]
    version: int


class PairingFields(EventData):
    pairing_id: int
    kind: str
    compound_id: int
    cadre_person_id: int | None
    party_member_id: int | None
    center_household_id: int | None
    household_id: int | None
    public: bool
    version: int


class MembershipFields(EventData):
    membership_id: int
    person_id: int
    body: str
    compound_id: int
    role: str
    active: bool
    version: int


class VolunteerFields(EventData):
    """特长户 (seed 001): a resident volunteering their skills, with the teams they joined; dispatch
    asks them after the party members. The name travels because dispatch shows it among the
    candidates (PersonErased blanks it)."""

    volunteer_id: int
    person_id: int
    name: str
    compound_id: int
    household_id: int
    skills: list[str]
    team_names: list[str]
    active: bool
    version: int


class PersonErased(EventData):
    """A person was erased (a resident removed: the registry keeps the row and its id, so
    ownerships, orders and votes stay whole, but not their name or contacts). Every consumer
    that keeps anything personal about `person_id` (a name in a projection) blanks it, and
    keeps it blank: events about the person that arrive later carry the registry's
    placeholder name, never the old one. Keyed by the compound the person lived in (by the
    person's id when none), like their resident events."""

    event_type: ClassVar[str] = "linli.registry.person.erased.v1"
    person_id: int
    compound_id: int | None = None


# --- the event types: <Entity>Created / Updated / Removed ---------------------------------


class StreetCreated(StreetFields):
    event_type: ClassVar[str] = "linli.registry.street.created.v1"


class StreetUpdated(StreetFields):
    event_type: ClassVar[str] = "linli.registry.street.updated.v1"


class StreetRemoved(StreetFields):
    event_type: ClassVar[str] = "linli.registry.street.removed.v1"


class CommunityCreated(CommunityFields):
    event_type: ClassVar[str] = "linli.registry.community.created.v1"


class CommunityUpdated(CommunityFields):
    event_type: ClassVar[str] = "linli.registry.community.updated.v1"


class CommunityRemoved(CommunityFields):
    event_type: ClassVar[str] = "linli.registry.community.removed.v1"


class GridCreated(GridFields):
    event_type: ClassVar[str] = "linli.registry.grid.created.v1"


class GridUpdated(GridFields):
    event_type: ClassVar[str] = "linli.registry.grid.updated.v1"


class GridRemoved(GridFields):
    event_type: ClassVar[str] = "linli.registry.grid.removed.v1"


class ClusterCreated(ClusterFields):
    event_type: ClassVar[str] = "linli.registry.cluster.created.v1"


class ClusterUpdated(ClusterFields):
    event_type: ClassVar[str] = "linli.registry.cluster.updated.v1"


class ClusterRemoved(ClusterFields):
    event_type: ClassVar[str] = "linli.registry.cluster.removed.v1"


class CompoundCreated(CompoundFields):
    event_type: ClassVar[str] = "linli.registry.compound.created.v1"


class CompoundUpdated(CompoundFields):
    event_type: ClassVar[str] = "linli.registry.compound.updated.v1"


class CompoundRemoved(CompoundFields):
    event_type: ClassVar[str] = "linli.registry.compound.removed.v1"


class CourtyardCreated(CourtyardFields):
    event_type: ClassVar[str] = "linli.registry.courtyard.created.v1"


class CourtyardUpdated(CourtyardFields):
    event_type: ClassVar[str] = "linli.registry.courtyard.updated.v1"


class CourtyardRemoved(CourtyardFields):
    event_type: ClassVar[str] = "linli.registry.courtyard.removed.v1"


class BuildingCreated(BuildingFields):
    event_type: ClassVar[str] = "linli.registry.building.created.v1"


class BuildingUpdated(BuildingFields):
    event_type: ClassVar[str] = "linli.registry.building.updated.v1"


class BuildingRemoved(BuildingFields):
    event_type: ClassVar[str] = "linli.registry.building.removed.v1"


class EntranceCreated(EntranceFields):
    event_type: ClassVar[str] = "linli.registry.entrance.created.v1"


class EntranceUpdated(EntranceFields):
    event_type: ClassVar[str] = "linli.registry.entrance.updated.v1"


class EntranceRemoved(EntranceFields):
    event_type: ClassVar[str] = "linli.registry.entrance.removed.v1"


class DwellingCreated(DwellingFields):
    event_type: ClassVar[str] = "linli.registry.dwelling.created.v1"


class DwellingUpdated(DwellingFields):
    event_type: ClassVar[str] = "linli.registry.dwelling.updated.v1"


class DwellingRemoved(DwellingFields):
    event_type: ClassVar[str] = "linli.registry.dwelling.removed.v1"


class HouseholdCreated(HouseholdFields):
    event_type: ClassVar[str] = "linli.registry.household.created.v1"


class HouseholdUpdated(HouseholdFields):
    event_type: ClassVar[str] = "linli.registry.household.updated.v1"


class HouseholdRemoved(HouseholdFields):
    event_type: ClassVar[str] = "linli.registry.household.removed.v1"


class OwnershipCreated(OwnershipFields):
    event_type: ClassVar[str] = "linli.registry.ownership.created.v1"


class OwnershipUpdated(OwnershipFields):
    event_type: ClassVar[str] = "linli.registry.ownership.updated.v1"


class OwnershipRemoved(OwnershipFields):
    event_type: ClassVar[str] = "linli.registry.ownership.removed.v1"


class ResidentCreated(ResidentFields):
    event_type: ClassVar[str] = "linli.registry.resident.created.v1"


class ResidentUpdated(ResidentFields):
    event_type: ClassVar[str] = "linli.registry.resident.updated.v1"


class ResidentRemoved(ResidentFields):
    event_type: ClassVar[str] = "linli.registry.resident.removed.v1"


class GridWorkerCreated(GridWorkerFields):
    event_type: ClassVar[str] = "linli.registry.grid_worker.created.v1"


class GridWorkerUpdated(GridWorkerFields):
    event_type: ClassVar[str] = "linli.registry.grid_worker.updated.v1"


class GridWorkerRemoved(GridWorkerFields):
    event_type: ClassVar[str] = "linli.registry.grid_worker.removed.v1"


class HeadCreated(HeadFields):
    event_type: ClassVar[str] = "linli.registry.head.created.v1"


class HeadUpdated(HeadFields):
    event_type: ClassVar[str] = "linli.registry.head.updated.v1"


class HeadRemoved(HeadFields):
    event_type: ClassVar[str] = "linli.registry.head.removed.v1"


class ResidentUnitCreated(ResidentUnitFields):
    event_type: ClassVar[str] = "linli.registry.resident_unit.created.v1"


class ResidentUnitUpdated(ResidentUnitFields):
    event_type: ClassVar[str] = "linli.registry.resident_unit.updated.v1"


class ResidentUnitRemoved(ResidentUnitFields):
    event_type: ClassVar[str] = "linli.registry.resident_unit.removed.v1"


class PartyOrgCreated(PartyOrgFields):
    event_type: ClassVar[str] = "linli.registry.party_org.created.v1"


class PartyOrgUpdated(PartyOrgFields):
    event_type: ClassVar[str] = "linli.registry.party_org.updated.v1"


class PartyOrgRemoved(PartyOrgFields):
    event_type: ClassVar[str] = "linli.registry.party_org.removed.v1"


class PartyMemberCreated(PartyMemberFields):
    event_type: ClassVar[str] = "linli.registry.party_member.created.v1"


class PartyMemberUpdated(PartyMemberFields):
    event_type: ClassVar[str] = "linli.registry.party_member.updated.v1"


class PartyMemberRemoved(PartyMemberFields):
    event_type: ClassVar[str] = "linli.registry.party_member.removed.v1"


class CheckInCreated(CheckInFields):
    event_type: ClassVar[str] = "linli.registry.check_in.created.v1"


class CheckInUpdated(CheckInFields):
    event_type: ClassVar[str] = "linli.registry.check_in.updated.v1"


class CheckInRemoved(CheckInFields):
    event_type: ClassVar[str] = "linli.registry.check_in.removed.v1"


class CenterHouseholdCreated(CenterHouseholdFields):
    event_type: ClassVar[str] = "linli.registry.center_household.created.v1"


class CenterHouseholdUpdated(CenterHouseholdFields):
    event_type: ClassVar[str] = "linli.registry.center_household.updated.v1"


class CenterHouseholdRemoved(CenterHouseholdFields):
    event_type: ClassVar[str] = "linli.registry.center_household.removed.v1"


class PairingCreated(PairingFields):
    event_type: ClassVar[str] = "linli.registry.pairing.created.v1"


class PairingUpdated(PairingFields):
    event_type: ClassVar[str] = "linli.registry.pairing.updated.v1"


class PairingRemoved(PairingFields):
    event_type: ClassVar[str] = "linli.registry.pairing.removed.v1"


class MembershipCreated(MembershipFields):
    event_type: ClassVar[str] = "linli.registry.membership.created.v1"


class MembershipUpdated(MembershipFields):
    event_type: ClassVar[str] = "linli.registry.membership.updated.v1"


class MembershipRemoved(MembershipFields):
    event_type: ClassVar[str] = "linli.registry.membership.removed.v1"


class VolunteerCreated(VolunteerFields):
    event_type: ClassVar[str] = "linli.registry.volunteer.created.v1"


class VolunteerUpdated(VolunteerFields):
    event_type: ClassVar[str] = "linli.registry.volunteer.updated.v1"


class VolunteerRemoved(VolunteerFields):
    event_type: ClassVar[str] = "linli.registry.volunteer.removed.v1"


LIFECYCLE: dict[type[EventData], tuple[type[EventData], type[EventData], type[EventData]]] = {
    StreetFields: (StreetCreated, StreetUpdated, StreetRemoved),
    CommunityFields: (CommunityCreated, CommunityUpdated, CommunityRemoved),
    GridFields: (GridCreated, GridUpdated, GridRemoved),
    ClusterFields: (ClusterCreated, ClusterUpdated, ClusterRemoved),
    CompoundFields: (CompoundCreated, CompoundUpdated, CompoundRemoved),
    CourtyardFields: (CourtyardCreated, CourtyardUpdated, CourtyardRemoved),
    BuildingFields: (BuildingCreated, BuildingUpdated, BuildingRemoved),
    EntranceFields: (EntranceCreated, EntranceUpdated, EntranceRemoved),
    DwellingFields: (DwellingCreated, DwellingUpdated, DwellingRemoved),
    HouseholdFields: (HouseholdCreated, HouseholdUpdated, HouseholdRemoved),
    OwnershipFields: (OwnershipCreated, OwnershipUpdated, OwnershipRemoved),
    ResidentFields: (ResidentCreated, ResidentUpdated, ResidentRemoved),
    GridWorkerFields: (GridWorkerCreated, GridWorkerUpdated, GridWorkerRemoved),
    HeadFields: (HeadCreated, HeadUpdated, HeadRemoved),
    ResidentUnitFields: (ResidentUnitCreated, ResidentUnitUpdated, ResidentUnitRemoved),
    PartyOrgFields: (PartyOrgCreated, PartyOrgUpdated, PartyOrgRemoved),
    PartyMemberFields: (PartyMemberCreated, PartyMemberUpdated, PartyMemberRemoved),
    CheckInFields: (CheckInCreated, CheckInUpdated, CheckInRemoved),
    CenterHouseholdFields: (CenterHouseholdCreated, CenterHouseholdUpdated, CenterHouseholdRemoved),
    PairingFields: (PairingCreated, PairingUpdated, PairingRemoved),
    VolunteerFields: (VolunteerCreated, VolunteerUpdated, VolunteerRemoved),
    MembershipFields: (MembershipCreated, MembershipUpdated, MembershipRemoved),
}
"""For each entity's fields: its (created, updated, removed) event types."""
