"""Dispatch tables: for now the compound projection fed by registry events."""

from __future__ import annotations

from shared.db import new_metadata
from shared.projections import compound_projection_table

metadata = new_metadata()

compound_projection = compound_projection_table(metadata)
