"""Schema fuzzing as the demo street's street admin 李建国, on a platform of his own (see
test_schema_fuzz.py): every operation, valid and invalid requests, and never a 5xx."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Embedded
from tests.fuzz.conftest import sweep_as

pytestmark = pytest.mark.fuzz


def test_no_generated_request_as_the_street_admin_gets_a_5xx(platform: Embedded) -> None:
    sweep_as(platform, "street admin 李建国", "13800000001")
