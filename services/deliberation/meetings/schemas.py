"""Meeting bodies."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.deliberation.meetings.domain import CommentKind, MeetingKind


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: int | None = Field(default=None, gt=0)
    kind: CommentKind = CommentKind.comment
    text: str = Field(min_length=1, max_length=5000)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: MeetingKind
    held_at: AwareDatetime
    place: str = Field(default="", max_length=200, examples=["3栋院坝"])
    minutes: str = Field(default="", max_length=20000)
    attendee_person_ids: list[int] = Field(default_factory=list, max_length=5000)
    comments: list[CommentIn] = Field(default_factory=list, max_length=500)


class CommentOut(BaseModel):
    id: int
    person_id: int | None
    kind: CommentKind
    kind_label: str
    text: str


class MeetingOut(BaseModel):
    id: int
    proposal_id: int
    kind: MeetingKind
    kind_label: str
    held_at: AwareDatetime
    place: str
    minutes: str
    attendance: int
    attendee_person_ids: list[int]
    comments: list[CommentOut]
