/**
 * npm run sim:trust — how often honest submitters get a wrong result back,
 * per malicious share, with and without witnesses, reputation (the real
 * ReputationBook) and second-hand reports (read unweighted, or weighed by the
 * real aggregateReports), or the submitter's own risk-based checks (the real
 * verification policy, src/trust/verification/), with re-executions per task
 * for each. The model is described in trust.ts.
 *
 * Usage: npm run sim:trust -- [--peers 200] [--tasks 20000] [--seed 1] [--shares 0,10,20,30,40,50,60,70]
 *                             [--witness-rate 0.1,0.5] [--camouflage-honesty 0.8] [--collusion-rate 0.01]
 *                             [--budget 110]
 *
 * --shares are percentages; --witness-rate is "trusted,new" (one value sets
 * both); --budget is the wall-time limit in seconds, shared among the runs.
 */
import { parseArgs } from 'node:util'
import { CONFIGURATIONS, DEFAULT_TRUST_PARAMS, simulateTrust } from './trust.ts'
import type { TrustParams, TrustResult } from './trust.ts'
import { checkVerificationPolicy } from '../../src/trust/verification/index.ts'

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: String(DEFAULT_TRUST_PARAMS.peers) },
    tasks: { type: 'string', default: String(DEFAULT_TRUST_PARAMS.tasks) },
    seed: { type: 'string', default: String(DEFAULT_TRUST_PARAMS.seed) },
    shares: { type: 'string', default: '0,10,20,30,40,50,60,70' },
    'witness-rate': { type: 'string', default: `${DEFAULT_TRUST_PARAMS.witnessRateTrusted},${DEFAULT_TRUST_PARAMS.witnessRateNew}` },
    'camouflage-honesty': { type: 'string', default: String(DEFAULT_TRUST_PARAMS.camouflageHonesty) },
    'collusion-rate': { type: 'string', default: String(DEFAULT_TRUST_PARAMS.collusionRate) },
    budget: { type: 'string', default: '110' }
  }
})

const numbers = (s: string): number[] => s.split(',').map(Number)
const shares = numbers(values.shares).map((x) => x / 100)
const rates = numbers(values['witness-rate'])
const base: TrustParams = {
  ...DEFAULT_TRUST_PARAMS,
  peers: Number(values.peers),
  tasks: Number(values.tasks),
  seed: Number(values.seed),
  witnessRateTrusted: rates[0]!,
  witnessRateNew: rates[1] ?? rates[0]!,
  camouflageHonesty: Number(values['camouflage-honesty']),
  collusionRate: Number(values['collusion-rate'])
}
const budgetMs = Number(values.budget) * 1000
const probabilities = [base.witnessRateTrusted, base.witnessRateNew, base.camouflageHonesty, base.collusionRate, ...shares]
if (!Number.isSafeInteger(base.peers) || base.peers < 3) throw new RangeError('--peers must be an integer ≥ 3')
if (!Number.isSafeInteger(base.tasks) || base.tasks < 1) throw new RangeError('--tasks must be an integer ≥ 1')
if (!Number.isSafeInteger(base.seed)) throw new RangeError('--seed must be an integer')
if (rates.length > 2 || probabilities.some((p) => !(p >= 0 && p <= 1))) throw new RangeError('rates and shares must be in [0, 1] (shares in [0, 100] %)')
if (shares.some((m) => Math.round(m * base.peers) >= base.peers)) throw new RangeError('every share must leave at least one honest peer')
if (!(budgetMs > 0)) throw new RangeError('--budget must be > 0')

const p = base
const mix = p.mix
console.log(`trust simulation: seed ${p.seed}, ${p.peers} peers, ${p.tasks} tasks over ${p.spanHours} h at honest submitters, ` +
  `${p.candidates} candidates per choice, up to ${p.maxAttempts} attempts`)
console.log(`malicious mix always-wrong:camouflaged:colluder = ${mix.alwaysWrong}:${mix.camouflaged}:${mix.colluder}; camouflaged honest with p = ${p.camouflageHonesty}; ` +
  `timeouts ${100 * p.timeoutRate}% for everyone`)
console.log(`witness rate ${p.witnessRateTrusted} for executors seen ≥ ${p.trustedAfterTasks} times with score ≥ ${p.trustedScore}, ` +
  `${p.witnessRateNew} otherwise (always, without reputation); malicious witnesses always agree`)
console.log(`reports: after every caught wrong result, after ${100 * p.successReportRate}% of successes; each colluder praises a colluder and ` +
  `smears an honest peer with probability ${p.collusionRate} per task; reports re-read every ${p.refreshEvery} submissions`)
console.log('configurations: none = no witnesses, no reputation; rep = own ReputationBook only; wit = witnesses only; ' +
  'wit+rep = both; +reports = reports averaged, every reporter alike; +weighted = reports through aggregateReports; ' +
  'risk = no witnesses: the submitter checks by the verification policy (src/trust/verification/) on peers it trusts, and ranks by the ' +
  'product\'s standing (checked work; a peer caught once excluded)')
const vp = checkVerificationPolicy(p.verification)
console.log(`risk policy: first ${vp.firstChecks} tasks of an executor checked, then p = min(1, max(${vp.minCheckRate}, ${vp.checkGain}·E[wrong rate]·value)), ` +
  `Beta(${vp.priorWrong}, ${vp.priorRight}) prior, task values exponential with mean 1; checkers confirmed ≥ ${vp.minCheckerConfirmed} times, else the submitter; ` +
  `payment held while < ${vp.holdUntilConfirmed} confirmations`)
console.log('')

const wallStart = performance.now()
const runs = shares.length * CONFIGURATIONS.length
const results: TrustResult[][] = []
let finished = 0
for (const maliciousShare of shares) {
  const row: TrustResult[] = []
  for (const configuration of CONFIGURATIONS) {
    // A run may take up to four fair shares of what is left (the weighted reading costs several times the others),
    // but never the 500 ms each run after it is promised.
    const remaining = budgetMs - (performance.now() - wallStart)
    const left = Math.max(500, Math.min(4 * remaining / (runs - finished), remaining - 500 * (runs - finished - 1)))
    row.push(simulateTrust({ ...base, maliciousShare }, configuration, left))
    finished++
  }
  results.push(row)
}

const pct = (x: number, of: number): string => of > 0 ? (100 * x / of).toFixed(2) : '-'
const mark = (r: TrustResult): string => r.stoppedEarly ? '*' : ''
const shareCell = (row: TrustResult[]): string => {
  const r = row[0]!
  return `${(100 * r.maliciousShare).toFixed(0)}% (${r.kinds['always-wrong']}/${r.kinds.camouflaged}/${r.kinds.colluder})`
}
const names = CONFIGURATIONS.map((c) => c.name)
const witnessed = CONFIGURATIONS.flatMap((c, i) => c.witnesses ? [i] : [])
const reading = CONFIGURATIONS.flatMap((c, i) => c.reports !== 'ignored' ? [i] : [])

print('Wrong results delivered to honest submitters, % of tasks', ['malicious (aw/cam/col)', ...names],
  results.map((row) => [shareCell(row), ...row.map((r) => pct(r.wrong, r.tasks) + mark(r))]))
print('Witness re-executions per task (+ arbitration runs after a caught wrong result)', ['malicious', ...witnessed.map((i) => names[i]!)],
  results.map((row) => [shareCell(row), ...witnessed.map((i) => {
    const r = row[i]!
    return `${(r.witnessRuns / r.tasks).toFixed(3)} (+${(r.arbitrationRuns / r.tasks).toFixed(3)})`
  })]))
const verified = CONFIGURATIONS.flatMap((c, i) => c.verification === true ? [i] : [])
for (const i of verified) {
  print(`${names[i]}: wrong results, re-executions per task (checks + arbitration runs), and what the checks were`,
    ['malicious', 'wrong %', 're-executions/task', 'checks/task', 'arbitration/task', 'checked by submitter %', 'payment held %'],
    results.map((row) => {
      const r = row[i]!
      return [shareCell(row), pct(r.wrong, r.tasks) + mark(r), ((r.checkRuns + r.arbitrationRuns) / r.tasks).toFixed(3), (r.checkRuns / r.tasks).toFixed(3),
        (r.arbitrationRuns / r.tasks).toFixed(3), pct(r.selfChecks, r.checkRuns), pct(r.heldPayments, r.tasks)]
    }))
}
for (const i of reading) {
  print(`${names[i]}: end state of the honest peers' books — blacklisted by ≥ 1 honest peer (mean per book); mean score given to each kind`,
    ['malicious', 'malicious blacklisted', 'honest blacklisted', 'score honest', 'always-wrong', 'camouflaged', 'colluder'],
    results.map((row) => {
      const r = row[i]!
      const b = r.blacklist!
      const s = r.meanScore!
      const score = (x: number): string => Number.isNaN(x) ? '-' : x.toFixed(3)
      return [shareCell(row), `${b.maliciousByAny}/${b.malicious} (${b.maliciousPerBook.toFixed(2)})`, `${b.honestByAny}/${b.honest} (${b.honestPerBook.toFixed(2)})`,
        score(s.honest), score(s['always-wrong']), score(s.camouflaged), score(s.colluder)]
    }))
}
const stopped = results.flat().filter((r) => r.stoppedEarly).length
if (stopped > 0) console.log(`* ${stopped} runs hit the wall-time budget and were stopped early; their cells cover the tasks simulated`)
console.log(`run time ${((performance.now() - wallStart) / 1000).toFixed(1)} s for ${finished} runs (budget ${values.budget} s)`)

function print (title: string, header: string[], rows: string[][]): void {
  const table = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  console.log(title)
  for (const [k, row] of table.entries()) {
    console.log(row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join('  '))
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  console.log('')
}
