"""The error codes every Linli service answers with, one catalogue: each code's HTTP status and a
short Chinese and English text (a raise site usually says more, naming the record). A client
branches on `error.code`; OpenAPI lists each operation's codes (`x-error-codes`).

`ErrorCode` is a StrEnum, so `code == "stale_version"` keeps working. Plain Python: domain modules
import it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    already_certified = "already_certified"
    already_confirmed = "already_confirmed"
    already_ended = "already_ended"
    already_published = "already_published"
    already_rated = "already_rated"
    already_reissued = "already_reissued"
    already_revoked = "already_revoked"
    already_voted = "already_voted"
    amount_mismatch = "amount_mismatch"
    anonymised = "anonymised"
    api_key_invalid = "api_key_invalid"
    approval_mismatch = "approval_mismatch"
    approval_not_usable = "approval_not_usable"
    bad_request = "bad_request"
    bad_signature = "bad_signature"
    bill_has_payments = "bill_has_payments"
    bill_not_void = "bill_not_void"
    busy = "busy"
    chair_taken = "chair_taken"
    channel_not_configured = "channel_not_configured"
    classification_frozen = "classification_frozen"
    classification_not_cosigned = "classification_not_cosigned"
    concurrent_payment = "concurrent_payment"
    conflict = "conflict"
    contest_period_over = "contest_period_over"
    cycle = "cycle"
    decision_required = "decision_required"
    decision_unknown = "decision_unknown"
    duplicate = "duplicate"
    forbidden = "forbidden"
    header_invalid = "header_invalid"
    held_by_objection = "held_by_objection"
    home_unknown = "home_unknown"
    http_error = "http_error"
    idempotency_key_in_progress = "idempotency_key_in_progress"
    idempotency_key_invalid = "idempotency_key_invalid"
    idempotency_key_required = "idempotency_key_required"
    idempotency_key_reused = "idempotency_key_reused"
    illegal_transition = "illegal_transition"
    insufficient_funds = "insufficient_funds"
    integrity_conflict = "integrity_conflict"
    internal_error = "internal_error"
    invalid_credentials = "invalid_credentials"
    levy_needs_special_majority = "levy_needs_special_majority"
    login_throttled = "login_throttled"
    malformed_notification = "malformed_notification"
    market_price_required = "market_price_required"
    merchant_mismatch = "merchant_mismatch"
    method_not_allowed = "method_not_allowed"
    needs_owners_decision = "needs_owners_decision"
    no_ballot = "no_ballot"
    no_candidates = "no_candidates"
    no_council_meeting = "no_council_meeting"
    no_electorate = "no_electorate"
    no_evaluation_meeting = "no_evaluation_meeting"
    no_person = "no_person"
    no_plan = "no_plan"
    no_proxy = "no_proxy"
    no_rate = "no_rate"
    not_a_member = "not_a_member"
    not_a_wish = "not_a_wish"
    not_an_owner = "not_an_owner"
    not_building_head = "not_building_head"
    not_classified = "not_classified"
    not_decided = "not_decided"
    not_eligible = "not_eligible"
    not_found = "not_found"
    not_home_compound = "not_home_compound"
    not_in_compound = "not_in_compound"
    not_in_service = "not_in_service"
    not_members_household = "not_members_household"
    not_needy = "not_needy"
    not_party_lead = "not_party_lead"
    not_pending = "not_pending"
    not_place_admin = "not_place_admin"
    not_reissuable = "not_reissuable"
    not_tallied = "not_tallied"
    not_the_witness = "not_the_witness"
    not_yet_closing = "not_yet_closing"
    not_yet_open = "not_yet_open"
    not_your_dwelling = "not_your_dwelling"
    overpayment = "overpayment"
    paid_twice = "paid_twice"
    password_unchanged = "password_unchanged"
    payload_too_large = "payload_too_large"
    payment_refunded = "payment_refunded"
    payment_reversed = "payment_reversed"
    period_not_ended = "period_not_ended"
    period_overlap = "period_overlap"
    price_not_below_market = "price_not_below_market"
    proxy_exists = "proxy_exists"
    proxy_not_allowed = "proxy_not_allowed"
    rate_card_overlap = "rate_card_overlap"
    rate_limited = "rate_limited"
    records_differ_from_chain = "records_differ_from_chain"
    refresh_invalid = "refresh_invalid"
    replayed_notification = "replayed_notification"
    same_person = "same_person"
    second_approval_required = "second_approval_required"
    sheet_exists = "sheet_exists"
    stale_version = "stale_version"
    still_referenced = "still_referenced"
    tally_not_certified = "tally_not_certified"
    token_expired = "token_expired"
    token_invalid = "token_invalid"
    top_level = "top_level"
    unauthorized = "unauthorized"
    unknown_order = "unknown_order"
    unsupported_media_type = "unsupported_media_type"
    upstream_timeout = "upstream_timeout"
    upstream_unavailable = "upstream_unavailable"
    uri_too_long = "uri_too_long"
    validation_error = "validation_error"
    value_out_of_range = "value_out_of_range"
    vote_closed = "vote_closed"
    vote_not_open = "vote_not_open"
    witness_not_eligible = "witness_not_eligible"
    wrong_password = "wrong_password"
    password_too_short = "password_too_short"
    password_too_long = "password_too_long"
    password_too_common = "password_too_common"
    password_is_mobile = "password_is_mobile"
    unknown_serial = "unknown_serial"
    stale_notification = "stale_notification"
    unknown_template = "unknown_template"
    wechat_login_failed = "wechat_login_failed"
    wechat_not_bound = "wechat_not_bound"
    invalid_unsubscribe_token = "invalid_unsubscribe_token"
    essential_kind = "essential_kind"
    no_simulated_channel = "no_simulated_channel"
    order_not_pending = "order_not_pending"
    order_final = "order_final"
    too_many_photos = "too_many_photos"
    not_a_party_member = "not_a_party_member"
    storage_unavailable = "storage_unavailable"
    unsupported_image = "unsupported_image"
    empty_file = "empty_file"
    file_too_large = "file_too_large"
    insufficient_points = "insufficient_points"
    out_of_stock = "out_of_stock"
    already_reversed = "already_reversed"
    household_has_zone = "household_has_zone"
    booking_overlap = "booking_overlap"
    outside_opening_hours = "outside_opening_hours"
    booking_fee_received = "booking_fee_received"
    survey_already_answered = "survey_already_answered"
    contract_overlap = "contract_overlap"
    already_active = "already_active"
    post_full = "post_full"
    already_holds_post = "already_holds_post"
    not_checked_in = "not_checked_in"
    already_evaluated = "already_evaluated"
    already_signed = "already_signed"
    evaluation_exists = "evaluation_exists"
    evaluation_closed = "evaluation_closed"
    evaluation_not_due = "evaluation_not_due"

    @property
    def status(self) -> int:
        return CATALOGUE[self].status

    @property
    def message(self) -> str:
        return CATALOGUE[self].message

    @property
    def message_en(self) -> str:
        return CATALOGUE[self].message_en


@dataclass(frozen=True)
class CodeText:
    status: int
    message: str
    message_en: str


C = ErrorCode
CATALOGUE: dict[ErrorCode, CodeText] = {
    C.already_certified: CodeText(409, "计票结果已确认", "The tally is already certified"),
    C.already_confirmed: CodeText(409, "这张纸质选票已确认", "This paper sheet is already confirmed"),
    C.already_ended: CodeText(409, "报到已结束", "The check-in has already ended"),
    C.already_published: CodeText(
        409, "该期公示已发布，或另一公示正在发布", "The period is already published, or being published"
    ),
    C.already_rated: CodeText(409, "该工单已评价过，不能重复评价", "Order already rated"),
    C.already_reissued: CodeText(409, "账单已重开过", "The bill has already been re-issued"),
    C.already_revoked: CodeText(409, "该密钥已吊销", "The key is already revoked"),
    C.already_voted: CodeText(
        409,
        "该表决人已就这些事项投过票；如需改票请使用改票",
        "This voter already has a ballot on these items; change it instead of casting again",
    ),
    C.amount_mismatch: CodeText(
        422, "通知金额与订单金额不符，未入账", "The notified amount differs from the order's; nothing was booked"
    ),
    C.anonymised: CodeText(
        409, "该居民已注销，不能再修改", "The resident has been removed (anonymised) and cannot change"
    ),
    C.api_key_invalid: CodeText(401, "api_key 无效或已吊销", "api_key is unknown or revoked"),
    C.approval_mismatch: CodeText(409, "审批批准的不是这笔操作", "The approval was given for another operation"),
    C.approval_not_usable: CodeText(409, "审批尚未获批或已使用", "The approval is not approved or already used"),
    C.bad_request: CodeText(400, "请求不合法", "Bad request"),
    C.bad_signature: CodeText(
        401, "支付通知签名无效，未入账", "The notification's signature is invalid; nothing was booked"
    ),
    C.bill_has_payments: CodeText(
        409, "账单已有收款，请先退款再作废", "The bill has payments on it: refund them before voiding"
    ),
    C.bill_not_void: CodeText(
        409, "只有已作废的账单可以重开：请先作废原账单", "Only a voided bill can be re-issued: void it first"
    ),
    C.busy: CodeText(409, "订单正在被另一通知处理", "The order is being settled by another notification"),
    C.chair_taken: CodeText(409, "该组织已有主任，请先卸任再任命", "The body already has a chair"),
    C.channel_not_configured: CodeText(
        422, "本平台未开通该支付渠道", "The payment channel is not configured on this platform"
    ),
    C.classification_frozen: CodeText(
        409,
        "表决已公告，定性已冻结；如需修改须撤销公告后重新公告",
        "The vote is noticed: its classification is frozen; cancel the notice and give a new one to change it",
    ),
    C.classification_not_cosigned: CodeText(
        409,
        "表决事项的定性须经监委会会签后才能公告",
        "The classification must be co-signed by the supervisory committee before notice",
    ),
    C.concurrent_payment: CodeText(409, "账单同时被另一笔收款支付，请重试", "The bill was paid concurrently: retry"),
    C.conflict: CodeText(409, "状态冲突", "Conflict"),
    C.contest_period_over: CodeText(
        409, "已超过自知道或应当知道之日起一年的撤销期限", "The one-year period to contest this decision has passed"
    ),
    C.cycle: CodeText(
        409, "不能把组织移到它自己或它的下级组织之下", "An organisation cannot move under itself or its descendants"
    ),
    C.decision_required: CodeText(
        422,
        "动用维修资金须有业主表决通过的决定编号，或标明紧急情况",
        "A withdrawal needs a passed decision id or the emergency flag",
    ),
    C.decision_unknown: CodeText(422, "没有本小区通过的该项决定", "No such passed decision for this compound"),
    C.duplicate: CodeText(409, "记录已存在", "Already exists"),
    C.forbidden: CodeText(403, "无权执行此操作", "Forbidden"),
    C.header_invalid: CodeText(
        400, "请求头含有非 ASCII 字符或控制字符", "A header holds a non-ASCII or control character"
    ),
    C.held_by_objection: CodeText(
        409,
        "监委会异议尚未答复，议题暂停推进",
        "The supervisory committee's objection is unanswered: the proposal is on hold",
    ),
    C.home_unknown: CodeText(
        422,
        "该党员尚未登记居住小区，请先登记住址再报到",
        "The member's home compound is not registered; register where they live first",
    ),
    C.http_error: CodeText(400, "请求失败", "Request failed"),
    C.idempotency_key_in_progress: CodeText(
        409,
        "使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试",
        "A request with this Idempotency-Key is still in progress; retry later",
    ),
    C.idempotency_key_invalid: CodeText(
        422, "Idempotency-Key 须为 1–200 个可打印字符", "Idempotency-Key must be 1-200 printable characters"
    ),
    C.idempotency_key_required: CodeText(
        428, "涉及资金的操作须带 Idempotency-Key 请求头", "This request moves money: send an Idempotency-Key header"
    ),
    C.idempotency_key_reused: CodeText(
        409,
        "同一 Idempotency-Key 已用于另一个不同的请求",
        "This Idempotency-Key was already used with a different request",
    ),
    C.illegal_transition: CodeText(409, "当前状态下不能执行此操作", "Not allowed in the current state"),
    C.insufficient_funds: CodeText(409, "余额不足", "Insufficient balance"),
    C.integrity_conflict: CodeText(409, "与已有记录冲突", "Conflicts with existing data"),
    C.internal_error: CodeText(500, "服务器内部错误，请稍后重试", "Internal server error; please retry later"),
    C.invalid_credentials: CodeText(401, "手机号或密码错误", "Wrong mobile number or password"),
    C.levy_needs_special_majority: CodeText(
        422,
        "业主出资的方案须至少有一项按「双四分之三」表决",
        "A plan that raises money from the owners needs an item voted by the special majority",
    ),
    C.login_throttled: CodeText(429, "登录失败次数过多，请稍后再试", "Too many failed logins; try again later"),
    C.malformed_notification: CodeText(422, "支付通知格式错误", "Malformed payment notification"),
    C.market_price_required: CodeText(
        422,
        "设置共享物业价格时须同时填写市场价（共享物业按低于市场价收费）",
        "A shared-property price needs the market price it is below (market_price_fen)",
    ),
    C.merchant_mismatch: CodeText(
        422, "通知的应用 app_id 与本平台不符，未入账", "The notification's app_id is not ours; nothing was booked"
    ),
    C.method_not_allowed: CodeText(405, "不支持该请求方法", "Method not allowed"),
    C.needs_owners_decision: CodeText(
        409,
        "小区公约须经业主共同决定（民法典第278条）",
        "Only an owners' vote can add to the compound's convention (Civil Code art. 278)",
    ),
    C.no_ballot: CodeText(
        409, "这些事项尚未投票，请先投票", "There is no ballot to change on these items; cast one first"
    ),
    C.no_candidates: CodeText(
        409, "没有符合条件的党员可以抢单（可改派共享物业或升级）", "No eligible party member to offer the order to"
    ),
    C.no_council_meeting: CodeText(
        409,
        "议事会须先召开群众意见会或议题讨论会，再作决定",
        "The council resolves after an opinion meeting or a topic discussion",
    ),
    C.no_electorate: CodeText(409, "本小区尚无房屋信息，无法确定表决人", "No dwellings are known for this compound"),
    C.no_evaluation_meeting: CodeText(409, "须先召开群众评议会", "Hold the evaluation meeting first"),
    C.no_person: CodeText(403, "只有登记在册的本人可以查看自己的消息", "Only a registered person has an inbox"),
    C.no_plan: CodeText(409, "尚无待表决的方案", "There is no plan awaiting the committee's decision"),
    C.no_proxy: CodeText(403, "没有业主给你的书面委托，不能代为投票", "No written proxy names you as agent"),
    C.no_rate: CodeText(
        409,
        "该房屋当前没有适用的收费标准或已停用，无法重开",
        "The dwelling has no rate card in force for the period (or is inactive): nothing to re-issue",
    ),
    C.not_a_member: CodeText(
        403, "只有本小区相关组织成员可以查看", "Only members of the compound's bodies may read this"
    ),
    C.not_a_wish: CodeText(409, "只有微心愿可以认领", "Only a wish can be claimed"),
    C.not_an_owner: CodeText(403, "只有本小区业主可以执行此操作", "Only owners of the compound may do this"),
    C.not_building_head: CodeText(
        403,
        "只有本栋楼栋长及本小区业委会、监委会可查看本栋的表决名册",
        "Only the building head of this building and the compound's committees read its voter roll",
    ),
    C.not_classified: CodeText(409, "尚未定性，无可会签", "Nothing to co-sign: the matter is not classified yet"),
    C.not_decided: CodeText(409, "尚未作出决定", "No decision has been made"),
    C.not_eligible: CodeText(409, "该党员不符合指派条件", "The party member is not eligible"),
    C.not_found: CodeText(404, "资源不存在", "Not found"),
    C.not_home_compound: CodeText(422, "在职党员应到居住地小区报到", "Members check in where they live"),
    C.not_in_compound: CodeText(
        403,
        "只有在本小区有身份的人及所属社区、街道可查看",
        "Only people with a role in this compound, its community and street may read this",
    ),
    C.not_in_service: CodeText(422, "只有在职党员可以承担", "Only in-service members may take this"),
    C.not_members_household: CodeText(422, "党员中心户必须是该党员自己的家", "The household must be the member's own"),
    C.not_needy: CodeText(422, "该住户未登记为困难户", "The household is not flagged needy"),
    C.not_party_lead: CodeText(
        403,
        "只有本小区党组织（党员）、社区或街道管理员可以分流议题",
        "Only the compound's party organisation, the community or the street may triage",
    ),
    C.not_pending: CodeText(409, "审批已处理", "The approval is not pending"),
    C.not_place_admin: CodeText(
        403,
        "只有本小区所属社区或街道的管理员可以登记开发建设单位的代表",
        "Only the admins of the compound's community or street record the developer's representative",
    ),
    C.not_reissuable: CodeText(
        409,
        "只有物业费账单可以重开；出资和共享物业服务账单随其决定或服务重新发出",
        "Only property-fee bills can be re-issued; levy and visit bills follow their decision or visit",
    ),
    C.not_tallied: CodeText(409, "表决尚未计票", "The vote is not tallied"),
    C.not_the_witness: CodeText(
        403,
        "只有选票上登记的见证人本人可以确认或拒绝",
        "Only the witness named on the sheet may confirm or refuse it, with their own login",
    ),
    C.not_yet_closing: CodeText(409, "尚未到截止时间", "The vote has not reached its closing time"),
    C.not_yet_open: CodeText(409, "尚未到公告的开始时间", "The vote has not opened yet"),
    C.not_your_dwelling: CodeText(403, "房屋不在你（或委托人）的名下", "The dwelling is not the voter's"),
    C.overpayment: CodeText(422, "收款金额超过未付账单合计", "The amount exceeds what the dwelling owes"),
    C.paid_twice: CodeText(
        409,
        "订单已由另一笔交易支付，请核实后退款",
        "The order was already paid by another transaction: check and refund",
    ),
    C.password_unchanged: CodeText(
        422, "新密码 new_password 不能与当前密码相同", "new_password must differ from the current one"
    ),
    C.payload_too_large: CodeText(413, "请求体过大", "Request body too large"),
    C.payment_refunded: CodeText(
        409,
        "该收款已部分退款，请对余额办理退款而不是冲正",
        "The payment was partly refunded: refund the rest instead of reversing it",
    ),
    C.payment_reversed: CodeText(409, "已冲正的收款不能退款", "A reversed payment cannot be refunded"),
    C.period_not_ended: CodeText(
        409, "账期尚未结束，期满后方可公示", "The period has not ended: publish it after it ends"
    ),
    C.period_overlap: CodeText(409, "账期与已有账单重叠，不能重复收费", "The period overlaps bills already issued"),
    C.price_not_below_market: CodeText(
        422, "共享物业价格须低于市场价", "The shared-property price must be below the market price"
    ),
    C.proxy_exists: CodeText(409, "该业主已登记过委托", "This owner already has a proxy on this vote"),
    C.proxy_not_allowed: CodeText(
        422, "业委会决定须委员本人表决，不得委托代理", "Committee decisions take no proxies: members vote in person"
    ),
    C.rate_card_overlap: CodeText(409, "与另一收费标准的生效期重叠", "Overlaps another rate card's validity"),
    C.rate_limited: CodeText(429, "请求过于频繁，请稍后再试", "Too many requests"),
    C.records_differ_from_chain: CodeText(
        409, "选票或计票结果与审计链不符，不能确认", "The ballots or the tally differ from the audit chain"
    ),
    C.refresh_invalid: CodeText(401, "登录已失效，请重新登录", "Session ended or refresh token invalid; log in again"),
    C.replayed_notification: CodeText(
        401,
        "支付通知已处理过（同一请求被重放），未入账",
        "The notification was already received (a replay); nothing was booked",
    ),
    C.same_person: CodeText(
        409,
        "四眼原则：申请人不能审批自己的申请，须由另一位委员审批",
        "Four eyes: the person who asked cannot approve; a second committee member must",
    ),
    C.second_approval_required: CodeText(
        409, "须经另一位委员审批（四眼原则）", "A second committee member's approval is needed (four eyes)"
    ),
    C.sheet_exists: CodeText(409, "该选票编号已录入过", "The sheet has already been entered"),
    C.stale_version: CodeText(
        409, "记录已被他人修改，请刷新后重试", "The record was changed meanwhile: reload and retry"
    ),
    C.still_referenced: CodeText(409, "仍有关联记录，不能删除", "Records are still attached; it cannot be removed"),
    C.tally_not_certified: CodeText(
        409,
        "计票结果尚未经监委会确认，决定尚不能执行",
        "The tally is not certified yet: the decision cannot be executed",
    ),
    C.token_expired: CodeText(401, "登录已过期，请重新登录", "Token expired"),
    C.token_invalid: CodeText(401, "令牌无效，请重新登录", "Invalid token"),
    C.top_level: CodeText(409, "工单已在街道层级，无法再升级", "Order is already at the street level"),
    C.unauthorized: CodeText(401, "未登录或令牌无效", "Not authenticated"),
    C.unknown_order: CodeText(404, "支付订单不存在", "Payment order not found"),
    C.unsupported_media_type: CodeText(415, "不支持的内容类型", "Unsupported media type"),
    C.upstream_timeout: CodeText(504, "后端服务响应超时，请稍后重试", "Upstream service timed out"),
    C.upstream_unavailable: CodeText(503, "后端服务暂不可用，请稍后重试", "Upstream service unavailable"),
    C.uri_too_long: CodeText(414, "请求地址过长", "URI too long"),
    C.validation_error: CodeText(422, "请求参数有误", "Invalid request"),
    C.value_out_of_range: CodeText(
        422,
        "请求参数有误：某个取值超出了可保存的范围或含有无法保存的字符",
        "Invalid request: a value is out of range or holds characters that cannot be stored",
    ),
    C.vote_closed: CodeText(409, "表决已截止，不能再投票或改票", "The vote is closed"),
    C.vote_not_open: CodeText(409, "表决尚未开始", "The vote has not opened yet"),
    C.witness_not_eligible: CodeText(
        403,
        "见证人须为本小区业委会或监委会成员",
        "The witness must sit on the compound's committee or supervisory committee",
    ),
    C.wrong_password: CodeText(403, "当前密码不正确", "current_password is wrong"),
    C.password_too_short: CodeText(422, "密码太短", "The password is too short"),
    C.password_too_long: CodeText(422, "密码太长", "The password is too long"),
    C.password_too_common: CodeText(422, "密码过于常见，请换一个", "The password is on the list of common passwords"),
    C.password_is_mobile: CodeText(422, "密码不能是手机号", "The password must not be the mobile number"),
    C.unknown_serial: CodeText(
        401,
        "支付通知的平台证书未配置或已过期，未入账",
        "The notification's platform certificate is unknown or expired; nothing was booked",
    ),
    C.stale_notification: CodeText(
        401,
        "支付通知时间戳与服务器时间相差过大，未入账",
        "The notification's timestamp is too far from the service clock; nothing was booked",
    ),
    C.unknown_template: CodeText(422, "订阅消息模板不属于本平台", "Template id(s) not used by this platform"),
    C.wechat_login_failed: CodeText(
        422, "微信登录凭证无效或已过期，请重新进入小程序", "The WeChat login code is invalid or expired"
    ),
    C.wechat_not_bound: CodeText(422, "请先在小程序中授权", "No WeChat openid on record: send js_code from wx.login"),
    C.invalid_unsubscribe_token: CodeText(
        422,
        "退订链接无效，请在应用的通知设置中修改",
        "Invalid unsubscribe link; change notification settings in the app",
    ),
    C.essential_kind: CodeText(422, "必要通知不能退订", "An essential kind cannot be unsubscribed"),
    C.no_simulated_channel: CodeText(
        404, "本环境未开通模拟支付（只用于开发与测试）", "No simulated channel here (development and tests only)"
    ),
    C.order_not_pending: CodeText(409, "该支付订单已不是待支付状态", "The payment order is no longer pending"),
    C.order_final: CodeText(409, "工单已结束，不能再上传照片", "The order is closed: no more photos"),
    C.too_many_photos: CodeText(409, "照片数量已达上限", "The order has the most photos it may have"),
    C.not_a_party_member: CodeText(404, "您不是已登记的党员", "You are not a registered party member"),
    C.storage_unavailable: CodeText(
        503, "文件存储暂不可用，请稍后再试", "File storage is unavailable; try again later"
    ),
    C.unsupported_image: CodeText(
        422, "只能上传 JPEG、PNG 或 WebP 格式的照片", "Only JPEG, PNG or WebP photos are accepted"
    ),
    C.empty_file: CodeText(422, "文件为空", "The file is empty"),
    C.file_too_large: CodeText(422, "文件过大", "The file is too large"),
    C.insufficient_points: CodeText(409, "积分不足", "Not enough points"),
    C.out_of_stock: CodeText(409, "库存不足", "Not enough in stock"),
    C.already_reversed: CodeText(409, "该记录已冲正", "The entry is already reversed"),
    C.household_has_zone: CodeText(409, "该住户已有责任区（一户一区）", "The household already has a care zone"),
    C.booking_overlap: CodeText(409, "该时段已被预约", "The space is already booked for that time"),
    C.outside_opening_hours: CodeText(422, "不在开放时间内", "Outside the space's opening hours"),
    C.booking_fee_received: CodeText(
        409, "费用已收取，不能取消，请联系物业退款", "The fee is already received: the booking cannot be cancelled"
    ),
    C.survey_already_answered: CodeText(409, "本户已参加过该问卷（一户一答）", "The household has already answered"),
    C.contract_overlap: CodeText(409, "与该小区另一物业服务合同的期限重叠", "Overlaps another service contract's term"),
    C.already_active: CodeText(409, "该预案正在响应中，请先结束本次响应", "The plan is already activated"),
    C.post_full: CodeText(409, "该岗位已满员", "The post has no free seat"),
    C.already_holds_post: CodeText(
        409, "每名党员认领一个岗位，请先交还已认领的岗位", "The member already holds a post"
    ),
    C.not_checked_in: CodeText(422, "尚未在本小区报到", "The member has not checked in to this compound"),
    C.already_evaluated: CodeText(409, "本户已参与本年度业委会测评", "Your household has already answered"),
    C.already_signed: CodeText(409, "本户已联名", "Your household has already signed"),
    C.evaluation_exists: CodeText(409, "本年度的业委会测评已开启", "This year's evaluation is already open"),
    C.evaluation_closed: CodeText(409, "业委会测评已截止", "The evaluation is closed"),
    C.evaluation_not_due: CodeText(409, "测评尚未到截止时间", "The evaluation is not due to close yet"),
}
