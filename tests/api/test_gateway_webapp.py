"""A resident opens http://127.0.0.1:8000 on her phone: the gateway answers the web app's page,
its hashed assets with a long cache, the page again for a client route such as /orders (history
fallback), while the API and the ops routes keep their own answers. Before the app is built, `/`
says how to build it, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.gateway.app import create_app
from shared.settings import Settings


def client(dist: Path) -> httpx.AsyncClient:
    app = create_app(Settings(), web_dist=dist)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def built(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>邻里</title><div id=app></div>", encoding="utf-8")
    (dist / "assets" / "index-3f9a1c.js").write_text("console.log('linli')", encoding="utf-8")
    (dist / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    return dist


async def test_the_app_its_assets_and_client_routes(tmp_path: Path) -> None:
    async with client(built(tmp_path)) as gateway:
        home = await gateway.get("/")
        assert home.status_code == 200
        assert "<title>邻里</title>" in home.text
        assert home.headers["cache-control"] == "no-cache"
        asset = await gateway.get("/assets/index-3f9a1c.js")
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "javascript" in asset.headers["content-type"]
        assert (await gateway.get("/favicon.svg")).headers["cache-control"] == "no-cache"
        for client_route in ("/orders", "/orders/17", "/login?next=/bills"):
            page = await gateway.get(client_route)
            assert page.status_code == 200, client_route
            assert "<title>邻里</title>" in page.text, client_route
        # An old asset name or a path out of dist is a 404, never the page nor a file outside.
        assert (await gateway.get("/assets/index-000000.js")).status_code == 404
        escaped = await gateway.get("/assets/..%2F..%2Fsecret.txt")
        assert escaped.status_code == 404
        assert "not for the web" not in escaped.text


async def test_the_api_keeps_priority(tmp_path: Path) -> None:
    async with client(built(tmp_path)) as gateway:
        health = await gateway.get("/healthz")
        assert health.json() == {"status": "ok", "service": "gateway"}
        unknown = await gateway.get("/api/v1/nowhere/x")
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "not_found"
        api_typo = await gateway.get("/api/v2/registry/me")
        assert api_typo.status_code == 404
        assert api_typo.json()["error"]["message"] == "没有这个地址：/api/v2/registry/me"


async def test_before_the_build_the_page_says_how(tmp_path: Path) -> None:
    async with client(tmp_path / "missing") as gateway:
        page = await gateway.get("/")
        assert page.status_code == 503
        assert "网页应用尚未构建" in page.text
        assert "make run" in page.text
        assert "The web app has not been built" in page.text
        assert (await gateway.get("/orders")).status_code == 503
