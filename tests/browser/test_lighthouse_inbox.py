"""张丽's task inbox on a phone scores at least 90 for performance in Lighthouse's mobile profile
(issue 13), calibrated to this machine as tests/browser/lighthouse.py says."""

from __future__ import annotations

from pathlib import Path

from tests.browser.lighthouse import BUDGET, INBOX, audit
from tests.e2e.conftest import Embedded


def test_zhang_lis_task_inbox_scores_90_on_a_phone(
    platform_process: Embedded, debug_chromium: int, tmp_path: Path
) -> None:
    best, runs = audit(platform_process.base, debug_chromium, tmp_path, INBOX)
    assert best >= BUDGET, runs
