/**
 * The one-way layers of docs/architecture.md, enforced by dependency-cruiser
 * (`npm run lint:arch`). Each browser layer imports only from the layers below
 * it; Node-only code (server, cli, build) may use the browser-safe layers but
 * never the reverse.
 */
// Lowest first. A layer may import from itself and from any layer before it.
const LAYERS = ['core', 'crypto', 'receipts', 'storage', 'network', 'execution', 'discovery', 'economy', 'trust', 'orchestration', 'peer', 'app', 'ui']

const upward = LAYERS.map((layer, rank) => ({
  name: `layer-${layer}`,
  comment: `${layer} imports only from the layers below it: ${LAYERS.slice(0, rank).join(', ') || '(none)'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(rank + 1).join('|') || 'none'})/` }
}))

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-folder-cycle',
      comment: 'no cycle between folders (a cycle inside one file set is still a cycle)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true }
    },
    {
      name: 'ui-through-app',
      comment: 'the UI talks to the app through its public surface (src/app/index.ts) only',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/', pathNot: ['^src/ui/', '^src/app/index[.]ts$'] }
    },
    {
      name: 'execution-not-network',
      comment: 'the sandbox never talks to the network',
      severity: 'error',
      from: { path: '^src/execution/' },
      to: { path: '^src/network/' }
    },
    {
      name: 'browser-not-node-only',
      comment: 'browser code never imports Node-only code (server, cli, build, *.node.ts) or Node built-ins',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(server|cli|build)/', '[.]node[.]ts$'] },
      to: { path: ['^src/(server|cli|build)/', '[.]node[.]ts$'] }
    },
    {
      name: 'browser-not-node-builtins',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(server|cli|build)/', '[.]node[.]ts$'] },
      to: { dependencyTypes: ['core'] }
    },
    {
      name: 'node-not-dom',
      comment: 'Node-only code never imports the DOM layers (app, ui)',
      severity: 'error',
      from: { path: ['^src/(server|cli|build)/', '[.]node[.]ts$'] },
      to: { path: '^src/(app|ui)/' }
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      // Vite's virtual modules (vite-plugin-pwa's register helper) exist only inside the build.
      to: { couldNotResolve: true, pathNot: '^virtual:' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/samples/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] }
  }
}
