import { ToolInputError, type ToolContext } from './tool.js';
import { ToolsService } from './tools.service.js';

const context: ToolContext = { ownerId: 'o', runId: 'r', signal: new AbortController().signal };
const clientTool = { name: 'ask_user', description: 'Ask the user', parameters: { type: 'object', properties: { q: { type: 'string' } } } };

describe('ToolsService', () => {
  const registry = new ToolsService({ httpAllowlist: [], clock: () => new Date('2024-01-01T00:00:00Z') });

  it('lists the built-ins', () => {
    expect(registry.builtinNames()).toEqual(['current_time', 'calculator', 'http_get']);
  });

  it('resolves builtin refs and reports the rest as unavailable', async () => {
    const { tools, unavailable } = registry.forAgent([
      { kind: 'builtin', name: 'calculator' },
      { kind: 'builtin', name: 'current_time' },
      { kind: 'builtin', name: 'calculator' },
      { kind: 'builtin', name: 'teleport' },
      { kind: 'mcp', name: 'github', refId: 'srv-1' },
      { kind: 'registry', name: 'weather', refId: 'tool-1' },
      { kind: 'integration', name: 'send_email', provider: 'gmail' },
    ]);
    expect(tools.map((t) => [t.name, t.location])).toEqual([
      ['calculator', 'server'],
      ['current_time', 'server'],
    ]);
    expect(unavailable).toEqual([
      { kind: 'builtin', name: 'teleport', reason: 'unknown builtin tool "teleport"' },
      { kind: 'mcp', name: 'github', reason: 'mcp tools are not available yet' },
      { kind: 'registry', name: 'weather', reason: 'registry tools are not available yet' },
      { kind: 'integration', name: 'send_email', reason: 'integration tools are not available yet' },
    ]);
    expect(JSON.parse(await tools[1].execute({}, context)).iso).toBe('2024-01-01T00:00:00.000Z');
  });

  it('passes the http options on', async () => {
    const [httpGet] = registry.forAgent([{ kind: 'builtin', name: 'http_get' }]).tools;
    await expect(httpGet.execute({ url: 'http://example.com/' }, context)).rejects.toThrow(/http_get is disabled/);
    const [allowed] = new ToolsService({ httpAllowlist: ['example.com'] }).forAgent([{ kind: 'builtin', name: 'http_get' }]).tools;
    await expect(allowed.execute({ url: 'http://other.example/' }, context)).rejects.toThrow(/not in the allowlist/);
  });

  it('adds client tools that never run on the server', async () => {
    const { tools } = registry.forAgent([{ kind: 'builtin', name: 'calculator' }], [clientTool]);
    const client = tools[1];
    expect(client).toMatchObject({ ...clientTool, location: 'client' });
    await expect(client.execute({}, context)).rejects.toThrow(/client tool/);
    await expect(client.execute({}, context)).rejects.not.toThrow(ToolInputError);
  });

  it('rejects client tools that clash, repeat or are malformed', () => {
    expect(() => registry.forAgent([{ kind: 'builtin', name: 'calculator' }], [{ ...clientTool, name: 'calculator' }])).toThrow(
      new ToolInputError('client tool "calculator" clashes with the agent\'s server tool of the same name'),
    );
    expect(() => registry.forAgent([], [clientTool, clientTool])).toThrow(/"ask_user" is defined twice/);
    expect(() => registry.forAgent([], [{ ...clientTool, name: 'has space' }])).toThrow(ToolInputError);
    expect(() => registry.forAgent([], [{ ...clientTool, parameters: null as unknown as Record<string, unknown> }])).toThrow(
      /parameters must be a JSON Schema object/,
    );
  });

  it('allows a client tool named like a builtin the agent does not use', () => {
    const { tools } = registry.forAgent([], [{ ...clientTool, name: 'calculator' }]);
    expect(tools.map((t) => t.location)).toEqual(['client']);
  });
});
