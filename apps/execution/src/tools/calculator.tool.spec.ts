import { CalculatorTool, evaluateExpression } from './calculator.tool.js';
import { ToolInputError, type ToolContext } from './tool.js';

const context: ToolContext = { ownerId: 'o', runId: 'r', signal: new AbortController().signal };
const calc = (expression: unknown) => new CalculatorTool().execute({ expression }, context);

describe('calculator', () => {
  it.each([
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['10 / 4', '2.5'],
    ['10 % 4', '2'],
    ['2 ^ 3 ^ 2', '512'],
    ['-2 ^ 2', '-4'],
    ['2 ^ -1', '0.5'],
    ['--3', '3'],
    ['-(2 + 3)', '-5'],
    ['1.5e3 + .5', '1500.5'],
    ['2E-2', '0.02'],
    ['0.1 + 0.2', '0.3'],
    ['pi', '3.14159265358979'], // 15 significant digits by design,
    ['e', '2.71828182845905'],
    ['2e', undefined],
    ['sqrt(16) + abs(-3)', '7'],
    ['min(3, 1, 2) + max(4, 9)', '10'],
    ['round(2.5) + floor(2.7) + ceil(2.1)', '8'],
    ['sin(0) + cos(0) + tan(0)', '1'],
    ['log(1000)', '3'],
    ['ln(e)', '1'],
    ['exp(0)', '1'],
    ['SQRT(4) * PI / pi', '2'],
    ['-0 * 1', '0'],
  ])('%s = %s', async (expression, expected) => {
    if (expected === undefined) await expect(calc(expression)).rejects.toThrow(ToolInputError);
    else await expect(calc(expression)).resolves.toBe(expected);
  });

  it.each([
    ['1 / 0', /division by zero at position 3/],
    ['1 % (2 - 2)', /modulo by zero at position 3/],
    ['foo + 1', /unknown name "foo" at position 1/],
    ['constructor', /unknown name "constructor"/],
    ['bar(1)', /unknown function "bar" at position 1/],
    ['sqrt', /needs arguments/],
    ['sqrt(1, 2)', /sqrt\(\) at position 1 takes 1 argument/],
    ['max()', /takes at least 1 argument/],
    ['(1 + 2', /missing "\)" to close "\(" at position 1, found end of expression/],
    ['1 + * 2', /expected a number, name or "\(" but found "\*" at position 5/],
    ['1 2', /unexpected "2" at position 3/],
    ['2 $ 3', /unexpected character "\$" at position 3/],
    ['.', /malformed number at position 1/],
    ['sqrt(-1)', /sqrt\(-1\) at position 1 gives an undefined result/],
    ['10 ^ 400', /gives an infinite result/],
    ['log(0)', /infinite result/],
    ['', /expression is empty/],
    ['1+'.repeat(250) + '1', /longer than 500 characters/],
  ])('rejects %s', async (expression, message) => {
    const result = calc(expression);
    await expect(result).rejects.toThrow(ToolInputError);
    await expect(result).rejects.toThrow(message);
  });

  it('rejects a non-string expression', async () => {
    await expect(calc(42)).rejects.toThrow(/"expression" must be a string/);
  });

  it('never uses eval: code-looking input is just bad syntax', () => {
    expect(() => evaluateExpression('process.exit(1)')).toThrow(ToolInputError);
    expect(() => evaluateExpression('this')).toThrow(/unknown name "this"/);
  });

  it('accepts an expression of exactly 500 characters', () => {
    expect(evaluateExpression('1+'.repeat(249) + '10')).toBe(259);
  });
});
