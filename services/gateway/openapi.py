"""One OpenAPI document for the whole platform, merged from the services' own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fastapi_offline

REF_PREFIX = "#/components/schemas/"

# Swagger UI and ReDoc, pinned with the Python dependencies (the fastapi-offline package ships
# swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js), served by the gateway.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_URL = "/docs-assets"


def merge_openapi(gateway_doc: dict[str, Any], service_docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Paths under /api/v1/ from each service; a schema name two services use for different
    shapes is prefixed with the service name in the later one, and every schema's title is its
    name in the merged document."""
    merged = dict(gateway_doc)
    paths: dict[str, Any] = dict(merged.get("paths", {}))
    schemas: dict[str, Any] = dict(merged.get("components", {}).get("schemas", {}))
    tags: list[dict[str, Any]] = list(merged.get("tags", []))
    for service, doc in service_docs.items():
        own = doc.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service}_{name}" for name, schema in own.items() if name in schemas and schemas[name] != schema
        }
        text = json.dumps({"paths": doc.get("paths", {}), "schemas": own}, ensure_ascii=False)
        for old, new in renames.items():
            text = text.replace(f'"{REF_PREFIX}{old}"', f'"{REF_PREFIX}{new}"')
        rewritten = json.loads(text)
        for name, schema in rewritten["schemas"].items():
            schemas[renames.get(name, name)] = schema
        for path, item in rewritten["paths"].items():
            if path.startswith("/api/v1/"):
                paths[path] = item
        tags.append({"name": service, "description": doc.get("info", {}).get("title", service)})
    for name, schema in schemas.items():
        # A client generator names its classes after titles: two schemas titled `Channel`
        # (billing's and dispatch's) became one class and the other's fields were lost.
        schema["title"] = name
    merged["paths"] = paths
    merged["tags"] = tags
    merged["components"] = {
        **merged.get("components", {}),
        "schemas": schemas,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
    }
    merged["security"] = [{"bearer": []}]
    return merged
