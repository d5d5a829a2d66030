// AssemblyScript: word tokenising shared by the text samples.

/**
 * True for code units that belong to a word: ASCII letters and digits, the
 * apostrophe (so "don't" stays one word) and every non-ASCII code unit, which
 * keeps accented and non-Latin words whole without carrying Unicode tables.
 */
function isWordUnit (c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) || c == 0x27 || c >= 0x80
}

/** Lower-cased words of `text`, with leading and trailing apostrophes trimmed. */
export function words (text: string): string[] {
  const out = new Array<string>()
  const lower = text.toLowerCase()
  const n = lower.length
  let i = 0
  while (i < n) {
    while (i < n && !isWordUnit(lower.charCodeAt(i))) i++
    let start = i
    while (i < n && isWordUnit(lower.charCodeAt(i))) i++
    let end = i
    while (start < end && lower.charCodeAt(start) == 0x27) start++
    while (end > start && lower.charCodeAt(end - 1) == 0x27) end--
    if (end > start) out.push(lower.substring(start, end))
  }
  return out
}
