import { answerLines, draftSystemPrompt, nameFromWho } from './qa-prompt.js';

describe('the Q&A prompt template', () => {
  it('turns the three answers of a support agent into the documented sections', () => {
    const prompt = draftSystemPrompt({
      name: 'Charlie',
      who: 'a friendly support agent for Acme routers',
      rules: '- Answer in English.\n- Never promise refunds.\n\n3) Escalate angry customers',
      tricks: '* Search the knowledge base\n* Open a ticket',
    });
    expect(prompt).toBe(
      [
        'You are Charlie: a friendly support agent for Acme routers',
        '',
        '## Rules you always follow',
        '1. Answer in English.',
        '2. Never promise refunds.',
        '3. Escalate angry customers',
        '',
        '## What you can do',
        '- Search the knowledge base',
        '- Open a ticket',
        '',
        '## How you answer',
        '- Stay in your role as Charlie.',
        '- If a request would break one of your rules, say so politely and offer what you can do instead.',
        '- When you are not sure, say so instead of guessing.',
      ].join('\n'),
    );
  });

  it('says the agent has no tools when the tricks answer is empty', () => {
    const prompt = draftSystemPrompt({ name: 'Ada', who: 'a maths tutor', rules: 'Explain step by step', tricks: '   \n' });
    expect(prompt).toContain('## What you can do\n- You have no tools: answer from the conversation and what you know.');
    expect(prompt).toContain('1. Explain step by step');
  });

  it('gives the same prompt for the same answers, whatever the line endings and spacing', () => {
    const a = draftSystemPrompt({ name: 'X', who: 'a  bot', rules: 'one\r\ntwo', tricks: 'search' });
    const b = draftSystemPrompt({ name: 'X', who: 'a bot', rules: 'one\ntwo\n', tricks: '- search' });
    expect(a).toBe(b);
  });

  it('does not say the name twice when "who" starts with it', () => {
    expect(draftSystemPrompt({ name: 'Charlie', who: 'Charlie, a support agent', rules: 'r', tricks: '' }).split('\n')[0]).toBe('You are Charlie, a support agent');
    expect(draftSystemPrompt({ name: 'Char', who: 'Charlie, a support agent', rules: 'r', tricks: '' }).split('\n')[0]).toBe('You are Char: Charlie, a support agent');
  });

  it('keeps a multi-line "who" on the first line', () => {
    expect(draftSystemPrompt({ name: 'Z', who: 'a guide\nfor museums', rules: 'r', tricks: '' }).split('\n')[0]).toBe('You are Z: a guide for museums');
  });

  it('splits answers into lines without list markers', () => {
    expect(answerLines('1. first\n2) second\n• third\n\n - fourth')).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('names the agent after the first words of "who"', () => {
    expect(nameFromWho('Charlie, a friendly support agent')).toBe('Charlie');
    expect(nameFromWho('Research Buddy - finds papers')).toBe('Research Buddy');
    expect(nameFromWho('x'.repeat(100))).toHaveLength(60);
  });
});
