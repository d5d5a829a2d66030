/**
 * Generates src/workloads/lang-detect/model.h — the weights, n-gram vocabulary
 * and language codes of the `lande` language detector (npm, MIT, © Fabio
 * Spampinato), plus the Unicode tables its text preprocessing needs — from the
 * installed `lande` package, for the C port in src/workloads/lang-detect/.
 *
 *   node src/build/lande-weights.ts [out-dir]     (run by npm run build:workloads)
 *
 * Weights stay in toygrad's int8 form (byte code + one scale per row); the C
 * program decodes them exactly as toygrad's Encoder does: float32((code - 127) / scale).
 * The Unicode tables (\p{L}, \p{M}, \s, Cased, Case_Ignorable, toLowerCase) are
 * read from this Node's own regular expressions and String.prototype.toLowerCase,
 * so the C preprocessing matches lande's `getNormalized` running on the same Node.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const ROOT = resolve(import.meta.dirname, '../..')
/** Where model.h goes: the folder given as the first argument (src/build/build-workloads.ts --check uses a scratch one), else the workload's. */
const OUT = join(process.argv[2] ?? join(ROOT, 'src/workloads/lang-detect'), 'model.h')
const require = createRequire(import.meta.url)
const LANDE_DIR = join(require.resolve('lande'), '../..') // its exports map hides package.json

interface DenseOptions { type: 'dense', filters: number, _biases: string, _filters: string[] }
interface Int8Row { scale: string, codes: number[] }

/** toygrad's 'f8' encoding: `1<scale>|<base64 of bytes>`; value = (byte - 127) / scale. */
function decodeF8 (encoded: string): Int8Row {
  const bar = encoded.indexOf('|')
  if (encoded[0] !== '1' || encoded[1] === '-' || bar < 0) throw new Error(`unsupported toygrad encoding ${encoded.slice(0, 8)}`)
  const scale = encoded.slice(1, bar)
  if (!(Number(scale) > 0)) throw new Error(`bad scale ${scale}`)
  const bytes = Buffer.from(encoded.slice(bar + 1), 'base64')
  return { scale, codes: [...bytes] }
}

/** Code-point ranges [lo, hi] where `test` holds. */
function ranges (test: (cp: number) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue
    if (!test(cp)) continue
    const last = out.at(-1)
    if (last !== undefined && last[1] === cp - 1) last[1] = cp
    else out.push([cp, cp])
  }
  return out
}

const cArray = (type: string, name: string, values: Array<number | string>, perLine = 16): string => {
  const lines: string[] = []
  for (let i = 0; i < values.length; i += perLine) lines.push('  ' + values.slice(i, i + perLine).join(', ') + ',')
  return `static const ${type} ${name}[${values.length}] = {\n${lines.join('\n')}\n};\n`
}
const rangeArray = (name: string, list: Array<[number, number]>): string =>
  `#define ${name.toUpperCase()}_COUNT ${list.length}\n` + cArray('uint32_t', name, list.flat().map(v => '0x' + v.toString(16)), 12)

async function main (): Promise<void> {
  const pkg = JSON.parse(await readFile(join(LANDE_DIR, 'package.json'), 'utf8')) as { version: string }
  const load = async <T>(file: string): Promise<T> => ((await import(pathToFileURL(join(LANDE_DIR, 'standalone', file)).href)) as { default: T }).default
  const langs = await load<string[]>('t50-langs.js')
  const ngrams = await load<{ unigrams: string[], bigrams: string[], trigrams: string[], quadgrams: string[] }>('t50-ngrams.js')
  const options = await load<{ layers: Array<{ type: string, sz?: number } & Partial<DenseOptions>> }>('t50-options.js')

  const types = options.layers.map(layer => layer.type).join(',')
  if (types !== 'input,dense,relu,dense,softmax') throw new Error(`unexpected lande network ${types}`)
  const [input, hidden, , output] = options.layers as [{ sz: number }, DenseOptions, unknown, DenseOptions]
  const groups = [ngrams.unigrams, ngrams.bigrams, ngrams.trigrams, ngrams.quadgrams]
  const features = groups.flatMap((list, n) => list.map(value => ({ n: n + 1, value })))
  if (features.length !== input.sz) throw new Error(`${features.length} n-grams for ${input.sz} inputs`)
  if (output.filters !== langs.length) throw new Error(`${output.filters} outputs for ${langs.length} languages`)

  const layer = (name: string, dense: DenseOptions, inputs: number): string => {
    const rows = dense._filters.map(decodeF8)
    const biases = decodeF8(dense._biases)
    if (rows.length !== dense.filters || rows.some(row => row.codes.length !== inputs) || biases.codes.length !== dense.filters) throw new Error(`bad shape in ${name}`)
    return `#define ${name.toUpperCase()}_OUT ${dense.filters}\n` +
      cArray('double', `${name}_scale`, rows.map(row => row.scale), 8) +
      cArray('uint8_t', `${name}_codes`, rows.flatMap(row => row.codes), 32) +
      `static const double ${name}_bias_scale = ${biases.scale};\n` +
      cArray('uint8_t', `${name}_bias_codes`, biases.codes, 32)
  }

  // Each n-gram as UTF-16 code units (lande slices JS strings by code unit); a
  // vocabulary entry whose length is not its n can never match, as in JS.
  const units = features.map(({ n, value }) => {
    const codes = [...value].flatMap(ch => { const u: number[] = []; for (let i = 0; i < ch.length; i++) u.push(ch.charCodeAt(i)); return u })
    return { n, len: codes.length, codes: [...codes, 0, 0, 0, 0].slice(0, 4) }
  })

  const letterOrMark = /^[\p{L}\p{M}]$/u
  const space = /^\s$/u
  const cased = /^\p{Cased}$/u
  const ignorable = /^\p{Case_Ignorable}$/u
  const lower: number[] = []
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue
    const from = String.fromCodePoint(cp)
    const to = [...from.toLowerCase()].map(ch => ch.codePointAt(0)!)
    if (to.length === 1 && to[0] === cp) continue
    if (to.length > 2) throw new Error(`U+${cp.toString(16)} lowercases to ${to.length} code points`)
    lower.push(cp, to[0]!, to[1] ?? 0)
  }
  const greekSigma = 'ΑΣ Σ'.toLowerCase()
  if (greekSigma !== 'ας σ') throw new Error('this Node does not apply Final_Sigma as the C port assumes')

  const header = [
    `/* GENERATED by src/build/lande-weights.ts from lande ${pkg.version} (MIT, (c) Fabio Spampinato) and the`,
    ` * Unicode ${process.versions.unicode} tables of Node ${process.version} (ICU ${process.versions.icu}). Do not edit; rerun the generator. */`,
    '#ifndef LANG_DETECT_MODEL_H',
    '#define LANG_DETECT_MODEL_H',
    '#include <stdint.h>',
    '',
    `#define LANDE_VERSION "${pkg.version}"`,
    `#define N_LANGS ${langs.length}`,
    `static const char LANGS[N_LANGS][4] = { ${langs.map(l => JSON.stringify(l)).join(', ')} };`,
    '',
    '/* Input features: n (1-4), length in UTF-16 code units, then up to 4 code units. */',
    `#define N_FEATURES ${features.length}`,
    cArray('uint8_t', 'feature_n', units.map(u => u.n), 32),
    cArray('uint8_t', 'feature_len', units.map(u => u.len), 32),
    cArray('uint16_t', 'feature_units', units.flatMap(u => u.codes.map(c => '0x' + c.toString(16))), 16),
    layer('hidden', hidden, features.length),
    layer('output', output, hidden.filters),
    '/* Unicode tables: inclusive [lo, hi] code-point ranges. */',
    rangeArray('letter_or_mark', ranges(cp => letterOrMark.test(String.fromCodePoint(cp)))),
    rangeArray('white_space', ranges(cp => space.test(String.fromCodePoint(cp)))),
    rangeArray('cased', ranges(cp => cased.test(String.fromCodePoint(cp)))),
    rangeArray('case_ignorable', ranges(cp => ignorable.test(String.fromCodePoint(cp)))),
    '/* toLowerCase of single code points (root locale; Final_Sigma is applied in the C code): from, to, second (0 = none). */',
    `#define LOWER_COUNT ${lower.length / 3}`,
    cArray('uint32_t', 'lower_map', lower.map(v => '0x' + v.toString(16)), 12),
    '#endif',
    ''
  ].join('\n')
  await writeFile(OUT, header)
  console.log(`wrote ${OUT} (${header.length} bytes)`)
}

await main()
