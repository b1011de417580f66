"""The bodies of the 131 model, as the registry names them, plain Python."""

from __future__ import annotations

from shared.labels import LabeledEnum


class Body(LabeledEnum):
    council = "council", "议事会"
    owners_committee = "owners_committee", "业委会"
    property_committee = "property_committee", "物管会"
    self_management_committee = "self_management_committee", "自管委"
    supervisory_committee = "supervisory_committee", "监委会"


# The bodies that decide and execute ("the committee"); a compound has one of them.
COMMITTEE_BODIES = (Body.owners_committee, Body.property_committee, Body.self_management_committee)
