import { describe, expect, it } from 'vitest'
import { locate, NO_GEOLOCATION, placeText } from './where'

function fakeGeo(answer: { coords?: { latitude: number; longitude: number; accuracy: number }; code?: number }): Geolocation {
  return {
    getCurrentPosition: (ok: PositionCallback, fail?: PositionErrorCallback | null) => {
      if (answer.coords) ok({ coords: answer.coords } as GeolocationPosition)
      else fail?.({ code: answer.code } as GeolocationPositionError)
    },
  } as Geolocation
}

describe('where a public-place request is', () => {
  it('names the building and entrance she picked, then her words', () => {
    expect(placeText({ building: { number: '3' }, entrance: { number: '2' }, detail: ' 楼道 ' }, false)).toBe('3号楼2单元 楼道')
    expect(placeText({ building: { number: '3' }, entrance: null, detail: '' }, false)).toBe('3号楼')
    expect(placeText({ building: null, entrance: null, detail: '小区东门' }, true)).toBe('小区东门')
    expect(placeText({ building: null, entrance: null, detail: '' }, true)).toBe('手机定位位置')
    expect(placeText({ building: null, entrance: null, detail: '' }, false)).toBe('')
  })

  it('reads the location once, and says plainly why there is none', async () => {
    const here = await locate(fakeGeo({ coords: { latitude: 37.87061234, longitude: 112.54891234, accuracy: 12.4 } }))
    expect(here).toEqual({ ok: true, lat: 37.870612, long: 112.548912, accuracy: 12 })
    const denied = await locate(fakeGeo({ code: 1 }))
    expect(denied.ok === false && denied.message).toContain('没有允许')
    expect(await locate(undefined)).toEqual({ ok: false, message: NO_GEOLOCATION })
  })
})
