import { describe, expect, it } from 'vitest'
import type { Guild } from '../../../../src/economy/guild/index.ts'
import { leadQuote } from '../../../../src/orchestration/guilds/index.ts'
import type { GuildBidRequest } from '../../../../src/orchestration/guilds/index.ts'
import { stepNeeds } from '../../../../src/peer/guild-run.ts'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'

const guild = {
  members: [
    { peerId: 'A', roles: ['fetch', 'sum'] },
    { peerId: 'B', roles: ['sum', 'zip'] }
  ]
} as unknown as Guild
const request = (roles: string[]): GuildBidRequest => ({ steps: roles.map((role, i) => ({ step: `s${i}`, role })) } as unknown as GuildBidRequest)

describe('leadQuote', () => {
  it('gives each step to the first member listing its role, the lead first, at the step price', () => {
    expect(leadQuote(request(['fetch', 'sum', 'zip']), guild, 'B', 300)).toEqual({
      steps: [
        { step: 's0', role: 'fetch', member: 'A', price: 300 },
        { step: 's1', role: 'sum', member: 'B', price: 300 },
        { step: 's2', role: 'zip', member: 'B', price: 300 }
      ],
      expectedMs: 15_000
    })
  })

  it('does not bid without a price, or when a role is missing', () => {
    expect(leadQuote(request(['fetch']), guild, 'A', undefined)).toBeUndefined()
    expect(leadQuote(request(['fetch', 'paint']), guild, 'A', 300)).toBeUndefined()
  })
})

describe('stepNeeds', () => {
  it('is each step\'s agent ref, or its module as written', () => {
    const spec = parseWorkflowSpec(`version: 1
name: roles
dag:
  tasks:
    - name: a
      module: lang-detect
    - name: b
      agent: "word-count@^1"
      depends: a.Succeeded
`)
    expect(stepNeeds(spec)).toEqual([{ step: 'a', role: 'lang-detect' }, { step: 'b', role: 'word-count@^1' }])
  })
})
