/**
 * The real workloads are committed as built modules (src/workloads/<id>/<id>.wasm),
 * so that `npm start` needs no C toolchain. Each must be exactly — byte for
 * byte — what src/build/build-workloads.ts builds from the committed source,
 * and each generated header exactly what its generator writes from the pinned
 * npm package: otherwise the module people run is not the source people read.
 */
import { describe, expect, it } from 'vitest'
import { checkWorkload, readWorkloadBuilds } from '../../../src/build/build-workloads.ts'
import { CLANG, HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'

const builds = await readWorkloadBuilds()

describe.skipIf(!HAVE_TOOLCHAIN)('every committed workload module is the build of its source', () => {
  it('finds the workloads', () => {
    expect(builds.map(build => build.id)).toContain('lang-detect')
  })

  it.each(builds.map(build => [build.id, build] as const))('%s rebuilds byte for byte (npm run build:workloads -- --check)', async (_id, build) => {
    expect(await checkWorkload(build, CLANG)).toEqual([])
  }, 120_000)
})
