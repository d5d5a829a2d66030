/**
 * Where a workflow step's module comes from, on this peer: by hash from the
 * store (`sha256:<hex>`), a bundled sample through `fetchModule` (its id), or
 * a published agent through the peer's agent registry (`agent: name@range`,
 * docs/agent-manifest.md), which resolves the ref among the manifests it has
 * verified and brings the entry module checked against the manifest's hash;
 * the manifest's identity and defaults go with it (the runner applies the
 * defaults, and the step's `started` event names the agent).
 */
import { nameError } from '../core/errors.ts'
import { sha256HexAsync } from '../core/hash.ts'
import type { LoadedModule, ModuleSource } from '../orchestration/workflow/runner/index.ts'
import { AGENT_MODULE_PREFIX } from '../orchestration/workflow/scheduler/index.ts'
import type { PeerContext } from './context.ts'

/** Thrown for an `agent:` step on a peer without an agent registry (PeerContext.agents). */
export class AgentRegistryUnavailableError extends Error {
  static { nameError(this, 'AgentRegistryUnavailableError') }
}

export function workflowModuleSource (ctx: Pick<PeerContext, 'store' | 'fetchModule' | 'agents'>): ModuleSource {
  return {
    async load (ref, { signal } = {}) {
      if (ref.startsWith(AGENT_MODULE_PREFIX)) return loadAgent(ctx, ref.slice(AGENT_MODULE_PREFIX.length), signal)
      let bytes: Uint8Array<ArrayBuffer>
      if (ref.startsWith('sha256:')) {
        const held = await ctx.store.getModule(ref.slice('sha256:'.length))
        if (held === undefined) throw new RangeError(`module ${ref} is not in this peer's store: run it once, or name a sample`)
        bytes = new Uint8Array(held)
      } else {
        const response = await ctx.fetchModule(`samples/${encodeURIComponent(ref)}.wasm`, signal === undefined ? {} : { signal })
        if (!response.ok) throw new RangeError(`no sample "${ref}" (HTTP ${response.status})`)
        bytes = new Uint8Array(await response.arrayBuffer())
      }
      return { bytes, hash: await sha256HexAsync(bytes) }
    }
  }
}

async function loadAgent (ctx: Pick<PeerContext, 'agents'>, ref: string, signal: AbortSignal | undefined): Promise<LoadedModule> {
  if (ctx.agents === undefined) throw new AgentRegistryUnavailableError(`agent ${ref}: this peer has no agent registry to resolve it; name the module instead (module: sha256:…)`)
  const { manifest, hash, module } = await ctx.agents.resolveModule(ref, signal === undefined ? {} : { signal })
  return {
    bytes: module,
    hash,
    agent: { name: manifest.name, version: manifest.version, author: manifest.author, defaults: { ...manifest.defaults } }
  }
}
