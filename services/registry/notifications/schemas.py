"""Request and response bodies of the inbox and the notification preferences."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.registry.notifications.domain import Channel, Kind


class NotificationOut(BaseModel):
    id: int
    kind: Kind
    kind_label: str
    title: str
    body: str
    link: str = Field(description="在应用中打开的路径 (path to open in the web app), e.g. /orders/<id>")
    urgent: bool
    created_at: datetime
    read_at: datetime | None


class UnreadCountOut(BaseModel):
    unread: int


class ReadAllOut(BaseModel):
    marked_read: int


class KindPreferenceOut(BaseModel):
    kind: Kind
    kind_label: str
    channels: list[Channel] = Field(
        description="除站内消息外选用的渠道 (external channels chosen; in-app is always on)"
    )
    chosen: bool = Field(description="是否本人设置过；否则为默认 (set by the person, else the default)")


class PreferencesOut(BaseModel):
    email: str | None = Field(description="接收邮件的地址（已脱敏） (the e-mail address, masked)")
    available_channels: list[Channel]
    kinds: list[KindPreferenceOut]


class KindPreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    channels: list[Channel] = Field(max_length=10)


class PreferencesIn(BaseModel):
    """Only what is sent changes: `email` (null removes it), and the kinds listed."""

    model_config = ConfigDict(extra="forbid")
    email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["zhao@example.com"]
    )
    kinds: list[KindPreferenceIn] = Field(default_factory=list, max_length=50)
