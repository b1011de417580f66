"""What every test process shares."""

import os

# Passwords hashed at argon2's lowest cost in tests only: a login or a demo seed otherwise spends a
# third of a CPU second per hash, hundreds of times a run. Child processes (`linli run` in the
# e2e and browser stories) inherit it. Production refuses it, and the strong default is tested
# (tests/unit/test_settings.py).
TEST_ARGON2 = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "1"}
for _key, _value in TEST_ARGON2.items():
    os.environ.setdefault(_key, _value)
