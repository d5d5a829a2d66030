import { describe, expect, it } from 'vitest'
import { blobExtension, outputViews, safeFileName, textExtension } from '../../../src/app/workflow-outputs.ts'

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
const GZIP = new Uint8Array([0x1f, 0x8b, 8, 0, 9, 9])
const blobs: Record<string, Uint8Array> = { png: PNG, gz: GZIP, other: new Uint8Array([1, 2, 3]) }
const getBlob = async (hash: string): Promise<Uint8Array | undefined> => blobs[hash]

/** The bytes behind an output file's object URL. */
async function bytesOf (url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(url)).arrayBuffer())
}

describe('outputViews', () => {
  it('offers a text output as a file of its whole text: .json when it is JSON, .txt otherwise', async () => {
    const long = 'x'.repeat(5000)
    const [json, text] = await outputViews({ state: 'completed', outputs: { counts: '{"en": 3}', log: long } }, getBlob)
    expect(json?.files?.map(f => f.name)).toEqual(['counts.json'])
    expect(new TextDecoder().decode(await bytesOf(json!.files![0]!.url))).toBe('{"en": 3}')
    // Shown clipped, saved whole.
    expect(text?.text?.length).toBeLessThan(long.length)
    expect(text?.files?.[0]).toMatchObject({ name: 'log.txt', size: 5000 })
  })

  it('offers a step\'s blob under the output\'s name with the extension its bytes say, and shows an image as one', async () => {
    const [archive, picture] = await outputViews({ state: 'completed', outputs: { archive: [{ kind: 'blob', hash: 'gz' }], picture: [{ kind: 'blob', hash: 'png' }] } }, getBlob)
    expect(archive).toMatchObject({ text: '[archive: 6 bytes]', files: [{ name: 'archive.gz', size: 6 }] })
    expect(await bytesOf(archive!.files![0]!.url)).toEqual(GZIP)
    expect(picture?.images?.length).toBe(1)
    expect(picture?.files).toEqual([{ name: 'picture.png', url: picture!.images![0]!.url, size: PNG.byteLength }])
    expect(picture?.text).toBeUndefined()
  })

  it('names each fan-out item\'s file by step, item and name, and an input\'s files by their own names', async () => {
    const [items, given] = await outputViews({
      state: 'completed',
      outputs: {
        thumbnails: [{ kind: 'items', step: 'thumbnail', items: [{ stdout: '', stdoutHash: '', files: { 'out.png': 'png' } }, { stdout: '', stdoutHash: '', files: { 'out.png': 'png' } }] }],
        given: [{ kind: 'files', files: { 'a/b.bin': 'other', 'gone.txt': 'missing' } }]
      }
    }, getBlob)
    expect(items?.files?.map(f => f.name)).toEqual(['thumbnail-0-out.png', 'thumbnail-1-out.png'])
    expect(items?.images?.map(i => i.name)).toEqual(['thumbnail[0] out.png', 'thumbnail[1] out.png'])
    expect(given?.files?.map(f => f.name)).toEqual(['a_b.bin'])
    expect(given?.text).toBe('[a/b.bin: 3 bytes][gone.txt: not stored]')
  })

  it('saves the stdout of items without files as JSON, and makes clashing names unique', async () => {
    const [detections] = await outputViews({
      state: 'completed',
      outputs: { detections: [{ kind: 'items', step: 'detect', items: [{ stdout: 'en', stdoutHash: '', files: {} }, null] }, { kind: 'files', files: { 'detections.json': 'other' } }] }
    }, getBlob)
    expect(detections?.files?.map(f => f.name)).toEqual(['detections.json', 'detections-2.json'])
    expect(new TextDecoder().decode(await bytesOf(detections!.files![1]!.url))).toBe('["en",null]')
  })

  it('has nothing for a run that did not complete', async () => {
    expect(await outputViews({ state: 'failed' }, getBlob)).toEqual([])
  })
})

describe('file names', () => {
  it('picks an extension by signature', () => {
    expect([blobExtension(PNG), blobExtension(GZIP), blobExtension(new Uint8Array([0xff, 0xd8, 0xff, 0])), blobExtension(new Uint8Array())]).toEqual(['.png', '.gz', '.jpg', '.bin'])
    expect([textExtension('[1]'), textExtension('{"a":1}'), textExtension('42'), textExtension('lines: 5')]).toEqual(['.json', '.json', '.txt', '.txt'])
  })

  it('keeps letters, digits, dots and dashes, and no leading dot', () => {
    expect(safeFileName('../etc/passwd')).toBe('etc_passwd')
    expect(safeFileName('crop[0] out.png')).toBe('crop_0_out.png')
    expect(safeFileName('Zürich.csv')).toBe('Zürich.csv')
    expect(safeFileName('')).toBe('file')
  })
})
