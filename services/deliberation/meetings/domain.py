"""Meeting kinds of the 131 model and who convenes each, plain Python."""

from __future__ import annotations

from services.deliberation.bodies import COMMITTEE_BODIES, Body
from shared.labels import LabeledEnum


class MeetingKind(LabeledEnum):
    opinion = "opinion", "群众意见会"
    topic_discussion = "topic_discussion", "议题讨论会"
    decision = "decision", "议事决策会"
    evaluation = "evaluation", "群众评议会"


class CommentKind(LabeledEnum):
    comment = "comment", "意见"
    amendment = "amendment", "修改建议"


CONVENERS: dict[MeetingKind, tuple[Body, ...]] = {
    MeetingKind.opinion: (Body.council,),
    MeetingKind.topic_discussion: (Body.council,),
    MeetingKind.decision: COMMITTEE_BODIES,
    MeetingKind.evaluation: (*COMMITTEE_BODIES, Body.supervisory_committee),
}
"""The council hears residents and discusses; the committee holds the decision meeting; the
committee or the supervisory committee holds the evaluation."""
