// Where a resident's public-place request is: the building and entrance she picks from her
// compound, her own words, and (only if she agreed) the phone's location. Free of Vue so it is
// tested in Node.

export interface Spot {
  building: { number: string } | null
  entrance: { number: string } | null
  detail: string
}

/** The `place` the order carries: "3号楼2单元 楼道" from what she picked and typed; when she
 * picked nothing and typed nothing but sent her location, the place says so. */
export function placeText(spot: Spot, located: boolean): string {
  const picked = spot.building ? `${spot.building.number}号楼${spot.entrance ? `${spot.entrance.number}单元` : ''}` : ''
  const text = [picked, spot.detail.trim()].filter(Boolean).join(' ')
  return text || (located ? '手机定位位置' : '')
}

export type Located =
  | { ok: true; lat: number; long: number; accuracy: number }
  | { ok: false; message: string }

// GeolocationPositionError codes (1 denied, 2 unavailable, 3 timeout), said plainly; the form
// still works without a location, so every message says what to do instead.
const FAILED: Record<number, string> = {
  1: '您没有允许读取位置，本次求助不会发送位置。请在上面选择楼栋单元或写明位置。',
  2: '暂时无法获取手机位置，请在上面选择楼栋单元或写明位置。',
  3: '获取位置超时，请稍后再试，或在上面选择楼栋单元、写明位置。',
}
export const NO_GEOLOCATION = '这部手机或浏览器不支持定位，请在上面选择楼栋单元或写明位置。'

/** Asks the phone once for where she is: called only after she tapped the button that says why. */
export function locate(geo: Geolocation | undefined): Promise<Located> {
  if (!geo) return Promise.resolve({ ok: false, message: NO_GEOLOCATION })
  return new Promise((resolve) => {
    geo.getCurrentPosition(
      (p) => resolve({ ok: true, lat: round(p.coords.latitude), long: round(p.coords.longitude), accuracy: Math.round(p.coords.accuracy) }),
      (e) => resolve({ ok: false, message: FAILED[e.code] ?? FAILED[2] }),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    )
  })
}

// Six decimals is about 0.1 m: more says nothing and only lengthens the record.
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6
}
