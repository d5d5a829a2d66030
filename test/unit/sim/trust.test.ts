/** A small run of the trust simulation (test/sim/trust.ts): it measures what it should and is reproducible. */
import { describe, expect, it } from 'vitest'
import { assignKinds, CONFIGURATIONS, DEFAULT_TRUST_PARAMS, simulateTrust } from '../../sim/trust.ts'
import type { TrustConfiguration, TrustParams } from '../../sim/trust.ts'

const small: TrustParams = { ...DEFAULT_TRUST_PARAMS, peers: 40, tasks: 3000, seed: 7, maliciousShare: 0.3 }
const configuration = (name: string): TrustConfiguration => {
  const found = CONFIGURATIONS.find((c) => c.name === name)
  if (found === undefined) throw new Error(`no configuration ${name}`)
  return found
}

describe('trust simulation (40 peers, 3000 tasks)', () => {
  it('splits the malicious share into the three kinds', () => {
    const kinds = assignKinds(small)
    expect(kinds.filter((k) => k === 'honest')).toHaveLength(28)
    for (const kind of ['always-wrong', 'camouflaged', 'colluder'] as const) expect(kinds.filter((k) => k === kind)).toHaveLength(4)
  })

  it('delivers no wrong result when nobody is malicious', () => {
    for (const c of CONFIGURATIONS) {
      const r = simulateTrust({ ...small, maliciousShare: 0 }, c)
      expect(r.tasks).toBe(small.tasks)
      expect(r.wrong).toBe(0)
      expect(r.caught).toBe(0)
    }
  })

  it('delivers fewer wrong results with witnesses and reputation than with neither, at 30% malicious', () => {
    const none = simulateTrust(small, configuration('none'))
    const both = simulateTrust(small, configuration('wit+rep'))
    expect(none.wrong).toBeGreaterThan(0)
    expect(both.wrong / both.tasks).toBeLessThan(none.wrong / none.tasks)
    expect(both.witnessRuns).toBeGreaterThan(0)
  })

  it('does not let colluding praise lift colluders above honest peers when reports are weighed (it does when they are not)', () => {
    const weighted = simulateTrust(small, configuration('wit+rep+weighted')).meanScore!
    expect(weighted.colluder).toBeLessThan(weighted.honest)
    const unweighted = simulateTrust(small, configuration('wit+rep+reports')).meanScore!
    expect(unweighted.colluder).toBeGreaterThan(unweighted.honest)
  })

  it('is deterministic for a fixed seed', () => {
    const c = configuration('wit+rep+weighted')
    const strip = ({ wallMs, ...rest }: ReturnType<typeof simulateTrust>): object => rest
    expect(strip(simulateTrust(small, c))).toEqual(strip(simulateTrust(small, c)))
    expect(strip(simulateTrust({ ...small, seed: 8 }, c))).not.toEqual(strip(simulateTrust(small, c)))
  })
})

describe('trust simulation, the submitter\'s risk-based checks (40 peers, 3000 tasks)', () => {
  it('delivers fewer wrong results than witnesses with reputation, checks every newcomer, and credits checked work only', () => {
    const risk = simulateTrust(small, configuration('risk+kept'))
    const both = simulateTrust(small, configuration('wit+rep'))
    expect(risk.wrong / risk.tasks).toBeLessThan(both.wrong / both.tasks)
    expect(risk.checkRuns).toBeGreaterThan(0)
    expect(risk.witnessRuns).toBe(0)
    // Each submitter checks the first three tasks of every executor it uses: at least three checks per honest submitter that submitted.
    expect(risk.checkRuns).toBeGreaterThanOrEqual(3 * 28 * 0.9)
    expect(risk.heldPayments).toBeLessThanOrEqual(risk.checkRuns)
  })

  it('checks everything when the policy never gambles, and then delivers no wrong result', () => {
    const r = simulateTrust({ ...small, verification: { minCheckRate: 1 } }, configuration('risk'))
    expect(r.checkRuns).toBe(r.tasks - r.failed)
    // Checkers are confirmed peers or the submitter, and a malicious checker can still agree with a wrong result: only few slip through.
    expect(r.wrong / r.tasks).toBeLessThan(0.01)
  })
})
