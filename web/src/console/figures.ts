// The dashboard's figures: each service's own answer for the place and period, side by side, and
// the same figures as the rows of the exported workbook (so the sheet and the screen agree).
import type { Schemas } from '../api/client'
import type { Cell, Sheet } from './xlsx'

export type Level = 'street' | 'community' | 'grid' | 'compound'
export const LEVELS: Level[] = ['street', 'community', 'grid', 'compound']
export const LEVEL_LABEL: Record<Level, string> = { street: '街道', community: '社区', grid: '网格', compound: '小区' }

export interface Query {
  level: Level
  placeId: number
  from: string
  to: string
}

export interface Figures {
  registry: Schemas['RegistryFigures']
  dispatch: Schemas['StatsOut'] | null
  billing: Schemas['BillingFigures'] | null
  deliberation: Schemas['DeliberationFigures'] | null
}

/** The highest place the caller is staff of, from the roles their token carries. */
export function homePlace(roles: { role: string; scope: string | null }[]): { level: Level; placeId: number } | null {
  const staff = ['ops', 'street_admin', 'community_admin', 'grid_worker', 'auditor']
  let best: { level: Level; placeId: number } | null = null
  for (const r of roles) {
    if (!staff.includes(r.role) || !r.scope) continue
    const [kind, id] = r.scope.split(':')
    const level = kind as Level
    if (!LEVELS.includes(level)) continue
    if (!best || LEVELS.indexOf(level) < LEVELS.indexOf(best.level)) best = { level, placeId: Number(id) }
  }
  return best
}

export function yuanNumber(fen: number): number {
  return Math.round(fen) / 100
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`
}

export function hours(seconds: number | null | undefined): number | null {
  return seconds === null || seconds === undefined ? null : Math.round((seconds / 3600) * 100) / 100
}

/** The headline figures, label and value, shown as cards and as the first sheet. */
export function headline(f: Figures): [string, Cell][] {
  const d = f.dispatch
  const b = f.billing
  const v = f.deliberation
  const t = f.registry.totals
  return [
    ['受理工单（件）', d?.orders ?? null],
    ['超时率', d?.sla_breach_rate ?? null],
    ['平均满意度（5分制）', d?.average_rating ?? null],
    ['分流用时中位数（小时）', hours(d?.to_triage.median_s)],
    ['接单用时中位数（小时）', hours(d?.to_accept.median_s)],
    ['办结用时中位数（小时）', hours(d?.to_resolve.median_s)],
    ['办结用时P90（小时）', hours(d?.to_resolve.p90_s)],
    ['调解达成协议（件）', d?.mediation?.resolved ?? null],
    ['三方圆桌会议解决问题（个）', d?.mediation?.round_table_problems ?? null],
    ['三方圆桌会议化解纠纷（件）', d?.mediation?.round_table_disputes ?? null],
    ['物业费收取率', b?.collection_rate ?? null],
    ['应收物业费（元）', b ? yuanNumber(b.due_fen) : null],
    ['实收物业费（元）', b ? yuanNumber(b.paid_fen) : null],
    ['欠费（元）', b ? yuanNumber(b.arrears_fen) : null],
    ['公共收益（元）', b ? yuanNumber(b.revenue_fen) : null],
    ['已分配收益（元）', b ? yuanNumber(b.distributed_fen) : null],
    ['议题（件）', v?.proposals ?? null],
    ['已结束表决（次）', v?.votes_closed ?? null],
    ['平均参与率', v?.average_turnout_rate ?? null],
    ['小区（个）', t.compounds],
    ['党支部覆盖率（%）', t.party_branch_rate],
    ['楼栋长覆盖率（%）', t.building_head_rate],
    ['党员（人）', t.party_members],
    ['在职党员报到率（%）', t.check_in_rate],
    ['包联（对）', t.pairings],
    ['党员中心户（户）', f.registry.center_households],
  ]
}

/** Every figure on the dashboard as sheets: headers in Chinese, money in yuan. */
export function sheets(f: Figures, q: Query): Sheet[] {
  const r = f.registry
  const out: Sheet[] = [
    {
      name: '概况',
      rows: [
        ['指标', '数值'],
        ['地点', r.path.map((p) => p.name).join(' / ')],
        ['层级', LEVEL_LABEL[q.level]],
        ['起始日期', q.from],
        ['截止日期', q.to],
        ['时区', 'Asia/Shanghai'],
        ...headline(f),
      ],
    },
  ]
  const d = f.dispatch
  if (d) {
    out.push({ name: '三事分流', rows: [['分流结果', '工单数'], ...(d.triage_counts ?? []).map((c) => [c.label, c.orders])] })
    out.push({ name: '服务类别', rows: [['服务类别', '工单数'], ...(d.category_counts ?? []).map((c) => [c.label, c.orders])] })
    out.push({
      name: '处置用时',
      rows: [
        ['环节', '件数', '中位数（小时）', 'P90（小时）'],
        ...(
          [
            ['分流', d.to_triage],
            ['接单', d.to_accept],
            ['办结', d.to_resolve],
          ] as const
        ).map(([label, x]) => [label, x.count, hours(x.median_s), hours(x.p90_s)]),
      ],
    })
    out.push({
      name: '满意度',
      rows: [['评分', '工单数'], ...Object.entries(d.ratings).map(([k, n]) => [`${k}星`, n])],
    })
  }
  const b = f.billing
  if (b) {
    out.push({
      name: '收取率按月',
      rows: [
        ['月份', '应收（元）', '实收（元）', '收取率'],
        ...b.by_month.map((m) => [m.month, yuanNumber(m.due_fen), yuanNumber(m.paid_fen), m.collection_rate]),
      ],
    })
    out.push({
      name: '欠费账龄',
      rows: [['账龄', '欠费（元）', '账单数'], ...b.arrears_by_age.map((a) => [a.label, yuanNumber(a.outstanding_fen), a.bills])],
    })
    out.push({
      name: '公共收益与分配',
      rows: [
        ['项目', '金额（元）'],
        ...b.revenue_by_source.map((x) => [`收益：${x.label}`, yuanNumber(x.amount_fen)]),
        ...b.distribution_by_part.map((x) => [`分配：${x.label}`, yuanNumber(x.amount_fen)]),
      ],
    })
    out.push({ name: '资金余额', rows: [['资金', '余额（元）'], ...b.fund_balances.map((x) => [x.label, yuanNumber(x.amount_fen)])] })
    out.push({
      name: '小区收费',
      rows: [
        ['小区', '应收（元）', '实收（元）', '收取率', '欠费（元）'],
        ...b.by_compound.map((x) => [
          x.compound_name,
          yuanNumber(x.due_fen),
          yuanNumber(x.paid_fen),
          x.collection_rate,
          yuanNumber(x.arrears_fen),
        ]),
      ],
    })
  }
  const v = f.deliberation
  if (v) {
    out.push({ name: '议题阶段', rows: [['阶段', '议题数'], ...v.by_stage.map((s) => [s.label, s.proposals])] })
    out.push({
      name: '表决',
      rows: [
        ['小区', '议题', '状态', '业主人数', '已投人数', '人数参与率', '面积参与率', '结果'],
        ...v.votes.map((x) => [
          x.compound_name,
          x.title,
          x.status_label,
          x.persons,
          x.voted_persons,
          x.turnout_rate,
          x.area_turnout_rate,
          x.outcome_label ?? '',
        ]),
      ],
    })
  }
  out.push({
    name: '党建覆盖',
    rows: [
      ['地点', '层级', '小区', '有党支部', '有楼栋长', '党员', '在职党员', '已报到', '包联'],
      ...[...r.children, { ...r.totals, name: `合计：${r.name}`, level: q.level }].map((c) => [
        c.name,
        LEVEL_LABEL[c.level as Level] ?? c.level,
        c.compounds,
        c.compounds_with_party_branch,
        c.compounds_with_building_heads,
        c.party_members,
        c.in_service_members,
        c.in_service_checked_in,
        c.pairings,
      ]),
    ],
  })
  return out
}
