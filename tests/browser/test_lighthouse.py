"""王秀英's home and 张丽's task inbox on a phone score at least 90 for performance in Lighthouse's
mobile profile (issue 13), calibrated to this machine as tests/browser/lighthouse.py says.

One class per screen: `--dist loadscope` gives each class to a worker of its own (a module's
functions all go to one), so the two audits run side by side as the other workers finish; one
after the other they were the run's last 30 s, one core half idle."""

from __future__ import annotations

from pathlib import Path

from tests.browser.lighthouse import BUDGET, HOME, INBOX, audit
from tests.e2e.conftest import Embedded


class TestWangXiuyingsHome:
    def test_scores_90_on_a_phone(self, platform_process: Embedded, debug_chromium: int, tmp_path: Path) -> None:
        best, runs = audit(platform_process.base, debug_chromium, tmp_path, HOME)
        assert best >= BUDGET, runs


class TestZhangLisTaskInbox:
    def test_scores_90_on_a_phone(self, platform_process: Embedded, debug_chromium: int, tmp_path: Path) -> None:
        best, runs = audit(platform_process.base, debug_chromium, tmp_path, INBOX)
        assert best >= BUDGET, runs
