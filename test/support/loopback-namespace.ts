import { spawnSync } from 'node:child_process'

/**
 * True when this process can run a command in a fresh network namespace that
 * has only loopback (root, with unshare and ip). Browser tests and benchmarks
 * run there so that every connection, WebRTC candidates included, stays on
 * 127.0.0.1.
 */
export function canIsolateNetwork (): boolean {
  const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
  return process.getuid?.() === 0 && has('unshare') && has('ip') && process.env.ZEROSTATE_NO_NETNS !== '1'
}

/** Runs `command args…` inside a loopback-only network namespace; returns its exit status. */
export function runInLoopbackNamespace (command: string, args: string[], cwd: string): number {
  const quoted = [command, ...args].map(arg => `'${arg.replaceAll("'", "'\\''")}'`).join(' ')
  const result = spawnSync('unshare', ['--net', 'sh', '-c', `ip link set lo up && exec ${quoted}`], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ZEROSTATE_NO_NETNS: '1' }
  })
  return result.status ?? 1
}
