// AssemblyScript sample: lexicon-based sentiment. Each lexicon word scores ±1;
// a negator within the two preceding words flips the sign ("not good" is -1).
import { readAllStdin, decodeUtf8 } from '../shared/io'
import { words } from '../shared/words'

const POSITIVE: string[] = [
  'good', 'great', 'excellent', 'amazing', 'awesome', 'wonderful', 'fantastic', 'love',
  'loved', 'like', 'liked', 'happy', 'glad', 'joy', 'delight', 'delightful', 'pleasant',
  'nice', 'best', 'better', 'beautiful', 'brilliant', 'superb', 'perfect', 'fast',
  'easy', 'reliable', 'helpful', 'friendly', 'impressive', 'enjoy', 'enjoyed', 'win',
  'success', 'successful', 'fun', 'clean', 'smooth', 'recommend', 'thanks'
]

const NEGATIVE: string[] = [
  'bad', 'terrible', 'awful', 'horrible', 'poor', 'worst', 'worse', 'hate', 'hated',
  'dislike', 'sad', 'angry', 'annoying', 'annoyed', 'boring', 'broken', 'bug', 'buggy',
  'slow', 'ugly', 'useless', 'difficult', 'hard', 'fail', 'failed', 'failure', 'crash',
  'crashed', 'problem', 'wrong', 'disappointing', 'disappointed', 'painful', 'confusing',
  'unreliable', 'expensive', 'lose', 'lost', 'mess', 'never'
]

const NEGATORS: string[] = ['not', 'no', "don't", "doesn't", "didn't", "isn't", "wasn't", "can't", "won't", 'hardly']

/** How many preceding words a negator reaches. */
const NEGATION_WINDOW = 2

const lexicon = new Map<string, i32>()
for (let i = 0; i < POSITIVE.length; i++) lexicon.set(POSITIVE[i], 1)
for (let i = 0; i < NEGATIVE.length; i++) lexicon.set(NEGATIVE[i], -1)
const negators = new Set<string>()
for (let i = 0; i < NEGATORS.length; i++) negators.add(NEGATORS[i])

const tokens = words(decodeUtf8(readAllStdin()))
let score = 0
let positive = 0
let negative = 0
let lastNegator = -NEGATION_WINDOW - 1
for (let i = 0; i < tokens.length; i++) {
  const w = tokens[i]
  if (negators.has(w)) {
    lastNegator = i
    continue
  }
  if (!lexicon.has(w)) continue
  const value = i - lastNegator <= NEGATION_WINDOW ? -lexicon.get(w) : lexicon.get(w)
  score += value
  if (value > 0) positive++
  else negative++
}

const label = score > 0 ? 'positive' : (score < 0 ? 'negative' : 'neutral')
process.stdout.write(
  'score: ' + score.toString() + '\n' +
  'positive words: ' + positive.toString() + '\n' +
  'negative words: ' + negative.toString() + '\n' +
  'words: ' + tokens.length.toString() + '\n' +
  'label: ' + label + '\n'
)
