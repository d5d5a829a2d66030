import { spawnSync } from 'node:child_process'

/**
 * True when this process can run a command in a fresh network namespace of
 * its own (root, with unshare and ip). Browser tests and benchmarks run there
 * so that every connection, WebRTC candidates included, stays on this
 * machine: loopback, plus a veth pair (10.99.0.1 ↔ 10.99.0.2) that never
 * leaves the namespace. The pair is there because node-datachannel's WebRTC
 * (a Node peer's) fails transfers above ~50 KB when 127.0.0.1 is its only
 * address — measured between two Node peers; over an ordinary interface it
 * works, and no real machine has loopback alone.
 */
export function canIsolateNetwork (): boolean {
  const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
  return process.getuid?.() === 0 && has('unshare') && has('ip') && process.env.ZEROSTATE_NO_NETNS !== '1'
}

/**
 * Brings the namespace's interfaces up: loopback, and the veth pair when the
 * kernel has veth (without it, loopback alone: Node-to-Node WebRTC then fails
 * on large transfers, the rest works).
 */
export const NAMESPACE_SETUP = 'ip link set lo up && { ip link add zs0 type veth peer name zs1 && ip addr add 10.99.0.1/24 dev zs0 && ip addr add 10.99.0.2/24 dev zs1 && ip link set zs0 up && ip link set zs1 up || true; }'

/** Runs `command args…` inside a network namespace of its own (see NAMESPACE_SETUP); returns its exit status. */
export function runInLoopbackNamespace (command: string, args: string[], cwd: string): number {
  const quoted = [command, ...args].map(arg => `'${arg.replaceAll("'", "'\\''")}'`).join(' ')
  const result = spawnSync('unshare', ['--net', 'sh', '-c', `${NAMESPACE_SETUP} && exec ${quoted}`], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ZEROSTATE_NO_NETNS: '1' }
  })
  return result.status ?? 1
}
