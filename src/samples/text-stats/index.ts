// AssemblyScript sample: `wc`-style counts plus the most frequent words.
import { readAllStdin, decodeUtf8 } from '../shared/io'
import { words } from '../shared/words'

const TOP_WORDS = 5

const bytes = readAllStdin()

// Lines as `wc -l` counts them, plus a final line that lacks its newline.
// Words are runs of non-whitespace bytes (`wc -w`); characters are UTF-8 code
// points, i.e. bytes that are not continuation bytes (10xxxxxx).
let lines = 0
let whitespaceWords = 0
let characters = 0
let inWord = false
for (let i = 0; i < bytes.length; i++) {
  const b = <i32>unchecked(bytes[i])
  if (b == 0x0a) lines++
  if ((b & 0xc0) != 0x80) characters++
  const space = b == 0x20 || (b >= 0x09 && b <= 0x0d)
  if (!space && !inWord) whitespaceWords++
  inWord = !space
}
if (bytes.length > 0 && bytes[bytes.length - 1] != 0x0a) lines++

const counts = new Map<string, i32>()
const tokens = words(decodeUtf8(bytes))
for (let i = 0; i < tokens.length; i++) {
  const w = tokens[i]
  counts.set(w, counts.has(w) ? counts.get(w) + 1 : 1)
}

// Most frequent first; ties broken alphabetically so the output is stable.
const distinct = counts.keys()
distinct.sort((a: string, b: string): i32 => {
  const diff = counts.get(b) - counts.get(a)
  if (diff != 0) return diff
  return a < b ? -1 : (a > b ? 1 : 0)
})

let out = 'lines: ' + lines.toString() + '\n' +
  'words: ' + whitespaceWords.toString() + '\n' +
  'characters: ' + characters.toString() + '\n' +
  'bytes: ' + bytes.length.toString() + '\n' +
  'top words:\n'
const top = min(TOP_WORDS, distinct.length)
for (let i = 0; i < top; i++) {
  out += '  ' + distinct[i] + ' ' + counts.get(distinct[i]).toString() + '\n'
}
process.stdout.write(out)
