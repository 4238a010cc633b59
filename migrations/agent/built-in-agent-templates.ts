/**
 * The agent templates shipped with the platform, written once by the migration that creates the
 * templates table. A later change ships as a new version row in a new migration, never an edit
 * here, so agents created from version 1 keep meaning what they meant.
 */
export const BUILT_IN_AGENT_TEMPLATES = [
  {
    id: '019ab000-0000-7000-8000-000000000001',
    name: 'support_bot',
    body: {
      title: 'Support bot',
      description: 'Answers customer questions from your knowledge base and hands over to a person when it cannot help.',
      icon: 'life-buoy',
      color: '#0EA5E9',
      run: {
        agentType: 'assistive',
        modelProvider: 'openai',
        modelName: 'gpt-4o-mini',
        systemPrompt: [
          'You are a patient, friendly customer support agent.',
          '',
          '## Rules',
          '- Answer only from the knowledge base and the conversation; say so when you do not know.',
          '- Keep answers short and give numbered steps for procedures.',
          '- Never promise refunds, discounts or delivery dates.',
          '- Offer to hand over to a person when the customer is upset or asks for one.',
        ].join('\n'),
        tools: [{ kind: 'builtin', name: 'knowledge_search' }],
        knowledgeBaseIds: [],
        memory: { strategy: 'window', size: 20 },
        configuration: { temperature: 0.3, maxTokens: 800, limits: { maxSteps: 6, timeoutSeconds: 60 } },
      },
    },
  },
  {
    id: '019ab000-0000-7000-8000-000000000002',
    name: 'research_assistant',
    body: {
      title: 'Research assistant',
      description: 'Searches the web and your documents, compares sources and writes a cited summary.',
      icon: 'search',
      color: '#22C55E',
      run: {
        agentType: 'assistive',
        modelProvider: 'openai',
        modelName: 'gpt-4o',
        systemPrompt: [
          'You are a careful research assistant.',
          '',
          '## Rules',
          '- Search before you answer; prefer primary sources.',
          '- Cite every claim with its source.',
          '- Say where sources disagree instead of picking one silently.',
          '- End with a short summary and open questions.',
        ].join('\n'),
        tools: [
          { kind: 'builtin', name: 'web_search' },
          { kind: 'builtin', name: 'knowledge_search' },
        ],
        knowledgeBaseIds: [],
        memory: { strategy: 'summary', size: 50 },
        configuration: { temperature: 0.2, maxTokens: 2000, limits: { maxSteps: 12, timeoutSeconds: 300 } },
      },
    },
  },
  {
    id: '019ab000-0000-7000-8000-000000000003',
    name: 'writing_assistant',
    body: {
      title: 'Writing assistant',
      description: 'Drafts, edits and shortens text in the tone you ask for.',
      icon: 'pen-line',
      color: '#F97316',
      run: {
        agentType: 'assistive',
        modelProvider: 'openai',
        modelName: 'gpt-4o-mini',
        systemPrompt: [
          'You are a skilled editor and writer.',
          '',
          '## Rules',
          '- Keep the author\'s meaning; ask when an instruction is ambiguous.',
          '- Prefer short sentences and plain words.',
          '- When editing, show the revised text first, then a short list of what changed.',
        ].join('\n'),
        tools: [],
        knowledgeBaseIds: [],
        memory: { strategy: 'window', size: 30 },
        configuration: { temperature: 0.7, maxTokens: 2000, limits: { maxSteps: 3, timeoutSeconds: 120 } },
      },
    },
  },
  {
    id: '019ab000-0000-7000-8000-000000000004',
    name: 'data_analyst',
    body: {
      title: 'Data analyst',
      description: 'Explores tables and CSV files, runs calculations and explains what the numbers say.',
      icon: 'bar-chart',
      color: '#7C3AED',
      run: {
        agentType: 'automation',
        modelProvider: 'openai',
        modelName: 'gpt-4o',
        systemPrompt: [
          'You are a precise data analyst.',
          '',
          '## Rules',
          '- Compute with the tools; never estimate a number you can calculate.',
          '- State the query or formula behind every figure.',
          '- Point out missing or suspicious data before drawing conclusions.',
        ].join('\n'),
        tools: [
          { kind: 'builtin', name: 'sql_query' },
          { kind: 'builtin', name: 'python' },
        ],
        knowledgeBaseIds: [],
        memory: { strategy: 'window', size: 20 },
        configuration: { temperature: 0, maxTokens: 2000, limits: { maxSteps: 15, timeoutSeconds: 300 } },
      },
    },
  },
] as const;
