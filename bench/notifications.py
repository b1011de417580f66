"""The owners of seed 003's compound notified of a vote's opening (issue 15): the time from the
event to the last inbox row and to the last channel hand-off.

Seed 003 (Changshengqiao, Chongqing) is a compound of 312 dwellings; here each has one owner,
so 312 owners hear of the vote, each with an e-mail address. The platform runs embedded, as
`make run` runs it (the four services in one process on SQLite, events over the in-process bus),
with e-mail to an SMTP server on loopback (aiosmtpd), so a hand-off is a real SMTP transaction.

Steps: build the compound through the registry's API (the residents ledger import, as
tests/api/deliberation/builders.py does), give each owner an e-mail address, then publish one
`linli.deliberation.vote.opened.v1` as deliberation's relay would and record:

- inbox: from publishing to the moment all 312 inbox rows are committed (polled every 5 ms);
- hand-off: from publishing to the moment the SMTP server has accepted the 312th message (the
  delivery ticker runs every NOTIFY_TICK_SECONDS, default here 0.05 s).

    .venv/bin/python -m bench.notifications            # --owners N (default 312)

Results are written to bench/results/notifications-<time>.json with the command and `uptime`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import func, select

from bench.harness import free_port, machine_info
from linli.apps import SERVICE_FACTORIES
from linli.embedded import migrate_all
from services.registry.notifications.models import Contact, Notification
from services.registry.people.pii import PiiVault
from shared.contracts.deliberation import VoteOpened
from shared.events.envelope import CloudEvent
from shared.events.inprocess import InProcessTransport
from shared.settings import SERVICES, Settings
from tests.api.conftest import Platform
from tests.api.deliberation.builders import build_compound

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


class Counter:
    def __init__(self) -> None:
        self.received = 0
        self.last_at = 0.0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received += 1
        self.last_at = time.perf_counter()
        return "250 OK"


def platform_settings(folder: Path, smtp_port: int) -> Settings:
    return Settings(
        data_dir=folder,
        seed_demo=False,
        notify_channels="email",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        notify_tick_seconds=0.05,
        relay_poll_interval_ms=50,
        # The bound is per person; every owner gets one message here, so it never applies.
        notify_rate_limit_per_hour=10,
    )


async def run(owners: int, settings: Settings) -> dict[str, Any]:
    box = Counter()
    smtp = Controller(box, hostname="127.0.0.1", port=settings.smtp_port)
    smtp.start()
    transport = InProcessTransport(settings.bus_url())
    apps = {s: SERVICE_FACTORIES[s](settings, transport) for s in SERVICES}
    try:
        async with contextlib.AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            clients = {
                s: await stack.enter_async_context(
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{s}", timeout=120)
                )
                for s, app in apps.items()
            }
            platform = Platform(settings, apps, clients)
            # A weekday morning in Chongqing (10:00): outside quiet hours, so nothing is held.
            platform.set_clock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
            per_building = 52
            compound = await build_compound(platform, buildings=owners // per_building, per_building=per_building)
            people = compound.owners
            registry = apps["registry"].state.runtime
            vault = PiiVault(settings)
            async with registry.db.sessionmaker() as session:
                now = registry.clock()
                session.add_all(
                    Contact(person_id=p, email_enc=vault.encrypt(f"owner{p}@example.com"), updated_at=now)
                    for p in people
                )
                await session.commit()

            closes = (registry.clock() + timedelta(days=7)).isoformat()
            data = VoteOpened(
                vote_id=1, proposal_id=1, compound_id=compound.compound_id, title="加装围墙和照明", closes_at=closes
            )
            event = CloudEvent.of(data, subject=compound.compound_id, key=compound.compound_id)

            async def inbox_rows() -> int:
                async with registry.db.sessionmaker() as session:
                    return int(
                        await session.scalar(
                            select(func.count()).select_from(Notification).where(Notification.event_id == event.id)
                        )
                        or 0
                    )

            started = time.perf_counter()
            await transport.publish([event.to_message(data.topic())])
            inbox_at = None
            while box.received < len(people):
                if inbox_at is None and await inbox_rows() >= len(people):
                    inbox_at = time.perf_counter()
                await asyncio.sleep(0.005)
            handed_at = box.last_at
            if inbox_at is None:
                inbox_at = time.perf_counter() if await inbox_rows() >= len(people) else float("nan")
    finally:
        smtp.stop()
        await transport.close()
    return {
        "owners": len(people),
        "inbox_rows": len(people),
        "emails_accepted": box.received,
        "event_to_last_inbox_row_ms": round((inbox_at - started) * 1000, 1),
        "event_to_last_channel_handoff_ms": round((handed_at - started) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=312, help="owners (a multiple of 52)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix="linli-bench-notify-"))
    try:
        settings = platform_settings(folder, free_port())
        migrate_all(settings)
        figures = asyncio.run(run(args.owners, settings))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    uptime_after = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    result = {
        "bench": "notifications",
        "command": " ".join([".venv/bin/python", "-m", "bench.notifications", *sys.argv[1:]]),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "uptime_before": uptime_before,
        "uptime_after": uptime_after,
        "machine": machine_info(f"none (SQLite {sqlite3.sqlite_version})", ("sqlalchemy", "aiosmtpd")),
        **figures,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"notifications-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
