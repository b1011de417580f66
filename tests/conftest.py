"""What every test process shares."""

import os
from pathlib import Path

import pytest

# Passwords hashed at argon2's lowest cost in tests only: a login or a demo seed otherwise spends a
# third of a CPU second per hash, hundreds of times a run. Child processes (`linli run` in the
# e2e and browser stories) inherit it. Production refuses it, and the strong default is tested
# (tests/unit/test_settings.py).
TEST_ARGON2 = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "1"}
for _key, _value in TEST_ARGON2.items():
    os.environ.setdefault(_key, _value)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four service databases migrated to head once per test process (Alembic upgrade, so
    the migrations are tested too); an API test's platform and a browser story's `linli run`
    start from copies of these files. The newcomer's own first start (tests/e2e) migrates
    from nothing."""
    from linli.embedded import migrate_all
    from shared.settings import Settings

    folder = tmp_path_factory.mktemp("migrated")
    migrate_all(Settings(data_dir=folder, seed_demo=False))
    return folder
