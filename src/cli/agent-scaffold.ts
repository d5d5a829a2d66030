/**
 * `zerostate agent init NAME [--lang assemblyscript|c] [--dir PATH]`: writes
 * a new agent's folder — agent.json (the manifest fields the developer
 * edits), build.json, a small real program (it counts the lines, words and
 * bytes of stdin, as `wc` does, and writes them as one JSON line), a README
 * and .gitignore — whose examples the program passes, so that `agent build`
 * and `agent test` work on it at once.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { isAgentName } from '../discovery/agent-manifest/index.ts'
import { UsageError } from './cli-output.ts'
import {
  AGENT_FILE, BUILD_DIR, BUILD_FILE, BUILD_MANIFEST_FILE, checkAgentJson, moduleFileName,
  type AgentBuildConfig, type AgentJson, type AgentLanguage
} from './agent-project.ts'

/** Where the entry source goes, per language. */
const SOURCE_FILE: Readonly<Record<AgentLanguage, string>> = { assemblyscript: 'assembly/index.ts', c: 'src/main.c' }

/** The scaffold's agent.json: one skill, limits well above what counting needs, examples the program passes byte for byte. */
export function scaffoldAgentJson (name: string, language: AgentLanguage): AgentJson {
  return {
    name,
    version: '0.1.0',
    description: `Counts the lines, words and bytes of its input, as wc does, and writes them as one JSON line (${language === 'c' ? 'C' : 'AssemblyScript'}).`,
    licence: 'MIT',
    homepage: null,
    skills: [{
      id: 'word-count',
      name: 'Word count',
      description: 'Reads text on stdin; writes {"lines":…,"words":…,"bytes":…}: newlines, runs of non-blank characters, bytes.',
      tags: ['text'],
      examples: ['How many words are in this text?'],
      inputModes: ['text/plain'],
      outputModes: ['application/json']
    }],
    defaults: { timeoutMs: 10_000, fuel: 1_000_000_000 },
    priceHints: null,
    examples: [
      { name: 'two lines', stdin: { text: 'the quick brown fox\njumps over\n' }, expectedStdout: { text: '{"lines":2,"words":6,"bytes":31}\n' } },
      { name: 'empty input', stdin: { text: '' }, expectedStdout: { text: '{"lines":0,"words":0,"bytes":0}\n' } },
      { name: 'utf-8 counts bytes', stdin: { text: 'héllo wörld' }, expectedStdout: { text: '{"lines":0,"words":2,"bytes":13}\n' } }
    ]
  }
}

export function scaffoldBuildConfig (language: AgentLanguage): AgentBuildConfig {
  return language === 'c'
    ? { language: 'c', sources: [SOURCE_FILE.c], cflags: ['-Wall', '-Wextra'] }
    : { language: 'assemblyscript', entry: SOURCE_FILE.assemblyscript, ascFlags: ['-O3'] }
}

const C_SOURCE = String.raw`/*
 * __NAME__: counts the lines, words and bytes of stdin, as wc does, and
 * writes them as one JSON line on stdout. A WASI preview1 command: stdin,
 * stdout and an exit status are all it uses, so it runs in any tab of the mesh.
 */
#include <stdio.h>

int main(void) {
  unsigned long long lines = 0, words = 0, bytes = 0;
  int in_word = 0;
  unsigned char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, stdin)) > 0) {
    for (size_t i = 0; i < n; i++) {
      unsigned char c = buffer[i];
      if (c == '\n') lines++;
      /* Blanks as C's isspace has them in the "C" locale: space, \t \n \v \f \r. */
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1;
        words++;
      }
    }
    bytes += n;
  }
  if (ferror(stdin)) {
    fputs("__NAME__: cannot read stdin\n", stderr);
    return 2;
  }
  printf("{\"lines\":%llu,\"words\":%llu,\"bytes\":%llu}\n", lines, words, bytes);
  return 0;
}
`

const AS_SOURCE = `// __NAME__: counts the lines, words and bytes of stdin, as wc does, and
// writes them as one JSON line on stdout. Compiled with @assemblyscript/wasi-shim
// to a WASI preview1 command: it runs in any tab of the mesh.

const CHUNK: i32 = 64 * 1024

const buffer = new ArrayBuffer(CHUNK)
let lines: u64 = 0
let words: u64 = 0
let bytes: u64 = 0
let inWord = false
while (true) {
  const n = <i32>process.stdin.read(buffer)
  if (n <= 0) break
  const data = Uint8Array.wrap(buffer, 0, n)
  for (let i = 0; i < n; i++) {
    const c = data[i]
    if (c == 10) lines++
    // Blanks as C's isspace has them: space, \\t \\n \\v \\f \\r.
    if (c == 32 || (c >= 9 && c <= 13)) {
      inWord = false
    } else if (!inWord) {
      inWord = true
      words++
    }
  }
  bytes += <u64>n
}
process.stdout.write(\`{"lines":\${lines},"words":\${words},"bytes":\${bytes}}\\n\`)
`

/** Lets an editor type-check the AssemblyScript source against AssemblyScript's standard library. */
const AS_TSCONFIG = `{
  "extends": "assemblyscript/std/assembly.json",
  "include": ["./**/*.ts"]
}
`

function readme (name: string, language: AgentLanguage): string {
  const build = language === 'c'
    ? `clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -ffp-contract=off -mno-simd128 -Wl,--strip-debug -Wall -Wextra -o build/${name}.wasm src/main.c`
    : `asc assembly/index.ts --config node_modules/@assemblyscript/wasi-shim/asconfig.json -O3 --outFile build/${name}.wasm`
  const toolchain = language === 'c'
    ? 'Debian\'s `clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32` (`sudo apt-get install …`).'
    : '`assemblyscript` and `@assemblyscript/wasi-shim`: zerostate\'s own, or `npm install --save-dev assemblyscript @assemblyscript/wasi-shim` here.'
  return `# ${name}

A ZeroState agent: a WASI preview1 command and its manifest. It counts the lines, words and bytes of
stdin, as \`wc\` does, and writes \`{"lines":…,"words":…,"bytes":…}\`.

| file | what it is |
|---|---|
| \`${AGENT_FILE}\` | the manifest's fields you edit: name, version, description, licence, skills, defaults, examples (docs/agent-manifest.md) |
| \`${BUILD_FILE}\` | how the source becomes \`${BUILD_DIR}/${moduleFileName(name)}\` |
| \`${SOURCE_FILE[language]}\` | the program |
| \`${BUILD_DIR}/\` | what \`agent build\` writes: the module and \`${BUILD_MANIFEST_FILE}\` (the fields plus the module's SHA-256 and size) |

\`\`\`sh
npx zerostate agent build      # compiles, checks it is a WASI command the sandbox runs
npx zerostate agent test       # runs each example of ${AGENT_FILE} in the local sandbox, compares stdout byte for byte
npx zerostate agent publish --server http://127.0.0.1:8080   # signs it with your key (~/.zerostate) and publishes it
\`\`\`

Toolchain: ${toolchain} \`agent build\` runs:

    ${build}

Each example in \`${AGENT_FILE}\` gives \`stdin\` (and optional \`args\`) and the \`expectedStdout\`; change the
program, then its examples, and \`agent test\` tells you when they disagree. Bump \`version\` for every
publish: a published version is immutable.
`
}

/** What `agent init` wrote. */
export interface ScaffoldResult {
  dir: string
  files: string[]
}

/**
 * Writes the scaffold of agent `name` in `dir` (default ./NAME). Refuses
 * (UsageError: bad arguments) a name the manifest format refuses, and a
 * folder that exists and is not empty.
 */
export async function initAgent (name: string, language: AgentLanguage, dir = name): Promise<ScaffoldResult> {
  if (!isAgentName(name)) {
    throw new UsageError(`"${name}" is not an agent name: 1 to 64 characters of [a-z0-9-], starting with [a-z0-9] (lowercase, so Foo and foo are never two agents)`)
  }
  const root = resolve(dir)
  if (existsSync(root) && (await readdir(root)).length > 0) {
    throw new UsageError(`${root} is not empty: give --dir a new or empty folder`)
  }
  const agentJson = scaffoldAgentJson(name, language)
  checkAgentJson(agentJson)
  const source = (language === 'c' ? C_SOURCE : AS_SOURCE).replaceAll('__NAME__', name)
  const files: Array<[string, string]> = [
    [AGENT_FILE, `${JSON.stringify(agentJson, null, 2)}\n`],
    [BUILD_FILE, `${JSON.stringify(scaffoldBuildConfig(language), null, 2)}\n`],
    [SOURCE_FILE[language], source],
    ...(language === 'assemblyscript' ? [['assembly/tsconfig.json', AS_TSCONFIG] as [string, string]] : []),
    ['README.md', readme(name, language)],
    ['.gitignore', `${BUILD_DIR}/\n`]
  ]
  for (const [path, text] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), text, { flag: 'wx' })
  }
  return { dir: root, files: files.map(([path]) => path) }
}
