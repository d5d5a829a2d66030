/**
 * The trust simulation: how often does a submitter get a wrong result back,
 * with and without witnesses, reputation and second-hand reports, when a
 * share of the executors is malicious? It measures the real ReputationBook
 * and the real aggregateReports (src/trust/reputation/).
 *
 * Model, per task (arrivals Poisson over `spanHours`, at honest submitters):
 * - The submitter draws `candidates` (8) distinct peers other than itself
 *   among those it has not blacklisted, and picks one: uniformly without
 *   reputation; with it, the best score (ties at random), the score being its
 *   own book's, or that blended with the reports it heard.
 * - Every executor times out with probability `timeoutRate`; the submitter
 *   then records 'timeout' and tries another, up to `maxAttempts` executors.
 * - Honest executors return the right output; always-wrong ones and colluders
 *   a wrong one; camouflaged ones the right one with probability
 *   `camouflageHonesty`.
 * - With witnesses, a witness drawn from all peers (not the submitter, not the
 *   executor) re-executes the receipt with probability `witnessRateTrusted`
 *   for executors the submitter has seen ≥ `trustedAfterTasks` times with
 *   score ≥ `trustedScore`, `witnessRateNew` otherwise (without a reputation
 *   book every executor is new). An honest witness catches a wrong result:
 *   the submitter records a proven 'wrong-result' (blacklisted at once, as the
 *   app does after its own re-run agrees with the witness), publishes a negative report, and
 *   gets the right output from a third (arbitration) execution. A malicious
 *   witness always agrees.
 * - A result nobody caught is recorded as 'success' — the submitter cannot
 *   tell — and, with probability `successReportRate`, praised in a report.
 * - Each colluder, at each task, with probability `collusionRate` publishes
 *   one report praising a random fellow colluder and one smearing a random
 *   honest peer.
 *
 * - `risk` (the submitter's own risk-based verification, src/trust/verification/)
 *   replaces the self-selected witnesses: each task has a value (exponential,
 *   mean the policy's referenceValue); after each delivery the real
 *   decideVerification says whether to check it, and a check is a re-run by
 *   a peer the submitter chose with the real chooseCheckers from those it has
 *   confirmed ≥ minCheckerConfirmed times and never caught — so a malicious
 *   checker is rarer than a malicious witness drawn from all peers, though it
 *   still always agrees — or, with nobody trusted yet, by the submitter
 *   itself (trust-verification.ts). Only checks enter its CheckedWorkBook; the
 *   submitter ranks and excludes the candidates by the product's own
 *   executorStanding (TaskDispatch's ranking and auction floor): trust from
 *   checked work, lowered by timeouts its ReputationBook saw, and a peer
 *   caught once — or blacklisted by the book — never chosen again.
 * - `+kept` (a model change, applied to a witness configuration too as a
 *   control): a submitter adds its `kept` (4) best-scored executors — those it
 *   has seen do good work, by the configuration's own score — to the
 *   candidates of every choice, each available with probability
 *   `keptAvailability` (½: busy elsewhere or gone otherwise). The product's
 *   dispatch ranks every reachable executor, not a random sample, so a
 *   submitter does return to executors it trusts; the sample of 8 alone
 *   makes every submitter explore a new executor on most tasks, and a policy
 *   that checks newcomers pays for each.
 *
 * Malicious peers submit nothing here: in this model (no capacity limits)
 * their own tasks affect no honest peer, and the measure is what honest
 * submitters receive.
 */
import { aggregateReports, NEUTRAL_SCORE, ReputationBook } from '../../src/trust/reputation/index.ts'
import type { Outcome } from '../../src/trust/reputation/index.ts'
import { CheckedWorkBook, checkVerificationPolicy, executorStanding } from '../../src/trust/verification/index.ts'
import type { ExecutorStanding } from '../../src/trust/verification/index.ts'
import { exponential, stream } from './rng.ts'
import { averageReports, ReportBoard } from './trust-reports.ts'
import { checkDelivery } from './trust-verification.ts'
import { PEER_KINDS } from './trust-params.ts'
import type { PeerKind, TrustConfiguration, TrustParams } from './trust-params.ts'

export { CONFIGURATIONS, DEFAULT_TRUST_PARAMS, PEER_KINDS } from './trust-params.ts'
export type { PeerKind, ReportReading, TrustConfiguration, TrustParams } from './trust-params.ts'

/** Weight of a submitter's own view in the unweighted reading: the aggregator's default damping, for a like-for-like comparison. */
const UNWEIGHTED_SELF_WEIGHT = 0.5

export interface BlacklistStats {
  malicious: number
  honest: number
  /** Malicious peers blacklisted by at least one honest peer at the end. */
  maliciousByAny: number
  /** Honest peers blacklisted by at least one honest peer at the end. */
  honestByAny: number
  /** Mean over honest peers' books of the malicious peers each has blacklisted. */
  maliciousPerBook: number
  honestPerBook: number
}

export interface TrustResult {
  configuration: TrustConfiguration
  maliciousShare: number
  kinds: Record<PeerKind, number>
  /** Tasks simulated (fewer than asked only if stopped early). */
  tasks: number
  /** Tasks whose submitter got a wrong output and took it. */
  wrong: number
  /** Wrong outputs an honest witness caught. */
  caught: number
  /** Tasks every attempt of which timed out. */
  failed: number
  witnessRuns: number
  arbitrationRuns: number
  /** `risk`: the submitter's checks (re-runs), those it ran itself, and tasks whose payment waited for the check. */
  checkRuns: number
  selfChecks: number
  heldPayments: number
  reportsPublished: number
  /** With reputation: the end state of the honest peers' books. */
  blacklist: BlacklistStats | undefined
  /** With reputation: the mean score honest submitters give, at the end, to peers of each kind (reports read as configured). */
  meanScore: Record<PeerKind, number> | undefined
  stoppedEarly: boolean
  wallMs: number
}

interface Submitter {
  book: ReputationBook
  /** Scores read from the reports at the last refresh. */
  reportScores: Map<string, number>
  untilRefresh: number
  /** `risk`: what this submitter has checked of each executor. */
  checked: CheckedWorkBook
}

const HOUR_MS = 60 * 60 * 1000

/** Assigns kinds: a seeded shuffle, the first round(share·peers) malicious, split by `mix` (remainders in kind order). */
export function assignKinds (params: TrustParams): PeerKind[] {
  const random = stream(params.seed, 'trust:kinds')
  const n = params.peers
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const malicious = Math.round(params.maliciousShare * n)
  const { alwaysWrong, camouflaged, colluder } = params.mix
  const total = alwaysWrong + camouflaged + colluder
  if (!(total > 0) || Math.min(alwaysWrong, camouflaged, colluder) < 0) throw new RangeError('mix must be ≥ 0 with a positive sum')
  const shares: Array<[PeerKind, number]> = [['always-wrong', alwaysWrong / total], ['camouflaged', camouflaged / total], ['colluder', colluder / total]]
  const counts = shares.map(([, s]) => Math.floor(malicious * s))
  for (let k = 0, left = malicious - counts.reduce((a, b) => a + b, 0); left > 0; k = (k + 1) % 3) {
    if (shares[k]![1] > 0) { counts[k]!++; left-- }
  }
  const kinds = new Array<PeerKind>(n).fill('honest')
  let next = 0
  for (const [k, [kind]] of shares.entries()) for (let c = 0; c < counts[k]!; c++) kinds[order[next++]!] = kind
  return kinds
}

export function simulateTrust (params: TrustParams, configuration: TrustConfiguration, wallBudgetMs = Infinity): TrustResult {
  const wallStart = performance.now()
  const n = params.peers
  if (!(n >= 3 && params.candidates >= 1 && params.maxAttempts >= 1)) throw new RangeError('need ≥ 3 peers, ≥ 1 candidate, ≥ 1 attempt')
  const kinds = assignKinds(params)
  const ids = kinds.map((_, i) => `peer-${i}`)
  const indexOf = new Map(ids.map((id, i) => [id, i]))
  const honest = kinds.flatMap((k, i) => k === 'honest' ? [i] : [])
  const colluders = kinds.flatMap((k, i) => k === 'colluder' ? [i] : [])
  if (honest.length === 0) throw new RangeError('no honest submitter')
  // Own streams per concern, so that every configuration sees the same arrivals.
  const arrivals = stream(params.seed, 'trust:arrivals')
  const choice = stream(params.seed, `trust:choice:${configuration.name}`)
  const behaviour = stream(params.seed, `trust:behaviour:${configuration.name}`)
  const witnessRng = stream(params.seed, `trust:witness:${configuration.name}`)
  const gossip = stream(params.seed, `trust:gossip:${configuration.name}`)
  const verifyRng = stream(params.seed, `trust:verify:${configuration.name}`)
  const policy = checkVerificationPolicy(params.verification)

  let now = 0
  const clock = (): number => now
  const submitters = new Map<number, Submitter>()
  if (configuration.reputation) {
    for (const i of honest) submitters.set(i, { book: new ReputationBook({ now: clock }), reportScores: new Map(), untilRefresh: 0, checked: new CheckedWorkBook({ now: clock }) })
  }
  const board = new ReportBoard()
  const readsReports = configuration.reputation && configuration.reports !== 'ignored'

  const refresh = (self: number, s: Submitter): void => {
    const trustOf = (peerId: string): number | undefined => s.book.trustOf(peerId)
    s.reportScores = configuration.reports === 'weighted'
      ? aggregateReports(board.all(), { trustOf, self: ids[self]! }).scores
      : averageReports(board.all(), { trustOf, self: ids[self]!, selfWeight: UNWEIGHTED_SELF_WEIGHT })
    s.untilRefresh = params.refreshEvery
  }
  /** `risk`: what the product's ranking reads of an executor (src/trust/verification/standing.ts). */
  const standingOf = (s: Submitter, id: string): ExecutorStanding => executorStanding({
    checked: s.checked.record(id), observedScore: s.book.score(id), blacklisted: s.book.isBlacklisted(id)
  }, now, policy)
  const excludes = (s: Submitter, id: string): boolean => configuration.verification === true ? standingOf(s, id).blacklisted : s.book.isBlacklisted(id)
  const scoreOf = (s: Submitter, peer: number): number => {
    const id = ids[peer]!
    if (configuration.verification === true) return standingOf(s, id).score
    return (readsReports ? s.reportScores.get(id) : undefined) ?? s.book.score(id)
  }

  /** The executor `self` hands the task to, never one of `tried`; -1 if none is left. */
  const pick = (self: number, s: Submitter | undefined, tried: number[]): number => {
    const pool: number[] = []
    for (let p = 0; p < n; p++) {
      if (p !== self && !tried.includes(p) && (s === undefined || !excludes(s, ids[p]!))) pool.push(p)
    }
    if (pool.length === 0) return -1
    const k = Math.min(params.candidates, pool.length)
    for (let i = 0; i < k; i++) { // partial Fisher–Yates: pool[0..k) is the sample
      const j = i + Math.floor(choice() * (pool.length - i))
      ;[pool[i], pool[j]] = [pool[j]!, pool[i]!]
    }
    if (s === undefined) return pool[Math.floor(choice() * k)]!
    const candidates = pool.slice(0, k)
    if (configuration.keepsTrusted === true) {
      for (const p of keptExecutors(self, s)) if (!candidates.includes(p) && !tried.includes(p) && choice() < params.keptAvailability) candidates.push(p)
    }
    let best = -1
    let bestScore = -Infinity
    let ties = 0
    for (const p of candidates) {
      const score = scoreOf(s, p)
      if (score > bestScore) { best = p; bestScore = score; ties = 1 } else if (score === bestScore && choice() * ++ties < 1) best = p
    }
    return best
  }

  /** The submitter's `kept` best-scored executors it has observed doing good work (score above neutral), not blacklisted. */
  const keptExecutors = (self: number, s: Submitter): number[] => {
    const observed = configuration.verification === true ? s.checked.peers() : s.book.peers()
    const scored: Array<[number, number]> = []
    for (const id of observed) {
      const p = indexOf.get(id)!
      if (p === self || excludes(s, id)) continue
      const score = scoreOf(s, p)
      if (score > NEUTRAL_SCORE) scored.push([p, score])
    }
    return scored.sort((a, b) => b[1] - a[1]).slice(0, params.kept).map(([p]) => p)
  }

  const witnessRate = (s: Submitter | undefined, executor: number): number => {
    if (s === undefined) return params.witnessRateNew
    const id = ids[executor]!
    const trusted = s.book.history(id).length >= params.trustedAfterTasks && s.book.score(id) >= params.trustedScore
    return trusted ? params.witnessRateTrusted : params.witnessRateNew
  }

  const record = (s: Submitter | undefined, executor: number, outcome: Outcome, proven = false): void => {
    s?.book.record(ids[executor]!, outcome, { proven })
  }

  let wrong = 0
  let caught = 0
  let failed = 0
  let witnessRuns = 0
  let arbitrationRuns = 0
  let checkRuns = 0
  let selfChecks = 0
  let heldPayments = 0
  let done = 0
  let stoppedEarly = false
  const meanGapMs = params.spanHours * HOUR_MS / params.tasks
  for (let t = 0; t < params.tasks; t++) {
    if ((t & 255) === 0 && performance.now() - wallStart > wallBudgetMs) { stoppedEarly = true; break }
    now += exponential(arrivals, meanGapMs)
    const self = honest[Math.floor(arrivals() * honest.length)]!
    const s = submitters.get(self)
    if (s !== undefined && readsReports && s.untilRefresh-- <= 0) refresh(self, s)
    const tried: number[] = []
    let delivered = false
    while (!delivered && tried.length < params.maxAttempts) {
      const executor = pick(self, s, tried)
      if (executor < 0) break
      tried.push(executor)
      if (behaviour() < params.timeoutRate) { record(s, executor, 'timeout'); continue }
      const kind = kinds[executor]!
      const isWrong = kind === 'always-wrong' || kind === 'colluder' || (kind === 'camouflaged' && behaviour() >= params.camouflageHonesty)
      delivered = true
      let detected = false
      if (configuration.verification === true && s !== undefined) {
        const step = checkDelivery({
          self: ids[self]!, executor: ids[executor]!, isWrong, value: exponential(verifyRng, 1), now, checked: s.checked, policy,
          isBlacklisted: id => s.book.isBlacklisted(id), isHonest: id => kinds[indexOf.get(id)!] === 'honest', random: verifyRng
        })
        checkRuns += step.checkRuns
        if (step.bySelf) selfChecks++
        if (step.holdPayment) heldPayments++
        detected = step.caught
        // The arbitration run is counted below with the witnesses'; a self-check is its own arbitration.
        if (detected && step.arbitrationRuns === 0) arbitrationRuns--
      }
      if (configuration.witnesses && witnessRng() < witnessRate(s, executor)) {
        witnessRuns++
        let witness = Math.floor(witnessRng() * (n - 2))
        for (const skip of [self, executor].sort((a, b) => a - b)) if (witness >= skip) witness++
        detected = isWrong && kinds[witness] === 'honest'
      }
      if (detected) {
        caught++
        arbitrationRuns++
        // Proven by the witness's re-run and the submitter's own: the app blacklists at once (ReputationBook, proven).
        record(s, executor, 'wrong-result', true)
        board.publish(ids[self]!, ids[executor]!, 'wrong-result', now)
        if (s !== undefined && readsReports) s.untilRefresh = 0
      } else {
        if (isWrong) wrong++
        record(s, executor, 'success')
        if (gossip() < params.successReportRate) board.publish(ids[self]!, ids[executor]!, 'success', now)
      }
    }
    if (!delivered) failed++
    for (const c of colluders) {
      if (gossip() >= params.collusionRate) continue
      if (colluders.length > 1) {
        let mate = colluders[Math.floor(gossip() * (colluders.length - 1))]!
        if (mate === c) mate = colluders[colluders.length - 1]!
        board.publish(ids[c]!, ids[mate]!, 'success', now)
      }
      board.publish(ids[c]!, ids[honest[Math.floor(gossip() * honest.length)]!]!, 'wrong-result', now)
    }
    done++
  }

  let blacklist: BlacklistStats | undefined
  let meanScore: Record<PeerKind, number> | undefined
  if (configuration.reputation) {
    const byAny = new Set<number>()
    let maliciousSum = 0
    let honestSum = 0
    const sums = Object.fromEntries(PEER_KINDS.map((k) => [k, [0, 0]])) as Record<PeerKind, [number, number]>
    for (const [self, s] of submitters) {
      if (readsReports) refresh(self, s)
      for (let p = 0; p < n; p++) {
        if (p === self) continue
        const kind = kinds[p]!
        if (s.book.isBlacklisted(ids[p]!)) {
          byAny.add(p)
          if (kind === 'honest') honestSum++
          else maliciousSum++
        }
        sums[kind][0] += scoreOf(s, p)
        sums[kind][1]++
      }
    }
    const malicious = n - honest.length
    blacklist = {
      malicious,
      honest: honest.length,
      maliciousByAny: [...byAny].filter((p) => kinds[p] !== 'honest').length,
      honestByAny: [...byAny].filter((p) => kinds[p] === 'honest').length,
      maliciousPerBook: maliciousSum / submitters.size,
      honestPerBook: honestSum / submitters.size
    }
    meanScore = Object.fromEntries(PEER_KINDS.map((k) => [k, sums[k][1] > 0 ? sums[k][0] / sums[k][1] : NaN])) as Record<PeerKind, number>
  }
  const count = Object.fromEntries(PEER_KINDS.map((k) => [k, kinds.filter((x) => x === k).length])) as Record<PeerKind, number>
  return {
    configuration,
    maliciousShare: params.maliciousShare,
    kinds: count,
    tasks: done,
    wrong,
    caught,
    failed,
    witnessRuns,
    arbitrationRuns,
    checkRuns,
    selfChecks,
    heldPayments,
    reportsPublished: board.published,
    blacklist,
    meanScore,
    stoppedEarly,
    wallMs: performance.now() - wallStart
  }
}
