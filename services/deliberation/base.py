"""Deliberation's one MetaData and declarative base, shared by its sub-packages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata
from shared.projections import compound_projection_table

metadata = new_metadata()

compound_projection = compound_projection_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Versioned:
    """id, optimistic-lock version and timestamps: the columns every stateful record has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    # UPDATE … WHERE version = :seen, so two concurrent transitions cannot both win.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
