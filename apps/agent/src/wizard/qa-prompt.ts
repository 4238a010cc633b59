/**
 * The Q&A wizard's template (seed 001): three answers become a system prompt. Deterministic on
 * purpose, so the same answers always give the same prompt, a user can predict what editing an
 * answer does, and a model (when refinement is asked for) only ever polishes a readable draft.
 *
 * The shape:
 *
 *   You are <name>: <who, as written>     (or "You are <who>" when "who" starts with the name,
 *                                          as in "Charlie, a support agent", so it is not said twice)
 *
 *   ## Rules you always follow
 *   1. <one rule per line of "rules">
 *
 *   ## What you can do
 *   - <one tool or skill per line of "tricks">       (or a sentence saying there are none)
 *
 *   ## How you answer
 *   - three fixed lines on staying in role, refusing politely and admitting uncertainty
 *
 * Answers are split into lines; leading list markers ("-", "*", "•", "1.", "2)") and blank lines
 * are dropped, and whitespace inside a line is collapsed. Nothing else is rewritten.
 */
export interface QaInput {
  name: string;
  who: string;
  rules: string;
  tricks: string;
}

const MARKER = /^\s*(?:[-*•]|\d{1,3}[.)])\s+/;

export function answerLines(answer: string): string[] {
  return answer
    .split(/\r?\n/)
    .map((line) => line.replace(MARKER, '').replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0);
}

export function draftSystemPrompt(input: QaInput): string {
  const who = answerLines(input.who).join(' ');
  const rules = answerLines(input.rules);
  const tricks = answerLines(input.tricks);
  const opening = startsWithName(who, input.name) ? `You are ${who}` : `You are ${input.name}: ${who}`;
  const lines = [opening, '', '## Rules you always follow', ...rules.map((rule, i) => `${i + 1}. ${rule}`), '', '## What you can do'];
  if (tricks.length === 0) lines.push('- You have no tools: answer from the conversation and what you know.');
  else lines.push(...tricks.map((trick) => `- ${trick}`));
  lines.push(
    '',
    '## How you answer',
    `- Stay in your role as ${input.name}.`,
    '- If a request would break one of your rules, say so politely and offer what you can do instead.',
    '- When you are not sure, say so instead of guessing.',
  );
  return lines.join('\n');
}

/**
 * A name when the user gave none: the words of "who" before the first comma, dash, colon or
 * full stop ("Charlie, a friendly support agent" -> "Charlie"), at most 60 characters.
 */
export function nameFromWho(who: string): string {
  const first = answerLines(who)[0] ?? '';
  const head = first.split(/[,:.;]|\s[-–—]\s/)[0].trim();
  const name = (head.length > 0 ? head : first).slice(0, 60).trim();
  return name.length > 0 ? name : 'New agent';
}

function startsWithName(who: string, name: string): boolean {
  if (!who.toLowerCase().startsWith(name.toLowerCase())) return false;
  const next = who.charAt(name.length);
  return next === '' || /[\s,:;.–—-]/.test(next);
}
