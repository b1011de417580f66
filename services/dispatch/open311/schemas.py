"""GeoReport v2 bodies (JSON format)."""

from __future__ import annotations

from pydantic import BaseModel


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
