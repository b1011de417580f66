import { api } from '../api'

/** Upload photos to an order one by one (each request small); the order's version after the last. */
export async function uploadPhotos(orderId: string, photos: Blob[]): Promise<number | null> {
  let version: number | null = null
  for (const [i, photo] of photos.entries()) {
    const form = new FormData()
    const ext = photo.type === 'image/png' ? 'png' : photo.type === 'image/webp' ? 'webp' : 'jpg'
    form.append('file', photo, `photo-${i + 1}.${ext}`)
    const added = await api.post('/api/v1/dispatch/orders/{order_id}/photos', { path: { order_id: orderId }, form })
    version = added.version
  }
  return version
}
