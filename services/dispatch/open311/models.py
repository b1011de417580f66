"""Open311 client keys: one per client application (a 12345 hotline, a civic app), tied to the
identity its requests are recorded under and the place it may file for; stored hashed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.base import Base
from shared.db import UTCDateTime


class ClientKey(Base):
    __tablename__ = "open311_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_name: Mapped[str] = mapped_column(String(100))
    # The first characters of the key, to find its row and to name it in lists; never the key.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    # SHA-256 of the whole key: keys are 256-bit random, so a fast hash cannot be brute-forced.
    key_hash: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(Integer)
    place_kind: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[int] = mapped_column(Integer)
    issued_by_person_id: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_person_id: Mapped[int | None] = mapped_column(Integer)
