// The registry's five routes of every place kind, called by kind (the desk's tree and forms are
// the same for all ten levels), and what the caller may do at a place (GET /place-rights).
import { api, type Schemas } from '../../api'
import { PLURAL, type PlaceKind, type Row } from './places'

type Method = 'get' | 'post' | 'patch' | 'delete'
type Loose = (
  method: Method,
  path: string,
  options: { path?: Record<string, number>; query?: Record<string, unknown>; body?: unknown },
) => Promise<unknown>
// The typed client checks each literal path; here the path is built from the kind, so the answer
// is typed by the caller (a Row: id, version and the kind's own fields).
const call = api.request.bind(api) as unknown as Loose
const collection = (kind: PlaceKind) => `/api/v1/registry/${PLURAL[kind]}`
const one = (kind: PlaceKind) => `${collection(kind)}/{entity_id}`

export const placeApi = {
  list: (kind: PlaceKind, filter: Record<string, number>) =>
    call('get', collection(kind), { query: { ...filter, limit: 1000 } }) as Promise<Row[]>,
  get: (kind: PlaceKind, id: number) => call('get', one(kind), { path: { entity_id: id } }) as Promise<Row>,
  create: (kind: PlaceKind, body: Record<string, unknown>) => call('post', collection(kind), { body }) as Promise<Row>,
  update: (kind: PlaceKind, id: number, body: Record<string, unknown>) =>
    call('patch', one(kind), { path: { entity_id: id }, body }) as Promise<Row>,
  remove: (kind: PlaceKind, id: number, version: number) =>
    call('delete', one(kind), { path: { entity_id: id }, query: { version } }) as Promise<void>,
  rights: (kind: PlaceKind | null, id: number | null): Promise<Schemas['PlaceRights']> =>
    api.get('/api/v1/registry/place-rights', { query: kind && id ? { kind, place_id: id } : {} }),
}
