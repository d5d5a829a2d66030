import { describe, expect, it } from 'vitest'
import { facesResult, MAX_DRAWN_FACES } from '../../../src/ui/faces-output.ts'

const face = (extra: Record<string, unknown> = {}) => ({ score: 0.9, box: { x: 10, y: 20, width: 30, height: 40 }, ...extra })

describe('facesResult: the faces a face task found, to draw on its photo', () => {
  it('reads boxes and scores, labelled with the most probable expression when there is one', () => {
    const text = JSON.stringify({
      width: 640,
      height: 480,
      faces: [face(), face({ expression: 'happy', expressions: { happy: 0.974, sad: 0.01 } }), face({ expression: 'sad' })]
    })
    expect(facesResult(text)).toEqual({
      width: 640,
      height: 480,
      faces: [
        { x: 10, y: 20, width: 30, height: 40, score: 0.9 },
        { x: 10, y: 20, width: 30, height: 40, score: 0.9, label: 'happy 97 %' },
        { x: 10, y: 20, width: 30, height: 40, score: 0.9, label: 'sad' }
      ]
    })
  })

  it('accepts a photo with no faces', () => {
    expect(facesResult('{"width":10,"height":10,"faces":[]}')).toEqual({ width: 10, height: 10, faces: [] })
  })

  it('is undefined for anything that is not a faces result', () => {
    for (const text of [
      '', 'not json', '[]', '{"language":"eng"}', '{"width":0,"height":10,"faces":[]}',
      '{"width":10,"height":10,"faces":{}}', '{"width":10,"height":10,"faces":[{"score":1}]}',
      JSON.stringify({ width: 10, height: 10, faces: [face({ box: { x: 1, y: 1, width: -3, height: 4 } })] }),
      JSON.stringify({ width: 10, height: 10, faces: [face({ score: 'high' })] }),
      JSON.stringify({ width: 10, height: 10, faces: Array.from({ length: MAX_DRAWN_FACES + 1 }, () => face()) })
    ]) {
      expect(facesResult(text), text.slice(0, 60)).toBeUndefined()
    }
  })
})
