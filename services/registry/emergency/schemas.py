"""What plans and activations are given and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

from services.registry.emergency.domain import ActivationState, ActivationStep, CalleeRole, IncidentKind, ResponseLevel
from services.registry.resources import VersionedChange
from shared.pagination import Page

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EmergencyPostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(examples=["北门卡口值守"])
    location: str = Field(default="", max_length=200, examples=["小区北门"])


class PlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    incident_kind: IncidentKind = Field(examples=["public_health"])
    name: Name = Field(examples=["北大街3号院公共卫生事件应急动员预案"])
    guidance: str = Field(default="", max_length=2000, examples=["封控卡口、入户排查、物资配送"])
    posts: list[EmergencyPostCreate] = Field(min_length=1, max_length=30, description="岗位 (at least one)")


class CalleeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int = Field(gt=0)
    role: CalleeRole = Field(examples=["party_member"])
    post_id: int = Field(gt=0)


class CallListAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    callees: list[CalleeCreate] = Field(min_length=1, max_length=500)


class EmergencyPostOut(Out):
    id: int
    name: str
    location: str


class CalleeOut(BaseModel):
    id: int
    person_id: int
    name: str
    role: CalleeRole
    post_id: int
    post_name: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return self.role.label


class PlanOut(Out):
    id: int
    version: int
    compound_id: int
    incident_kind: IncidentKind
    name: str
    guidance: str
    posts: list[EmergencyPostOut] = []
    callees: list[CalleeOut] = []
    active_activation_id: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def incident_kind_label(self) -> str:
        return self.incident_kind.label


class PlanPage(Page[PlanOut]):
    """A compound's plans, newest first."""


class CallableOut(BaseModel):
    """Someone a plan may call, and as what (the compound's party members, volunteers, heads)."""

    person_id: int
    name: str
    role: CalleeRole

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return self.role.label


class ActivationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    drill: bool = Field(default=False, description="演练：每条消息和记录都标明演练，单独计数 (a drill)")
    level: ResponseLevel = Field(default=ResponseLevel.compound, description="起始响应级别 (starting level)")
    situation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] = Field(
        examples=["3号楼发现发热病例，需封控楼栋"]
    )


class ActivationEscalate(VersionedChange):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(default="", examples=["小区力量不足，请求社区支援"])


class ActivationClose(VersionedChange):
    model_config = ConfigDict(extra="forbid")

    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] = Field(
        examples=["封控解除，全员撤岗"]
    )


class AtPostReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(default="", examples=["已到北门"])


class RollCallOut(BaseModel):
    person_id: int
    name: str
    role: CalleeRole
    post_id: int
    post_name: str
    notification_id: int | None
    called_at: datetime
    acknowledged_at: datetime | None
    at_post_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return self.role.label


class ActivationEntryOut(BaseModel):
    at: datetime
    step: ActivationStep
    level: ResponseLevel
    actor_name: str | None
    note: str
    notified: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def step_label(self) -> str:
        return self.step.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return self.level.label


class RollCallTally(BaseModel):
    called: int
    acknowledged: int
    at_post: int


class ActivationOut(Out):
    id: int
    version: int
    plan_id: int
    plan_name: str = ""
    compound_id: int
    compound_name: str = ""
    incident_kind: IncidentKind
    drill: bool
    state: ActivationState
    level: ResponseLevel
    situation: str
    activated_at: datetime
    closed_at: datetime | None
    summary: str | None
    tally: RollCallTally = RollCallTally(called=0, acknowledged=0, at_post=0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def incident_kind_label(self) -> str:
        return self.incident_kind.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_label(self) -> str:
        return self.state.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return self.level.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def drill_label(self) -> str:
        return "演练" if self.drill else "实战"


class ActivationDetail(ActivationOut):
    roll_call: list[RollCallOut] = []
    timeline: list[ActivationEntryOut] = []


class ActivationPage(Page[ActivationOut]):
    """A compound's activations, newest first."""


class ActivationCounts(BaseModel):
    """Real responses and drills counted apart (演练单独计数)."""

    compound_id: int
    real: int
    drills: int
    by_kind: dict[str, dict[str, int]] = Field(description="incident kind → {real, drills}")


class MyCall(BaseModel):
    """One roll call the caller is on, as their phone shows it."""

    activation_id: int
    plan_name: str
    compound_name: str
    incident_kind: IncidentKind
    drill: bool
    state: ActivationState
    level: ResponseLevel
    situation: str
    post_name: str
    post_location: str
    role: CalleeRole
    called_at: datetime
    acknowledged_at: datetime | None
    at_post_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def incident_kind_label(self) -> str:
        return self.incident_kind.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_label(self) -> str:
        return self.state.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return self.level.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return self.role.label
