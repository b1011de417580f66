"""Request and response bodies of votes, ballots, proxies, turnout, tallies and receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.deliberation.votes.domain import Via, VoteStatus
from services.deliberation.votes.tally import Choice, Matter, Outcome, Threshold
from shared.responses import FromRow


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoticeIn(In):
    version: int = Field(ge=1, description="议题版本 (the proposal version seen)")
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    extension_days: int | None = Field(default=None, description="参与不足三分之二时延长的天数（开始前确定）")
    non_voters_follow_majority: bool = Field(
        default=False, description="管理规约约定未表决者视为同意多数意见：并列公布严格计票与约定计票"
    )


class ChoiceIn(In):
    item_id: int
    choice: Choice


class BallotsIn(In):
    choices: list[ChoiceIn] = Field(min_length=1, max_length=20)
    on_behalf_of_person_id: int | None = Field(default=None, description="凭书面委托代投时，委托业主的 person id")
    dwelling_id: int | None = Field(default=None, description="以哪套房屋的业主身份投票（可省略）")
    as_developer: bool = Field(
        default=False, description="以开发建设单位代表身份投票（本人同时是业主时须写明）(vote for the developer)"
    )


class ProxyIn(In):
    principal_person_id: int = Field(gt=0)
    agent_person_id: int = Field(gt=0)
    mandate: str = Field(default="", max_length=2000, description="书面委托书载明的委托事项与权限")
    document_ref: str | None = Field(default=None, max_length=200, description="委托书扫描件编号")


class PaperBallotIn(In):
    dwelling_id: int = Field(gt=0)
    choices: list[ChoiceIn] = Field(min_length=1, max_length=20)
    witness_person_id: int = Field(gt=0)
    sheet_no: str = Field(min_length=1, max_length=40)


class WitnessIn(In):
    confirm: bool = Field(description="true 确认（计票），false 不予确认（作废）")
    reason: str | None = Field(default=None, max_length=2000, description="不予确认的理由")


class DeveloperRepresentativeIn(In):
    person_id: int = Field(gt=0, description="代表本人在登记系统中的 person id（凭本人账户登录）")
    developer_name: str = Field(min_length=1, max_length=200, description="开发建设单位名称")
    document_ref: str = Field(min_length=1, max_length=200, description="授权委托书编号")


class DeveloperRepresentativeOut(BaseModel):
    compound_id: int
    person_id: int
    developer_name: str
    document_ref: str
    appointed_by_person_id: int
    appointed_at: datetime


class CancelIn(In):
    version: int = Field(ge=1)
    reason: str = Field(min_length=2, max_length=2000)


class VoteItemOut(BaseModel):
    id: int
    position: int
    title: str
    matter: Matter
    matter_label: str
    threshold: Threshold
    threshold_label: str
    outcome: Outcome | None


class VoteOut(BaseModel):
    id: int
    version: int
    proposal_id: int
    compound_id: int
    status: VoteStatus
    status_label: str
    noticed_at: datetime
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    extension_days: int | None
    extended: bool
    non_voters_follow_majority: bool
    outcome: Outcome | None
    closed_at: datetime | None
    tally_hash: str | None
    tally_certified_by: int | None
    items: list[VoteItemOut]


class BallotOut(FromRow):
    item_id: int
    choice: Choice
    via: Via
    version: int
    receipt: str
    receipt_nonce: str = Field(description="凭此与收据核对；请自行保存，勿公开 (keep it to check the receipt)")
    awaiting_witness: bool = Field(
        default=False, description="纸质选票待见证人本人确认，确认前不计票 (a paper ballot awaiting its witness)"
    )


class ProxyOut(BaseModel):
    id: int
    principal_person_id: int
    agent_person_id: int
    mandate: str
    document_ref: str | None
    recorded_at: datetime


class TurnoutRow(BaseModel):
    building_id: int
    number: str | None
    persons: int
    voted_persons: int
    area_m2: str
    voted_area_m2: str


class TurnoutOut(BaseModel):
    vote_id: int
    status: VoteStatus
    persons: int
    voted_persons: int
    area_m2: str
    voted_area_m2: str
    buildings: list[TurnoutRow]


class TallyOut(BaseModel):
    vote_id: int
    outcome: Outcome
    outcome_label: str
    tally_hash: str | None
    certified_by: int | None
    items: list[dict[str, Any]]


class ReceiptGroup(BaseModel):
    item_id: int
    choice: Choice
    receipts: list[str]


class ReceiptCheck(BaseModel):
    receipt: str
    vote_id: int
    item_id: int
    counted_as: Choice
    in_published_tally: bool
    in_chain: bool = Field(
        default=True, description="已记入审计链（刚投出的选票在一秒内记入）(read from the audit chain)"
    )
    awaiting_witness: bool = Field(
        default=False, description="纸质选票待见证人确认，确认前不计票 (a paper ballot its witness has not confirmed)"
    )


class RollDwelling(BaseModel):
    """A door to knock on: whether its voting person has voted, never how."""

    dwelling_id: int
    room: str | None
    voted: bool
    awaiting_witness: bool = Field(description="纸质选票已录入、待见证人确认 (a paper sheet awaits its witness)")


class RollOut(BaseModel):
    vote_id: int
    building_id: int
    number: str | None
    persons: int
    voted_persons: int
    dwellings: list[RollDwelling]


class SheetDwelling(BaseModel):
    dwelling_id: int
    building_number: str | None
    room: str | None


class PaperSheetOut(BaseModel):
    """A paper ballot as entered, for the supervisory committee to check against the sheet."""

    sheet_no: str
    dwellings: list[SheetDwelling]
    entered_by_person_id: int | None
    witness_person_id: int | None
    entered_at: datetime
    awaiting_witness: bool
    witnessed_at: datetime | None
    choices: list[ChoiceIn]
