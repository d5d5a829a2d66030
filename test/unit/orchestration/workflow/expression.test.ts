/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * The expression language: tokenizer and parser (precedence, positions of
 * errors, limits) and the evaluator (statuses, comparisons, no truthiness, no
 * way out of the context).
 */
import { describe, expect, it } from 'vitest'
import {
  ExpressionEvaluationError, ExpressionSyntaxError, MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH,
  evaluate, parseExpression, parseReference, parseTemplate
} from '../../../../src/orchestration/workflow/spec/index.ts'
import type { EvaluationContext, ExpressionNode } from '../../../../src/orchestration/workflow/spec/index.ts'

/** The AST as a compact string, to check how it groups. */
function show (node: ExpressionNode): string {
  switch (node.kind) {
    case 'literal': return JSON.stringify(node.value)
    case 'status': return `${node.step}.${node.predicate}`
    case 'reference': return [node.root, ...node.path.map(segment => typeof segment.key === 'number' ? `[${segment.key}]` : segment.key)].join('.')
    case 'not': return `!${show(node.operand)}`
    case 'logical':
    case 'comparison': return `(${show(node.left)} ${node.operator} ${show(node.right)})`
  }
}

function syntaxError (text: string): ExpressionSyntaxError {
  try {
    parseExpression(text)
  } catch (err) {
    expect((err as Error).name).toBe(ExpressionSyntaxError.name)
    return err as ExpressionSyntaxError
  }
  throw new Error(`parsed: ${text}`)
}

function evaluationError (text: string, context: EvaluationContext): ExpressionEvaluationError {
  try {
    evaluate(parseExpression(text), context)
  } catch (err) {
    expect((err as Error).name).toBe(ExpressionEvaluationError.name)
    return err as ExpressionEvaluationError
  }
  throw new Error(`evaluated: ${text}`)
}

describe('parseExpression', () => {
  it.each([
    ['a.Succeeded || b.Succeeded && c.Failed', '(a.Succeeded || (b.Succeeded && c.Failed))'],
    ['(a.Succeeded || b.Succeeded) && c.Failed', '((a.Succeeded || b.Succeeded) && c.Failed)'],
    ['!a.Succeeded && b.Skipped', '(!a.Succeeded && b.Skipped)'],
    ['!!a.Errored', '!!a.Errored'],
    ['a.Succeeded && b.Succeeded && c.Succeeded', '((a.Succeeded && b.Succeeded) && c.Succeeded)'],
    ['steps.count.json.total > 10 && x-1.Completed', '((steps.count.json.total > 10) && x-1.Completed)'],
    ['!a.Failed == true', '(!a.Failed == true)'],
    ['steps.s.json.list[0]["a b"] >= -1.5e2', '(steps.s.json.list.[0].a b >= -150)'],
    ["inputs.mode == 'fast' || item.size < 3", '((inputs.mode == "fast") || (item.size < 3))'],
    ['fan.AnySucceeded || fan.AllFailed', '(fan.AnySucceeded || fan.AllFailed)'],
    ['steps.a.stdout != "x\\ny\\u0041"', '(steps.a.stdout != "x\\nyA")'],
    ['true', 'true'],
    ['null == steps.a.json.v', '(null == steps.a.json.v)']
  ])('%s groups as %s', (text, expected) => {
    expect(show(parseExpression(text))).toBe(expected)
  })

  it('records where each node starts and ends', () => {
    const node = parseExpression('  a.Succeeded && steps.b.json.n > 2')
    expect(node).toMatchObject({ kind: 'logical', start: 2, end: 35 })
    if (node.kind !== 'logical') throw new Error('not logical')
    expect(node.left).toMatchObject({ kind: 'status', start: 2, end: 13 })
    expect(node.right).toMatchObject({ kind: 'comparison', start: 17 })
  })

  it.each([
    ['a.Succeeded &&', 14, /expected a value/],
    ['a.Succeeded & b.Failed', 12, /did you mean '&&'/],
    ['a.Succeeded = b.Failed', 12, /did you mean '=='/],
    ['a.Succeeded || b.Finished', 17, /expected a status/],
    ['a', 1, /expected a.Succeeded/],
    ['(a.Succeeded', 12, /expected '\)'/],
    ['a.Succeeded)', 11, /unexpected '\)'/],
    ['steps.a.json.x > 1 > 0', 19, /do not chain/],
    ['"open', 0, /unterminated string/],
    ["'\\q'", 1, /unknown escape/],
    ['steps.a.json.0', 13, /write \[0\] for an index/],
    ['steps.a.json[-1]', 13, /quoted name or an index/],
    ['steps.a.json[1.5]', 13, /quoted name or an index/],
    ['steps.a.bogus', 8, /expected \.stdout, \.json after steps\.a/],
    ['steps.a.files["x"] == "y"', 8, /expected \.stdout, \.json/],
    ['steps.a.stdout.x == "y"', 15, /has no members/],
    ['steps', 5, /expected a name after steps\./],
    ['a.Succeeded && 3', 15, /expected a condition/],
    ['"yes"', 0, /expected a condition/],
    ['12abc', 2, /after a number/],
    ['a.Succeeded # comment', 12, /unexpected '#'/]
  ])('refuses %j at offset %i', (text, position, message) => {
    const err = syntaxError(text)
    expect(err.position).toBe(position)
    expect(err.reason).toMatch(message)
    expect(err.message).toContain(`at character ${position + 1}`)
  })

  it.each([
    ['steps.a.json.constructor', 13],
    ['steps.a.json.__proto__ == 1', 13],
    ['steps.a.json["prototype"] == 1', 13],
    ['item.constructor.name == "Object"', 5],
    ['constructor.Succeeded', 0],
    ['__proto__.Succeeded', 0]
  ])('refuses the prototype key in %j', (text, position) => {
    const err = syntaxError(text)
    expect(err.position).toBe(position)
  })

  it('refuses an expression longer than the limit, and accepts one at it', () => {
    const atLimit = `a.Succeeded${' '.repeat(MAX_EXPRESSION_LENGTH - 11)}`
    expect(atLimit).toHaveLength(MAX_EXPRESSION_LENGTH)
    expect(parseExpression(atLimit).kind).toBe('status')
    expect(syntaxError(`${atLimit} `).reason).toMatch(/longer than 512/)
  })

  it('refuses nesting deeper than the limit', () => {
    const nested = (depth: number): string => `${'('.repeat(depth)}a.Succeeded${')'.repeat(depth)}`
    expect(parseExpression(nested(MAX_NESTING_DEPTH)).kind).toBe('status')
    expect(syntaxError(nested(MAX_NESTING_DEPTH + 1)).position).toBe(MAX_NESTING_DEPTH)
    expect(syntaxError(`${'!'.repeat(MAX_NESTING_DEPTH + 1)}a.Succeeded`).position).toBe(MAX_NESTING_DEPTH)
  })
})

describe('parseReference and parseTemplate', () => {
  it('reads a forEach reference by where it is used', () => {
    expect(parseReference('steps.split.stdout.lines', 'forEach').path.map(segment => segment.key)).toEqual(['split', 'stdout', 'lines'])
    expect(() => parseReference('steps.split.stdout', 'forEach')).toThrow(/stdout\.lines/)
    expect(() => parseReference('item', 'forEach')).toThrow(/cannot iterate over item/)
    expect(() => parseReference('steps.a.items', 'expression')).toThrow(ExpressionSyntaxError)
    expect(() => parseReference('a.Succeeded', 'template')).toThrow(/expected steps/)
    expect(() => parseReference('steps.a.json.x == 1', 'template')).toThrow(/single reference/)
  })

  it('splits text and references, with offsets in the whole string', () => {
    const parts = parseTemplate('--in=${{ steps.a.files["out.json"] }} and ${{item.x}}!')
    expect(parts).toHaveLength(5)
    expect(parts[0]).toBe('--in=')
    expect(parts[1]).toMatchObject({ kind: 'reference', root: 'steps', start: 9 })
    expect(parts[2]).toBe(' and ')
    expect(parts[3]).toMatchObject({ kind: 'reference', root: 'item', start: 45 })
    expect(parts[4]).toBe('!')
    expect(parseTemplate('no templates')).toEqual(['no templates'])
  })

  it('places a template error in the whole string', () => {
    const error = (text: string): ExpressionSyntaxError => {
      try {
        parseTemplate(text)
      } catch (err) {
        return err as ExpressionSyntaxError
      }
      throw new Error('parsed')
    }
    expect(error('abc ${{ steps.a.bogus }}')).toMatchObject({ name: 'ExpressionSyntaxError', position: 16 })
    expect(error('abc ${{ steps.a.stdout')).toMatchObject({ position: 4, reason: "'${{' without '}}'" })
    expect(error('${{   }}')).toMatchObject({ position: 0 })
    expect(error('${{ steps.a.items[0] }}').position).toBe(18)
  })
})

describe('evaluate', () => {
  const context: EvaluationContext = {
    steps: {
      a: { phase: 'Succeeded', stdout: 'hello', json: { total: 12, name: 'x', ok: true, list: [1, { deep: 'y' }], nothing: null } },
      b: { phase: 'Failed' },
      c: { phase: 'Skipped' },
      d: { phase: 'Errored' },
      p: { phase: 'Pending' },
      fan: { phase: 'Succeeded', items: ['Failed', 'Succeeded'] },
      lost: { phase: 'Failed', items: ['Failed', 'Failed'] }
    },
    inputs: { mode: 'fast', limits: { n: 3 } },
    item: { size: 2 }
  }
  const run = (text: string): boolean => evaluate(parseExpression(text), context)

  it.each([
    ['a.Succeeded', true], ['b.Failed', true], ['c.Skipped', true], ['d.Errored', true],
    ['a.Completed', true], ['b.Completed', true], ['c.Completed', false], ['d.Completed', false], ['p.Completed', false],
    ['p.Succeeded || p.Failed || p.Skipped || p.Errored', false],
    ['fan.AnySucceeded', true], ['fan.AllFailed', false], ['lost.AllFailed', true], ['lost.AnySucceeded', false],
    ['!a.Succeeded', false],
    ['b.Succeeded || a.Succeeded && c.Skipped', true],
    ['(b.Succeeded || a.Succeeded) && b.Skipped', false],
    ['steps.a.json.total > 10', true], ['steps.a.json.total <= 11', false], ['steps.a.json.total == 12', true],
    ['steps.a.json.total != 12', false], ['steps.a.json.total >= 12', true], ['steps.a.json.total < 12.5', true],
    ['steps.a.json.name == "x"', true], ['steps.a.json.name < "y"', true], ['steps.a.stdout == "hello"', true],
    ['steps.a.json.ok', true], ['steps.a.json.ok == true', true], ['steps.a.json.nothing == null', true],
    ['steps.a.json.list[1].deep == "y"', true], ['steps.a.json.list[0] == "1"', false],
    ['inputs.mode == "fast"', true], ['inputs.limits.n == 3', true], ['item.size < inputs.limits.n', true]
  ])('%s is %s', (text, expected) => {
    expect(run(text)).toBe(expected)
  })

  it('short-circuits, so a missing output behind a failed test is not read', () => {
    expect(run('b.Succeeded && steps.b.json.total > 1')).toBe(false)
    expect(run('a.Succeeded || steps.b.json.total > 1')).toBe(true)
  })

  it.each([
    ['steps.a.json.total > "10"', 0, /two numbers or two strings/],
    ['steps.a.json.ok < true', 0, /two numbers or two strings/],
    ['steps.a.json.list == 1', 0, /cannot compare an array/],
    ['steps.a.json.total', 0, /expected true or false/],
    ['steps.a.json.total && a.Succeeded', 0, /expected true or false/],
    ['!steps.a.json.name', 1, /expected true or false/],
    ['steps.a.json.missing == 1', 13, /no member "missing"/],
    ['steps.a.json.toString == 1', 13, /no member "toString"/],
    ['steps.a.json.hasOwnProperty == 1', 13, /no member "hasOwnProperty"/],
    ['steps.a.json.list.length == 2', 18, /is an array/],
    ['steps.a.json.list[5] == 1', 18, /no item 5/],
    ['steps.a.json.name.length == 1', 18, /a string, which has no members/],
    ['steps.b.json.total == 1', 8, /not available/],
    ['zz.Succeeded', 0, /no step named zz/],
    ['steps.zz.stdout == ""', 6, /no step named zz/],
    ['inputs.other == 1', 7, /no member "other"/]
  ])('refuses %s at offset %i', (text, position, message) => {
    const err = evaluationError(text, context)
    expect(err.position).toBe(position)
    expect(err.reason).toMatch(message)
  })

  it('reads only own data: no prototype, no inherited members, no item outside forEach', () => {
    const withPrototype = { steps: { a: { phase: 'Succeeded' as const, json: Object.create({ secret: 1 }) as unknown } } }
    expect(evaluationError('steps.a.json.secret == 1', withPrototype).reason).toMatch(/has no members/)
    const notPlain = { steps: { a: { phase: 'Succeeded' as const, json: new Date(0) } } }
    expect(evaluationError('steps.a.json.getTime == 0', notPlain).reason).toMatch(/has no members/)
    expect(evaluationError('item == 1', {}).reason).toMatch(/only defined inside forEach/)
    expect(evaluationError('a.Succeeded', {}).reason).toMatch(/no step named a/)
    // A step called like an Object.prototype member is looked up as the context's own key, not inherited.
    expect(evaluationError('toString.Succeeded', { steps: {} }).reason).toMatch(/no step named toString/)
  })
})
