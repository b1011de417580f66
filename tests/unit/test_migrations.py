"""Each service's Alembic history builds exactly the tables its models describe."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from services.billing.models import metadata as billing
from services.deliberation.models import metadata as deliberation
from services.dispatch.models import metadata as dispatch
from services.registry.models import metadata as registry
from shared.db import plumbing_metadata
from shared.migrate import upgrade_head

METADATA = {"registry": registry, "dispatch": dispatch, "billing": billing, "deliberation": deliberation}


@pytest.mark.parametrize("service", sorted(METADATA))
def test_migrations_match_models(tmp_path: Path, service: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / service}.db"
    upgrade_head(service, url)

    async def diff() -> list[object]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:

            def compare(sync_conn: object) -> list[object]:
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})  # type: ignore[arg-type]
                targets: list[MetaData] = [METADATA[service], plumbing_metadata]
                return list(compare_metadata(context, targets))  # type: ignore[arg-type]

            result = await conn.run_sync(compare)
        await engine.dispose()
        return result

    assert asyncio.run(diff()) == []
    upgrade_head(service, url)  # a second run finds nothing to do
