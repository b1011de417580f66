"""Dispatch's one MetaData and declarative base, shared by its sub-packages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata
from shared.projections import compound_projection_table

metadata = new_metadata()

# The read model every consuming service keeps of registry compounds (shared definition).
compound_projection = compound_projection_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Timestamped:
    """When a row was written and last changed."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now(), onupdate=func.now())
