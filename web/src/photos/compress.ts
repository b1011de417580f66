// Photos are made smaller on the phone before upload: a 12-megapixel shot is 4–8 MB, and the
// resident may be on a slow mobile network. The longest side is brought down to 1600 px and the
// picture re-encoded as JPEG; one that is already small is sent as it is.
export const MAX_SIDE = 1600
export const QUALITY = 0.8
const SMALL_ENOUGH = 400 * 1024

/** The size to draw at: the longest side at most `max`, proportions kept. */
export function fitWithin(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

export async function compressPhoto(file: Blob): Promise<Blob> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file)
  } catch {
    return file // not decodable here: the server checks the type and says so
  }
  const size = fitWithin(bitmap.width, bitmap.height)
  if (file.size <= SMALL_ENOUGH && size.width === bitmap.width && file.type === 'image/jpeg') {
    bitmap.close()
    return file
  }
  const canvas = document.createElement('canvas')
  canvas.width = size.width
  canvas.height = size.height
  const context = canvas.getContext('2d')
  if (!context) {
    bitmap.close()
    return file
  }
  context.drawImage(bitmap, 0, 0, size.width, size.height)
  bitmap.close()
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY))
  return blob && blob.size < file.size ? blob : file
}
