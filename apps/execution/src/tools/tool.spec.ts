import { CalculatorTool } from './calculator.tool.js';
import { ToolInputError, toOpenAiTool } from './tool.js';
import { validateArgs } from './validate-args.js';

describe('toOpenAiTool', () => {
  it('wraps a definition in the function-tool shape', () => {
    const parameters = { type: 'object', properties: {} };
    expect(toOpenAiTool({ name: 'x', description: 'd', parameters })).toEqual({
      type: 'function',
      function: { name: 'x', description: 'd', parameters },
    });
  });
});

describe('validateArgs', () => {
  const tool = {
    name: 't',
    parameters: {
      type: 'object',
      properties: {
        s: { type: 'string' },
        n: { type: 'number' },
        i: { type: 'integer' },
        b: { type: 'boolean' },
        o: { type: 'object' },
        a: { type: 'array' },
        maybe: { type: ['string', 'null'] },
        free: {},
      },
      required: ['s', 'i'],
    },
  };

  it('accepts matching arguments and returns them', () => {
    const args = { s: 'x', n: 1.5, i: 2, b: false, o: {}, a: [], maybe: null, free: 3, extra: true };
    expect(validateArgs(tool, args)).toBe(args);
  });

  it('lists every problem', () => {
    expect(() => validateArgs(tool, { i: 1.5, n: 'x', b: 'no', o: [], a: {}, maybe: 1 })).toThrow(
      't: invalid arguments: missing required property "s"; property "i" must be integer; property "n" must be number; ' +
        'property "b" must be boolean; property "o" must be object; property "a" must be array; property "maybe" must be string or null',
    );
  });

  it('rejects non-object arguments and unknown properties when the schema forbids them', () => {
    expect(() => validateArgs(tool, [])).toThrow(ToolInputError);
    expect(() => validateArgs(new CalculatorTool(), { expression: '1', x: 1 })).toThrow(/unknown property "x"/);
  });
});
