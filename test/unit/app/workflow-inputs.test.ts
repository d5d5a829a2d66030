/**
 * storeWorkflowInputs: `bytes` and `files` inputs given as a Uint8Array, a
 * Blob or File, a map of them or a File[] are stored as blobs and passed on as
 * `{ blob: hash }` / `{ files: { name: hash } }`; what is already in that form,
 * and the other inputs, pass as they are.
 */
import { describe, expect, it } from 'vitest'
import { storeWorkflowInputs } from '../../../src/app/workflow-inputs.ts'
import { sha256Hex, utf8ToBytes } from '../../../src/core/index.ts'
import { parseWorkflowSpec } from '../../../src/orchestration/workflow/spec/index.ts'

const spec = parseWorkflowSpec(`version: 1
inputs:
  photo: { type: bytes }
  photos: { type: files }
  text: { type: text }
  config: { type: json }
dag:
  tasks:
    - { name: a, module: echo }
`)

function store () {
  const blobs = new Map<string, Uint8Array>()
  return { blobs, put: async (bytes: Uint8Array) => { const hash = sha256Hex(bytes); blobs.set(hash, bytes); return hash } }
}
const h = (text: string): string => sha256Hex(utf8ToBytes(text))

describe('storeWorkflowInputs', () => {
  it('stores bytes given as a Uint8Array and files given as a map of Blobs and Uint8Arrays', async () => {
    const { blobs, put } = store()
    const inputs = await storeWorkflowInputs(spec, {
      photo: utf8ToBytes('P'), photos: { 'a.jpg': new Blob(['A']), 'b.jpg': utf8ToBytes('B') }, text: 'hi', config: { files: 1 }
    }, put)
    expect(inputs).toEqual({ photo: { blob: h('P') }, photos: { files: { 'a.jpg': h('A'), 'b.jpg': h('B') } }, text: 'hi', config: { files: 1 } })
    expect([...blobs.keys()].sort()).toEqual([h('P'), h('A'), h('B')].sort())
  })

  it('takes a File for bytes and a File[] for files, each under its own name', async () => {
    const { put } = store()
    const inputs = await storeWorkflowInputs(spec, {
      photo: new File(['P'], 'p.jpg'), photos: [new File(['A'], 'a.jpg'), new File(['B'], 'b.jpg')], text: '', config: null
    }, put)
    expect(inputs.photo).toEqual({ blob: h('P') })
    expect(inputs.photos).toEqual({ files: { 'a.jpg': h('A'), 'b.jpg': h('B') } })
  })

  it('passes the stored form on as it is, an empty list as no files, and refuses two files of one name', async () => {
    const { blobs, put } = store()
    const stored = { photo: { blob: 'x' }, photos: { files: { 'a.jpg': 'y' } }, text: 't', config: [1] }
    expect(await storeWorkflowInputs(spec, stored, put)).toEqual(stored)
    expect(blobs.size).toBe(0)
    expect((await storeWorkflowInputs(spec, { ...stored, photos: [] }, put)).photos).toEqual({ files: {} })
    await expect(storeWorkflowInputs(spec, { ...stored, photos: [new File(['1'], 'a'), new File(['2'], 'a')] }, put)).rejects.toThrow(/same name/)
  })
})
