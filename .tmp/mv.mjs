// Usage: node .tmp/mv.mjs old1 new1 [old2 new2 ...]  — git mv + rewrite every import (TS language service).
import ts from 'typescript'
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
const root = process.cwd()
const args = process.argv.slice(2)
const pairs = []
for (let i = 0; i < args.length; i += 2) pairs.push([path.resolve(args[i]), path.resolve(args[i + 1])])
function listFiles () {
  const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts'], { encoding: 'utf8' }).split('\n').filter(Boolean)
  return out.filter(f => !f.startsWith('src/samples/') && fs.existsSync(f)).map(f => path.resolve(f))
}
const files = listFiles()
const versions = new Map()
const contents = new Map(files.map(f => [f, fs.readFileSync(f, 'utf8')]))
const options = { allowImportingTsExtensions: true, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, noEmit: true, allowJs: false, skipLibCheck: true, experimentalDecorators: true, resolveJsonModule: true }
const host = {
  getScriptFileNames: () => [...contents.keys()],
  getScriptVersion: f => String(versions.get(f) ?? 0),
  getScriptSnapshot: f => { const c = contents.get(f) ?? (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined); return c === undefined ? undefined : ts.ScriptSnapshot.fromString(c) },
  getCurrentDirectory: () => root,
  getCompilationSettings: () => options,
  getDefaultLibFileName: o => ts.getDefaultLibFilePath(o),
  fileExists: f => contents.has(f) || fs.existsSync(f),
  readFile: f => contents.get(f) ?? fs.readFileSync(f, 'utf8'),
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories
}
const service = ts.createLanguageService(host, ts.createDocumentRegistry())
const prefs = { importModuleSpecifierEnding: 'js', allowImportingTsExtensions: true, importModuleSpecifierPreference: 'relative' }
for (const [from, to] of pairs) {
  const edits = service.getEditsForFileRename(from, to, {}, prefs)
  for (const edit of edits) {
    let text = contents.get(edit.fileName)
    if (text === undefined) continue
    const changes = [...edit.textChanges].sort((a, b) => b.span.start - a.span.start)
    for (const c of changes) text = text.slice(0, c.span.start) + c.newText + text.slice(c.span.start + c.span.length)
    contents.set(edit.fileName, text)
    versions.set(edit.fileName, (versions.get(edit.fileName) ?? 0) + 1)
  }
  // move in the in-memory set
  const text = contents.get(from)
  contents.delete(from)
  if (text !== undefined) contents.set(to, text)
  fs.mkdirSync(path.dirname(to), { recursive: true })
  execFileSync('git', ['mv', path.relative(root, from), path.relative(root, to)])
}
for (const [f, text] of contents) {
  if (fs.existsSync(f) && fs.readFileSync(f, 'utf8') === text) continue
  fs.writeFileSync(f, text)
}
