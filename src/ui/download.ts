/** Saves `blob` through a temporary link, as the browser's own download would. */
export function downloadBlob (blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.style.display = 'none'
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked on the next task so the click's navigation has started reading it.
  setTimeout(() => { URL.revokeObjectURL(url) }, 0)
}
