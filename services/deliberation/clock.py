"""The time every rule reads: the service runtime's replaceable clock (tests move it forward)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request


def request_time(request: Request) -> datetime:
    """Now, as the running service sees it."""
    now: datetime = request.app.state.runtime.clock()
    return now


Now = Annotated[datetime, Depends(request_time)]
