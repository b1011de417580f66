"""Read models of registry records that billing needs (services never read each other's
tables). Areas are kept as integer hundredths of a m² and dates as day numbers, so bill runs
do exact integer arithmetic in SQL on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table

from services.billing.base import metadata
from shared.projections import compound_projection_table

compound_projection = compound_projection_table(metadata)

community_projection = Table(
    "community_projection",
    metadata,
    Column("community_id", Integer, primary_key=True, autoincrement=False),
    Column("street_id", Integer, nullable=False, index=True),
    Column("version", Integer, nullable=False),
)

building_projection = Table(
    "building_projection",
    metadata,
    Column("building_id", Integer, primary_key=True, autoincrement=False),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("number", String(30), nullable=False),
    Column("structure", String(30), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

dwelling_projection = Table(
    "dwelling_projection",
    metadata,
    Column("dwelling_id", Integer, primary_key=True, autoincrement=False),
    Column("compound_id", Integer, nullable=False, index=True),
    Column("building_id", Integer, nullable=False, index=True),
    Column("room", String(30), nullable=False),
    # 建筑面积 in hundredths of a m² (86.50 m² -> 8650).
    Column("area_c", Integer, nullable=False),
    Column("exclusive_area_c", Integer, nullable=False),
    Column("usage", String(30), nullable=False),
    Column("sale_status", String(30), nullable=False),
    Column("delivered", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

household_projection = Table(
    "household_projection",
    metadata,
    Column("household_id", Integer, primary_key=True, autoincrement=False),
    Column("dwelling_id", Integer, nullable=False, index=True),
    # Indexed: a bill run's chunk reads one compound's households.
    Column("compound_id", Integer, nullable=False, index=True),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

ownership_projection = Table(
    "ownership_projection",
    metadata,
    Column("ownership_id", Integer, primary_key=True, autoincrement=False),
    Column("dwelling_id", Integer, nullable=False),
    # Indexed: a bill run's chunk reads one compound's ownerships.
    Column("compound_id", Integer, nullable=False, index=True),
    Column("person_id", Integer, nullable=False),
    Column("share_bp", Integer, nullable=False),
    # Days since 1970-01-01; NULL since = owned from before any period, NULL until = still owned.
    Column("since_day", Integer),
    Column("until_day", Integer),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_ownership_projection_dwelling", "dwelling_id", "active"),
)


# A person's name as billing may show it (arrears lists, exports): masked at projection time,
# so billing never holds a full name (PIPL: contacts and names stay in the registry).
person_projection = Table(
    "person_projection",
    metadata,
    Column("person_id", Integer, primary_key=True, autoincrement=False),
    Column("masked_name", String(40), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)
