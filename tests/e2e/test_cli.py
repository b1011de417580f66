"""The `linli` command as operators use it."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from linli.secret import SECRET_FILE
from shared.auth import TokenCodec
from shared.settings import Settings


def linli(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"} | ({"DATA_DIR": str(data_dir)} if data_dir else {})
    return subprocess.run(
        [sys.executable, "-m", "linli.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_token_for_a_grid_worker_of_grid_12(tmp_path: Path) -> None:
    """Signed as `linli run` would verify it: with the secret generated in DATA_DIR (0600)."""
    done = linli("token", "--role", "grid_worker", "--scope", "grid:12", "--person", "7", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    secret_file = tmp_path / SECRET_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    who = TokenCodec(Settings(jwt_secret=SecretStr(secret_file.read_text().strip()))).verify(done.stdout.strip())
    assert who.person_id == 7
    assert [(g.role.value, g.scope_kind, g.scope_id) for g in who.grants] == [("grid_worker", "grid", 12)]


def test_token_refuses_an_unknown_role_in_chinese() -> None:
    done = linli("token", "--role", "mayor")
    assert done.returncode == 2
    assert "未知角色" in done.stderr


def test_seed_builds_a_realistic_street(tmp_path: Path) -> None:
    done = linli("seed", "--households", "300", "--seed", "3", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["households"] == 300
    with sqlite3.connect(tmp_path / "registry.db") as db:
        households, people, members = (
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("households", "people", "party_members")
        )
        unsent = db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    assert households == 300
    assert 2 * 300 <= people <= 4 * 300
    assert 0.05 < members / people < 0.09  # party members ≈ 7% of the people
    assert unsent == summary["events"]  # published by the registry's relay when it runs
    again = linli("seed", "--households", "300", "--seed", "3", data_dir=tmp_path)
    assert again.returncode != 0  # one street per seed
