import { BUILTIN_TOOL_NAMES } from '#contracts';
import { ToolInputError, type Tool, type ToolContext } from './tool.js';
import type { ToolRequest, ToolSource } from './tool-source.js';
import { type ToolRef, ToolsService } from './tools.service.js';

const context: ToolContext = { ownerId: 'o', runId: 'r', signal: new AbortController().signal };
const clientTool = { name: 'ask_user', description: 'Ask the user', parameters: { type: 'object', properties: { q: { type: 'string' } } } };

function request(refs: ToolRef[], knowledgeBaseIds: string[] = []): ToolRequest {
  return { ownerId: 'o', runId: 'r', agentId: 'a', refs, knowledgeBaseIds };
}

function serverTool(name: string, answer: string): Tool {
  return { name, description: name, parameters: { type: 'object', properties: {} }, location: 'server', execute: () => Promise.resolve(answer) };
}

describe('ToolsService', () => {
  const registry = new ToolsService({ httpAllowlist: [], clock: () => new Date('2024-01-01T00:00:00Z') });

  it('lists the built-ins', () => {
    expect(registry.builtinNames()).toEqual(['current_time', 'calculator', 'http_get']);
    expect(registry.builtinNames()).toEqual([...BUILTIN_TOOL_NAMES]);
    expect(registry.builtin('calculator')?.name).toBe('calculator');
    expect(registry.builtin('teleport')).toBeUndefined();
  });

  it('resolves builtin refs and reports kinds no source serves as unavailable', async () => {
    const { tools, unavailable } = await registry.forAgent(
      request([
        { kind: 'builtin', name: 'calculator' },
        { kind: 'builtin', name: 'current_time' },
        { kind: 'builtin', name: 'calculator' },
        { kind: 'builtin', name: 'teleport' },
        { kind: 'mcp', name: 'github', refId: 'srv-1' },
        { kind: 'registry', name: 'weather', refId: 'tool-1' },
        { kind: 'integration', name: 'send_email', provider: 'gmail' },
      ]),
    );
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
    expect(JSON.parse((await tools[1].execute({}, context)) as string).iso).toBe('2024-01-01T00:00:00.000Z');
  });

  it('asks each registered source for its kinds only, and keeps the first tool of a name', async () => {
    const tools = new ToolsService({ httpAllowlist: [] });
    const asked: Array<{ refs: ToolRef[]; knowledgeBaseIds: string[] }> = [];
    const mcp: ToolSource = {
      kinds: ['mcp'],
      resolve: (req, refs) => {
        asked.push({ refs, knowledgeBaseIds: req.knowledgeBaseIds });
        return Promise.resolve({ tools: [serverTool('github_search', 'found'), serverTool('calculator', 'shadow')], unavailable: [{ kind: 'mcp', name: 'gitlab', reason: 'server down' }] });
      },
    };
    tools.addSource(mcp);
    const set = await tools.forAgent(
      request(
        [
          { kind: 'builtin', name: 'calculator' },
          { kind: 'mcp', name: 'github', refId: 'srv-1' },
          { kind: 'registry', name: 'weather', refId: 'tool-1' },
        ],
        ['kb-1'],
      ),
    );
    expect(asked).toEqual([{ refs: [{ kind: 'mcp', name: 'github', refId: 'srv-1' }], knowledgeBaseIds: ['kb-1'] }]);
    expect(set.tools.map((t) => t.name)).toEqual(['calculator', 'github_search']);
    expect(await set.tools[0].execute({ expression: '1+1' }, context)).toBe('2');
    expect(set.unavailable).toEqual([
      { kind: 'builtin', name: 'calculator', reason: 'another tool of the agent is already named "calculator"' },
      { kind: 'mcp', name: 'gitlab', reason: 'server down' },
      { kind: 'registry', name: 'weather', reason: 'registry tools are not available yet' },
    ]);
  });

  it('passes the http options on', async () => {
    const [httpGet] = (await registry.forAgent(request([{ kind: 'builtin', name: 'http_get' }]))).tools;
    await expect(httpGet.execute({ url: 'http://example.com/' }, context)).rejects.toThrow(/http_get is disabled/);
    const [allowed] = (await new ToolsService({ httpAllowlist: ['example.com'] }).forAgent(request([{ kind: 'builtin', name: 'http_get' }]))).tools;
    await expect(allowed.execute({ url: 'http://other.example/' }, context)).rejects.toThrow(/not in the allowlist/);
  });

  it('adds client tools that never run on the server', async () => {
    const { tools } = await registry.forAgent(request([{ kind: 'builtin', name: 'calculator' }]), [clientTool]);
    const client = tools[1];
    expect(client).toMatchObject({ ...clientTool, location: 'client' });
    await expect(client.execute({}, context)).rejects.toThrow(/client tool/);
    await expect(client.execute({}, context)).rejects.not.toThrow(ToolInputError);
  });

  it('rejects client tools that clash, repeat or are malformed', async () => {
    await expect(registry.forAgent(request([{ kind: 'builtin', name: 'calculator' }]), [{ ...clientTool, name: 'calculator' }])).rejects.toThrow(
      new ToolInputError('client tool "calculator" clashes with the agent\'s server tool of the same name'),
    );
    await expect(registry.forAgent(request([]), [clientTool, clientTool])).rejects.toThrow(/"ask_user" is defined twice/);
    await expect(registry.forAgent(request([]), [{ ...clientTool, name: 'has space' }])).rejects.toThrow(ToolInputError);
    await expect(registry.forAgent(request([]), [{ ...clientTool, parameters: null as unknown as Record<string, unknown> }])).rejects.toThrow(
      /parameters must be a JSON Schema object/,
    );
  });

  it('allows a client tool named like a builtin the agent does not use', async () => {
    const { tools } = await registry.forAgent(request([]), [{ ...clientTool, name: 'calculator' }]);
    expect(tools.map((t) => t.location)).toEqual(['client']);
  });
});
