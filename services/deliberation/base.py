"""Deliberation's one MetaData and declarative base, shared by its sub-packages."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.db import Versioned as Versioned  # the sub-packages import it from here
from shared.db import new_metadata
from shared.projections import compound_projection_table

metadata = new_metadata()

compound_projection = compound_projection_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata
