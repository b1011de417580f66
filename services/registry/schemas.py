"""Registry request and response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.registry.domain import CompoundKind, ManagementModel


class CompoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["杏花岭小区"])
    community_id: int = Field(gt=0, examples=[3])
    kind: CompoundKind = Field(examples=["old"])
    management_model: ManagementModel = Field(examples=["self_managed"])


class CompoundUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(gt=0, description="你看到的版本号 (the version you read; optimistic lock)")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: CompoundKind | None = None
    management_model: ManagementModel | None = None


class CompoundOut(BaseModel):
    id: int
    name: str
    community_id: int
    kind: CompoundKind
    kind_label: str
    management_model: ManagementModel
    management_model_label: str
    version: int
    created_at: datetime


class EnumValue(BaseModel):
    value: str
    label: str
