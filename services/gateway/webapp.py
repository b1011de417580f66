"""The residents' web app (web/, built into web/dist) served at `/` beside the API: hashed assets
with a year's cache, index.html for every client route (history fallback), and when the app has
not been built a page saying how, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from shared.error_codes import ErrorCode
from shared.error_handlers import error_response

# The repository's web/dist: where `vite build` writes (make run builds it when sources change).
DEFAULT_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"

# Paths that belong to the API or operations: never answered with the app's index.html, so a
# mistyped API path still gets the JSON error a client expects.
API_PREFIXES = ("api/", "open311/", "openapi.json", "asyncapi.json", "docs", "redoc", "healthz", "readyz", "metrics")

# Vite names every built asset after its content hash: a changed file gets a new name.
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html names the current assets, so it is checked each time.
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>邻里 Linli：网页应用尚未构建</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6">
<h1>网页应用尚未构建</h1>
<p>居民端网页应用（<code>web/</code>）还没有构建。请在项目根目录运行 <code>make run</code>，它会自动构建；
或手动运行 <code>cd web &amp;&amp; npm ci &amp;&amp; npx vite build</code>，然后刷新本页。</p>
<p>接口仍可使用：<a href="/docs">/docs</a>、<a href="/openapi.json">/openapi.json</a>。</p>
<hr>
<h2 lang="en">The web app has not been built</h2>
<p lang="en">The residents' web app (<code>web/</code>) has not been built yet. Run <code>make run</code> at the
repository root, which builds it, or <code>cd web &amp;&amp; npm ci &amp;&amp; npx vite build</code>, then reload.</p>
<p lang="en">The API works meanwhile: <a href="/docs">/docs</a>, <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
"""


def mount_webapp(app: FastAPI, dist: Path = DEFAULT_DIST) -> None:
    """Register last, after every API route, so the API keeps priority."""
    root = dist.resolve()

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def webapp(path: str, request: Request) -> Response:
        if path.startswith(API_PREFIXES):
            return error_response(404, ErrorCode.not_found, f"没有这个地址：/{path}", f"No such path: /{path}")
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": REVALIDATE})
        if path:
            wanted = (root / path).resolve()
            # Only files inside dist: a path with .. never reaches the rest of the disk.
            if wanted.is_relative_to(root) and wanted.is_file():
                cache = IMMUTABLE if path.startswith("assets/") else REVALIDATE
                return FileResponse(wanted, headers={"Cache-Control": cache})
            if "." in path.rsplit("/", 1)[-1]:
                # A missing file (an old asset name) is a 404, not the app's page.
                return error_response(404, ErrorCode.not_found, f"没有这个文件：/{path}", f"No such file: /{path}")
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})
