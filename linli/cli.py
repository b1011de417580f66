"""The `linli` command: run, serve, migrate, token, dlq replay, openapi.

The services, Alembic and the servers are imported inside the commands that use them: imported
here, every `linli token` spent seconds of CPU loading four services it never calls."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from shared.settings import SERVICES, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="linli", description="Linli 邻里 — compound governance platform")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="embedded mode: gateway + four services in one process (SQLite, in-process events)")
    serve = sub.add_parser("serve", help="serve one service (distributed mode)")
    serve.add_argument("service", choices=[*SERVICES, "gateway"])
    migrate = sub.add_parser("migrate", help="upgrade databases to the newest migration")
    migrate.add_argument("service", nargs="?", choices=SERVICES, help="one service (default: all)")
    token = sub.add_parser("token", help="print a signed token (for operators and scripts)")
    token.add_argument("--role", action="append", required=True, help="role; repeat for several")
    token.add_argument(
        "--scope", action="append", default=[], help="KIND:ID for the role at the same position (e.g. grid:12)"
    )
    token.add_argument("--person", type=int, default=None, help="person id (sub claim)")
    token.add_argument("--ttl", type=int, default=None, help="lifetime in seconds (default TOKEN_TTL_SECONDS, 900)")
    seed = sub.add_parser("seed", help="build a realistic street of N households in the registry (benchmarks, demos)")
    seed.add_argument("--households", type=int, required=True, help="households in the street (e.g. 10000)")
    seed.add_argument("--seed", type=int, default=1, help="random seed; one street per seed")
    seed.add_argument("--compounds", type=int, default=None, help="compounds to spread them over")
    spec = sub.add_parser("openapi", help="write the gateway's combined OpenAPI document (for the web app's types)")
    spec.add_argument("--out", default="-", help="file to write; - (default) for standard output")
    dlq = sub.add_parser("dlq", help="dead-letter topics")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    replay = dlq_sub.add_parser("replay", help="re-deliver a service's parked events to its handlers")
    replay.add_argument("service", choices=[s for s in SERVICES if s != "registry"])
    replay.add_argument("--idle-ms", type=int, default=3000, help="stop after this long with nothing left")
    return p


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from linli.secret import with_local_secret
    from shared.auth import Grant, TokenCodec

    if len(args.scope) > len(args.role):
        print("--scope 多于 --role (more --scope than --role)", file=sys.stderr)
        return 2
    try:
        grants = [Grant.parse(role, args.scope[i] if i < len(args.scope) else None) for i, role in enumerate(args.role)]
        # Signed as `linli run` signs: with JWT_SECRET, or the secret it generated in DATA_DIR.
        print(TokenCodec(with_local_secret(settings)).issue(args.person, grants, args.ttl))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


def _service_app(service: str, settings: Settings) -> FastAPI:
    """One service's app, importing that service alone."""
    from importlib import import_module

    app: FastAPI = import_module(f"services.{service}.app").create_app(settings, None)
    return app


async def _replay(service: str, settings: Settings, idle_ms: int) -> dict[str, int]:
    from shared.events.consumer import replay_dead_letters

    app = _service_app(service, settings)
    runtime = app.state.runtime
    assert runtime.consumer is not None
    await runtime.transport.start()
    try:
        return await replay_dead_letters(runtime.consumer, runtime.transport, idle_timeout_ms=idle_ms)
    finally:
        await runtime.transport.stop()
        await runtime.db.dispose()


async def _seed(settings: Settings, households: int, seed: int, compounds: int | None) -> dict[str, object]:
    """Events go to the registry's outbox; the relay publishes them when the registry runs."""
    from services.registry.ledgers.generator import build_street

    runtime = _service_app("registry", settings).state.runtime
    try:
        return await build_street(runtime, households, seed, compounds=compounds)
    finally:
        await runtime.db.dispose()


def _openapi(settings: Settings, out: str) -> int:
    """The document the gateway serves at /openapi.json, built from the apps without serving
    them (no database is opened), so the web app's types can be generated offline."""
    from fastapi.openapi.utils import get_openapi

    from linli.apps import SERVICE_FACTORIES
    from services.gateway.app import create_app as gateway_app
    from services.gateway.openapi import merge_openapi

    gateway = gateway_app(settings)
    own = get_openapi(
        title=gateway.title, version=gateway.version, description=gateway.description, routes=gateway.routes
    )
    docs = {name: factory(settings, None).openapi() for name, factory in SERVICE_FACTORIES.items()}
    text = json.dumps(merge_openapi(own, docs), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    if args.command == "token":
        return _token(args, settings)
    if args.command == "run":
        from linli.embedded import run_embedded
        from shared.observability import configure_logging

        configure_logging("linli", settings.log_level, settings.log_json)
        asyncio.run(run_embedded(settings))
        return 0
    if args.command == "serve":
        from shared.runner import serve_one

        if args.service == "gateway":
            from services.gateway.app import create_app as gateway_app

            serve_one("gateway", gateway_app, migrate=False)
        else:
            service = args.service
            serve_one(service, lambda s: _service_app(service, s))
        return 0
    if args.command == "migrate":
        from linli.embedded import migrate_all
        from shared.migrate import upgrade_head

        if args.service:
            upgrade_head(args.service, settings.database_url_for(args.service))
        else:
            migrate_all(settings)
        return 0
    if args.command == "seed":
        from shared.migrate import upgrade_head

        upgrade_head("registry", settings.database_url_for("registry"))
        summary = asyncio.run(_seed(settings, args.households, args.seed, args.compounds))
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return 0
    if args.command == "openapi":
        return _openapi(settings, args.out)
    if args.command == "dlq":
        from shared.observability import configure_logging

        configure_logging(args.service, settings.log_level, settings.log_json)
        from shared.events.consumer import ReplayStalled

        try:
            counts = asyncio.run(_replay(args.service, settings, args.idle_ms))
        except ReplayStalled as exc:
            print(exc, file=sys.stderr)
            return 1
        print(json.dumps({"service": args.service, "replayed": counts}, ensure_ascii=False))
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
