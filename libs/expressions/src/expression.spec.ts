import { evaluate, ExpressionEvaluationError, ExpressionSyntaxError, parseExpression, pathsOf, type Scope } from './expression.js';
import { parseTemplate, renderTemplate, renderText, templatePaths } from './template.js';

const scope: Scope = {
  inputs: { topic: 'Solar power', count: 3, tags: ['energy', 'green'] },
  state: { score: 7, draft: 'Short text', items: [{ title: 'First' }, { title: 'Second' }], empty: '', nothing: null, meta: { lang: 'en' } },
  nodes: { research: { output: { answer: 'Sun', pages: 12 } } },
};
const run = (source: string) => evaluate(parseExpression(source), scope);
const syntaxError = (source: string) => {
  try {
    parseExpression(source);
    return 'parsed';
  } catch (err) {
    return err instanceof ExpressionSyntaxError ? err.message : `other: ${String(err)}`;
  }
};
const evaluationError = (source: string) => {
  try {
    run(source);
    return 'evaluated';
  } catch (err) {
    return err instanceof ExpressionEvaluationError ? err.message : `other: ${String(err)}`;
  }
};

describe('expressions', () => {
  it.each([
    ['state.score >= 7', true],
    ['state.score > 7 or inputs.count == 3', true],
    ['not (state.score < 5) && len(state.items) == 2', true],
    ['inputs.count * 2 + 1', 7],
    ['(inputs.count + 1) % 3', 1],
    ['-inputs.count', -3],
    ["inputs.topic + ' rocks'", 'Solar power rocks'],
    ["'score: ' + state.score", 'score: 7'],
    ['state.items[1].title', 'Second'],
    ['state.items[-1].title', 'Second'],
    ["state.meta['lang']", 'en'],
    ['state.items[inputs.count - 3].title', 'First'],
    ['nodes.research.output.pages', 12],
    ['state.missing.deeper', null],
    ["'energy' in inputs.tags", true],
    ["'wind' in inputs.topic", false],
    ["'lang' in state.meta", true],
    ["lower(inputs.topic) == 'solar power'", true],
    ["contains(inputs.tags, 'green')", true],
    ["default(state.empty, 'fallback')", 'fallback'],
    ['exists(state.nothing)', false],
    ["number('4.5') + 1", 5.5],
    ['round(10 / 3, 2)', 3.33],
    ['max(1, state.score, 4)', 7],
    ["join(inputs.tags, ' & ')", 'energy & green'],
    ["split('a,b', ',')", ['a', 'b']],
    ['keys(state.meta)', ['lang']],
    ['[1, 2] == [1, 2]', true],
  ])('%s', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('short-circuits: the right side of a decided and/or is not evaluated', () => {
    expect(run('false and 1 / 0 == 1')).toBe(false);
    expect(run('true or 1 / 0 == 1')).toBe(true);
  });

  it.each([
    ['state.score >', /ends too early at character 14/],
    ['state.score >= 7)', /unexpected "\)" at character 17/],
    ['eval("x")', /unknown function "eval"/],
    ['constructor', /unknown name "constructor"/],
    ['process.env', /unknown name "process"/],
    ["'open", /unterminated text/],
    ['len(1, 2)', /len\(\) takes 1 argument/],
    ['state.x ; 1', /unexpected ";"/],
    ['', /empty/],
    ['state.meta == {}', /unexpected "{"/],
    ['('.repeat(100) + '1' + ')'.repeat(100), /nested more than 64 deep/],
    ['1 + '.repeat(2000) + '1', /longer than 4000 characters/],
  ])('refuses %s', (source, message) => {
    expect(syntaxError(source)).toMatch(message);
  });

  it.each([
    ["inputs.topic < 3", /compares two numbers or two texts, got text and a number/],
    ['1 / 0', /division by zero/],
    ['state.draft * 2', /needs numbers, got text/],
    ["number('abc')", /cannot read text as a number/],
    ['keys(inputs.tags)', /keys\(\) needs an object, got a list/],
  ])('fails to evaluate %s with a reason', (source, message) => {
    expect(evaluationError(source)).toMatch(message);
  });

  it('never reaches a prototype or an inherited property', () => {
    expect(run('state.meta.constructor')).toBeNull();
    expect(run("state.meta['__proto__']")).toBeNull();
    expect(run('state.items.length')).toBeNull();
    expect(run("inputs['toString']")).toBeNull();
  });

  it('lists the fixed paths an expression reads, and those of its computed indexes', () => {
    expect(pathsOf(parseExpression("state.items[0].title == inputs.topic and nodes.research.output.pages[state.score] > 1"))).toEqual([
      ['state', 'items', 0, 'title'],
      ['inputs', 'topic'],
      ['nodes', 'research', 'output', 'pages'],
      ['state', 'score'],
    ]);
  });
});

describe('templates', () => {
  it('interpolates holes as text, and gives one whole hole its typed value', () => {
    expect(renderTemplate(parseTemplate('Write about {{ inputs.topic }} in {{inputs.count}} lines.'), scope)).toBe('Write about Solar power in 3 lines.');
    expect(renderTemplate(parseTemplate('{{ inputs.count }}'), scope)).toBe(3);
    expect(renderTemplate(parseTemplate('{{ state.items }}'), scope)).toEqual([{ title: 'First' }, { title: 'Second' }]);
    expect(renderText(parseTemplate('{{ state.items[0] }} and {{ state.nothing }}.'), scope)).toBe('{"title":"First"} and .');
    expect(renderTemplate(parseTemplate('no holes'), scope)).toBe('no holes');
    expect(renderTemplate(parseTemplate(''), scope)).toBe('');
  });

  it('names where a bad hole is in the whole template', () => {
    expect(() => parseTemplate('Hi {{ inputs.topic + }}')).toThrow(/at character 22/);
    expect(() => parseTemplate('Hi {{ inputs.topic')).toThrow(/never closed/);
  });

  it('lists the paths its holes read', () => {
    expect(templatePaths(parseTemplate('{{ inputs.topic }}: {{ state.draft }}'))).toEqual([
      ['inputs', 'topic'],
      ['state', 'draft'],
    ]);
  });
});
