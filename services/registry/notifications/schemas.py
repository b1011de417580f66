"""Request and response bodies of the inbox and the notification preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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


class UnsubscribedOut(BaseModel):
    kind: Kind
    kind_label: str
    message: str


class CompoundChannelsOut(BaseModel):
    compound_id: int
    channels: list[Channel] = Field(description="本小区允许的外部渠道 (external channels the compound allows)")
    available_channels: list[Channel] = Field(
        description="平台开通的外部渠道 (external channels the deployment has on)"
    )
    restricted: bool = Field(description="小区是否做了限制；否则为平台开通的全部 (whether the compound narrowed them)")


class CompoundChannelsIn(BaseModel):
    """`channels`: the external channels allowed; null lifts the compound's restriction."""

    model_config = ConfigDict(extra="forbid")
    channels: list[Channel] | None = Field(max_length=10)


class WechatConsentIn(BaseModel):
    """What `wx.requestSubscribeMessage` answered in the mini program, template id → result;
    `js_code` (from `wx.login`) binds the caller's openid the first time or when it changed."""

    model_config = ConfigDict(extra="forbid")
    js_code: str | None = Field(default=None, min_length=1, max_length=128)
    results: dict[str, Literal["accept", "reject", "ban", "filter"]] = Field(max_length=20)


class WechatTemplateOut(BaseModel):
    kind: Kind
    kind_label: str
    template_id: str
    remaining: int = Field(description="还可发送的次数（每次「允许」一条） (messages the person still allows)")


class WechatStatusOut(BaseModel):
    bound: bool = Field(description="是否已绑定小程序 openid（openid 不返回） (whether an openid is on record)")
    templates: list[WechatTemplateOut]


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
