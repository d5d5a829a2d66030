/**
 * The expression language of `depends`, `when`, `forEach` and `${{ … }}`:
 * a hand-written tokenizer and a recursive-descent parser to an AST. Nothing
 * here is ever handed to `eval` or `Function`; `evaluate.ts` walks the AST.
 *
 * Grammar (lowest precedence first; docs/workflow-spec.md has the same):
 *
 *   expression := or
 *   or         := and ( '||' and )*
 *   and        := comparison ( '&&' comparison )*
 *   comparison := unary ( ( '==' | '!=' | '<' | '<=' | '>' | '>=' ) unary )?
 *   unary      := '!' unary | primary
 *   primary    := literal | '(' expression ')' | status | reference
 *   status     := NAME '.' PREDICATE          (a step name; Succeeded, Failed, …)
 *   reference  := ( 'steps' | 'inputs' | 'item' ) ( '.' NAME | '[' ( STRING | INDEX ) ']' )*
 *   literal    := NUMBER | STRING | 'true' | 'false' | 'null'
 *
 *   NAME   := [A-Za-z_][A-Za-z0-9_-]*     (no arithmetic, so '-' may sit inside a name)
 *   NUMBER := JSON number, optionally negative
 *   STRING := '…' or "…" with the escapes \\ \' \" \n \r \t \uXXXX
 *   INDEX  := 0 | [1-9][0-9]*
 *
 * Comparisons do not chain (`a < b < c` is refused).
 */
import {
  FORBIDDEN_KEYS, MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, RESERVED_NAMES, STATUS_PREDICATES
} from './constants.ts'
import { ExpressionSyntaxError } from './errors.ts'
import { checkReferenceShape } from './reference-shape.ts'
import type {
  ComparisonOperator, ExpressionNode, PathSegment, ReferenceNode, ReferenceUse, StatusPredicate
} from './types.ts'

type TokenType = 'name' | 'number' | 'string' | 'operator' | 'end'

interface Token {
  type: TokenType
  /** The name, the operator, or the decoded string or number. */
  value: string | number
  start: number
  end: number
}

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '.', '[', ']'] as const
const COMPARISONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>=']
const NAME_START = /[A-Za-z_]/
const NAME_REST = /[A-Za-z0-9_-]/
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' }

function readString (text: string, start: number): Token {
  const quote = text[start]
  let value = ''
  let i = start + 1
  while (i < text.length) {
    const char = text[i]
    if (char === quote) return { type: 'string', value, start, end: i + 1 }
    if (char === '\\') {
      const escape = text[i + 1] ?? ''
      if (escape === 'u') {
        const hex = text.slice(i + 2, i + 6)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ExpressionSyntaxError('expected four hex digits after \\u', i)
        value += String.fromCharCode(parseInt(hex, 16))
        i += 6
        continue
      }
      const decoded = ESCAPES[escape]
      if (decoded === undefined) throw new ExpressionSyntaxError(`unknown escape \\${escape}`, i)
      value += decoded
      i += 2
      continue
    }
    value += char
    i++
  }
  throw new ExpressionSyntaxError('unterminated string', start)
}

/** Splits an expression into tokens; throws ExpressionSyntaxError at the first character it cannot read. */
export function tokenize (text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const char = text[i] as string
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      i++
      continue
    }
    if (NAME_START.test(char)) {
      let end = i + 1
      while (end < text.length && NAME_REST.test(text[end] as string)) end++
      tokens.push({ type: 'name', value: text.slice(i, end), start: i, end })
      i = end
      continue
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = i
      const match = NUMBER.exec(text)
      if (match === null) throw new ExpressionSyntaxError(`unexpected '${char}'`, i)
      const end = i + match[0].length
      if (end < text.length && NAME_REST.test(text[end] as string)) throw new ExpressionSyntaxError(`unexpected '${text[end] as string}' after a number`, end)
      tokens.push({ type: 'number', value: Number(match[0]), start: i, end })
      i = end
      continue
    }
    if (char === '"' || char === "'") {
      const token = readString(text, i)
      tokens.push(token)
      i = token.end
      continue
    }
    const operator = OPERATORS.find(op => text.startsWith(op, i))
    if (operator === undefined) {
      const hint = char === '=' || char === '&' || char === '|' ? ` (did you mean '${char}${char}'?)` : ''
      throw new ExpressionSyntaxError(`unexpected '${char}'${hint}`, i)
    }
    tokens.push({ type: 'operator', value: operator, start: i, end: i + operator.length })
    i += operator.length
  }
  tokens.push({ type: 'end', value: '', start: text.length, end: text.length })
  return tokens
}

function describeToken (token: Token): string {
  if (token.type === 'end') return 'the end'
  if (token.type === 'string') return `the string ${JSON.stringify(token.value)}`
  return `'${token.value}'`
}

const isForbidden = (key: string): boolean => (FORBIDDEN_KEYS as readonly string[]).includes(key)

class Parser {
  private index = 0
  private depth = 0

  constructor (private readonly tokens: Token[]) {}

  private peek (): Token {
    return this.tokens[this.index] as Token
  }

  private next (): Token {
    const token = this.peek()
    if (token.type !== 'end') this.index++
    return token
  }

  private isOperator (operator: string): boolean {
    const token = this.peek()
    return token.type === 'operator' && token.value === operator
  }

  private expectOperator (operator: string, what: string): Token {
    const token = this.peek()
    if (token.type !== 'operator' || token.value !== operator) throw new ExpressionSyntaxError(`expected ${what}, found ${describeToken(token)}`, token.start)
    return this.next()
  }

  private enter (at: number): void {
    if (++this.depth > MAX_NESTING_DEPTH) throw new ExpressionSyntaxError(`nested deeper than ${MAX_NESTING_DEPTH}`, at)
  }

  expectEnd (): void {
    const token = this.peek()
    if (token.type !== 'end') throw new ExpressionSyntaxError(`unexpected ${describeToken(token)}`, token.start)
  }

  expression (): ExpressionNode {
    let left = this.and()
    while (this.isOperator('||')) {
      this.next()
      const right = this.and()
      left = { kind: 'logical', operator: '||', left, right, start: left.start, end: right.end }
    }
    return left
  }

  private and (): ExpressionNode {
    let left = this.comparison()
    while (this.isOperator('&&')) {
      this.next()
      const right = this.comparison()
      left = { kind: 'logical', operator: '&&', left, right, start: left.start, end: right.end }
    }
    return left
  }

  private comparison (): ExpressionNode {
    const left = this.unary()
    const token = this.peek()
    if (token.type !== 'operator' || !COMPARISONS.includes(token.value as string)) return left
    this.next()
    const right = this.unary()
    const after = this.peek()
    if (after.type === 'operator' && COMPARISONS.includes(after.value as string)) {
      throw new ExpressionSyntaxError('comparisons do not chain; use && between them', after.start)
    }
    return { kind: 'comparison', operator: token.value as ComparisonOperator, left, right, start: left.start, end: right.end }
  }

  private unary (): ExpressionNode {
    const token = this.peek()
    if (token.type === 'operator' && token.value === '!') {
      this.next()
      this.enter(token.start)
      const operand = this.unary()
      this.depth--
      return { kind: 'not', operand, start: token.start, end: operand.end }
    }
    return this.primary()
  }

  private primary (): ExpressionNode {
    const token = this.next()
    switch (token.type) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, start: token.start, end: token.end }
      case 'name':
        return this.named(token)
      case 'operator':
        if (token.value === '(') {
          this.enter(token.start)
          const inner = this.expression()
          this.depth--
          const close = this.expectOperator(')', "')'")
          return { ...inner, start: token.start, end: close.end }
        }
    }
    throw new ExpressionSyntaxError(`expected a value, found ${describeToken(token)}`, token.start)
  }

  private named (token: Token): ExpressionNode {
    const name = token.value as string
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', start: token.start, end: token.end }
    if (name === 'null') return { kind: 'literal', value: null, start: token.start, end: token.end }
    if (name === 'steps' || name === 'inputs' || name === 'item') return this.reference(name, token)
    if (isForbidden(name)) throw new ExpressionSyntaxError(`'${name}' is not a step name`, token.start)
    // Anything else is a step name, and a step is only ever tested for its status.
    if (!this.isOperator('.')) {
      throw new ExpressionSyntaxError(`expected ${name}.Succeeded (or another status), steps.…, inputs.…, item or a literal after '${name}'`, token.end)
    }
    this.next()
    const predicate = this.next()
    if (predicate.type !== 'name' || !(STATUS_PREDICATES as readonly string[]).includes(predicate.value as string)) {
      throw new ExpressionSyntaxError(`expected a status after '${name}.' (${STATUS_PREDICATES.join(', ')}), found ${describeToken(predicate)}`, predicate.start)
    }
    return { kind: 'status', step: name, predicate: predicate.value as StatusPredicate, start: token.start, end: predicate.end }
  }

  private reference (root: ReferenceNode['root'], token: Token): ReferenceNode {
    const path: PathSegment[] = []
    let end = token.end
    while (this.isOperator('.') || this.isOperator('[')) {
      const open = this.next()
      if (path.length >= MAX_NESTING_DEPTH) throw new ExpressionSyntaxError(`a reference is limited to ${MAX_NESTING_DEPTH} members`, open.start)
      const key = this.next()
      if (open.value === '.') {
        if (key.type !== 'name') {
          const hint = key.type === 'number' ? ' (write [0] for an index)' : ''
          throw new ExpressionSyntaxError(`expected a name after '.', found ${describeToken(key)}${hint}`, key.start)
        }
        end = key.end
      } else {
        const isIndex = key.type === 'number' && Number.isSafeInteger(key.value) && (key.value as number) >= 0
        if (key.type !== 'string' && !isIndex) throw new ExpressionSyntaxError(`expected a quoted name or an index in '[…]', found ${describeToken(key)}`, key.start)
        end = this.expectOperator(']', "']'").end
      }
      if (typeof key.value === 'string' && isForbidden(key.value)) throw new ExpressionSyntaxError(`'${key.value}' cannot be read`, key.start)
      path.push({ key: key.value, start: key.start })
    }
    return { kind: 'reference', root, path, start: token.start, end }
  }
}

function checkLength (text: string): void {
  if (text.length > MAX_EXPRESSION_LENGTH) throw new ExpressionSyntaxError(`longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH)
}

/** A literal that can never be a boolean, where a boolean is needed. */
function checkBoolean (node: ExpressionNode): void {
  if (node.kind === 'literal' && typeof node.value !== 'boolean') {
    throw new ExpressionSyntaxError(`expected a condition, found ${JSON.stringify(node.value)}`, node.start)
  }
  if (node.kind === 'not') checkBoolean(node.operand)
  if (node.kind === 'logical') {
    checkBoolean(node.left)
    checkBoolean(node.right)
  }
}

/**
 * Parses a `depends` or `when` expression. Throws ExpressionSyntaxError with
 * the offset of the first thing it cannot read.
 */
export function parseExpression (text: string): ExpressionNode {
  checkLength(text)
  const parser = new Parser(tokenize(text))
  const node = parser.expression()
  parser.expectEnd()
  for (const part of walkExpression(node)) {
    if (part.kind === 'reference') checkReferenceShape(part, 'expression')
  }
  checkBoolean(node)
  return node
}

/** Parses a lone reference (the inside of `${{ … }}`, or a `forEach` string) and checks it suits `use`. */
export function parseReference (text: string, use: ReferenceUse): ReferenceNode {
  checkLength(text)
  const tokens = tokenize(text)
  const first = tokens[0] as Token
  if (first.type !== 'name' || !['steps', 'inputs', 'item'].includes(first.value as string)) {
    throw new ExpressionSyntaxError(`expected steps.…, inputs.… or item, found ${describeToken(first)}`, first.start)
  }
  const parser = new Parser(tokens)
  const node = parser.expression()
  parser.expectEnd()
  if (node.kind !== 'reference') throw new ExpressionSyntaxError('expected a single reference, not an expression', node.start)
  checkReferenceShape(node, use)
  return node
}

/** True when `name` may name a step or an input: not reserved, not a prototype key. */
export function isUsableName (name: string): boolean {
  return !(RESERVED_NAMES as readonly string[]).includes(name) && !isForbidden(name)
}

/** Every node of an expression, depth first. */
export function * walkExpression (node: ExpressionNode): Generator<ExpressionNode> {
  yield node
  if (node.kind === 'not') yield * walkExpression(node.operand)
  if (node.kind === 'logical' || node.kind === 'comparison') {
    yield * walkExpression(node.left)
    yield * walkExpression(node.right)
  }
}
