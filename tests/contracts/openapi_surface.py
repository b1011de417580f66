"""The platform's combined OpenAPI, built without a network, and the surface a client relies on.

`python -m tests.contracts.openapi_surface > tests/contracts/openapi-baseline.json` writes the
document of the tree it runs in (how the baseline was made, from commit 94eb6cd).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
REF_PREFIX = "#/components/schemas/"


def combined_openapi(data_dir: Path) -> dict[str, Any]:
    """The gateway's own routes plus the four services' openapi(), merged as the gateway merges
    what it fetches from them at /openapi.json (services/gateway/app.py: _combined_openapi)."""
    from fastapi.openapi.utils import get_openapi

    from linli.apps import SERVICE_FACTORIES
    from services.gateway.app import create_app as gateway_app
    from services.gateway.openapi import merge_openapi
    from shared.settings import SERVICES, Settings

    settings = Settings(data_dir=data_dir, seed_demo=False)
    gateway = gateway_app(settings)
    own = get_openapi(
        title=gateway.title, version=gateway.version, description=gateway.description, routes=gateway.routes
    )
    docs = {s: SERVICE_FACTORIES[s](settings, None).openapi() for s in SERVICES}
    return merge_openapi(own, docs)


def surface(doc: dict[str, Any]) -> dict[str, set[str]]:
    """What a client of `doc` can see, as readable lines, in three kinds:
    operations (`GET /path`), request parameters and body fields (`GET /path query:limit`,
    `POST /path body:name`), response fields (`GET /path 200 items[].name`).
    Schema names are left out on purpose: the merge may rename a schema, a client sees fields."""
    schemas: dict[str, Any] = doc.get("components", {}).get("schemas", {})
    operations: set[str] = set()
    requests: set[str] = set()
    responses: set[str] = set()
    for path, item in doc.get("paths", {}).items():
        shared_params = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            name = f"{method.upper()} {path}"
            operations.add(name)
            for param in [*shared_params, *op.get("parameters", [])]:
                param = _deref(param, doc)
                requests.add(f"{name} {param.get('in', '?')}:{param.get('name', '?')}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                for field in _fields(media.get("schema", {}), schemas, "", ()):
                    requests.add(f"{name} body:{field}")
            for status, answer in op.get("responses", {}).items():
                for media in _deref(answer, doc).get("content", {}).values():
                    for field in _fields(media.get("schema", {}), schemas, "", ()):
                        responses.add(f"{name} {status} {field}")
    return {"operation": operations, "request": requests, "response field": responses}


def _deref(node: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _fields(schema: dict[str, Any], schemas: dict[str, Any], prefix: str, seen: tuple[str, ...]) -> set[str]:
    """Dotted field paths of a schema (`items[].name`); the branches of anyOf/oneOf/allOf all
    count; a schema met again inside itself stops the walk (trees of comments, org charts)."""
    ref = schema.get("$ref")
    if ref is not None:
        name = ref.removeprefix(REF_PREFIX)
        if name in seen or name not in schemas:
            return set()
        return _fields(schemas[name], schemas, prefix, (*seen, name))
    out: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            out |= _fields(branch, schemas, prefix, seen)
    if "items" in schema and isinstance(schema["items"], dict):
        out |= _fields(schema["items"], schemas, f"{prefix}[]", seen)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        out |= _fields(extra, schemas, f"{prefix}{{}}", seen)
    for prop, sub in schema.get("properties", {}).items():
        here = f"{prefix}.{prop}" if prefix else prop
        out.add(here)
        out |= _fields(sub, schemas, here, seen)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        doc = combined_openapi(Path(folder))
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
