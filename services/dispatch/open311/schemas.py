"""GeoReport v2 bodies (JSON format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.dispatch.open311.domain import PLACE_LABEL
from shared.responses import FromRow


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class Attribute(BaseModel):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Attribute]


class Created(BaseModel):
    service_request_id: str
    service_notice: str
    account_id: str | None


class ServiceRequest(BaseModel):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Error(BaseModel):
    """GeoReport's error: the body is a list of these."""

    code: int
    description: str


class ClientKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_name: str = Field(min_length=1, max_length=100, examples=["三桥街道12345热线"])
    person_id: int = Field(gt=0, description="the identity the client's requests are recorded under")
    place_kind: Literal["compound", "community", "street"]
    place_id: int = Field(gt=0)


class ClientKeyOut(FromRow):
    id: int
    client_name: str
    prefix: str = Field(description="the key's first characters, to tell keys apart; never the key")
    person_id: int
    place_kind: str
    place_id: int
    issued_by_person_id: int | None
    issued_at: datetime
    revoked_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def place_label(self) -> str:
        return PLACE_LABEL[self.place_kind]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IssuedKey(ClientKeyOut):
    api_key: str = Field(description="shown once: only its hash is kept")


class Discovery(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[dict[str, Any]]
