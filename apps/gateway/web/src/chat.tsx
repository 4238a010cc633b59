import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { api } from './context.js';
import { formatCost, formatDuration, formatTokens } from './format.js';
import { type LiveRun, type LiveStep, savedLiveRun } from './live-run.js';
import { type CodedError, explain } from './problems.js';
import { RunFollower } from './run-follower.js';
import type { Agent, Conversation, ConversationTree, Message, MessageList, Run, Step } from './types.js';
import { codedErrorOf, Notice, ScreenTitle, Spinner } from './ui.js';

/** A user message and what answered it (model calls with tool calls, tool results, the answer). */
interface Turn {
  user: Message | null;
  answer: Message[];
}

function turnsOf(messages: Message[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of messages) {
    if (message.role === 'user' || turns.length === 0) turns.push({ user: message.role === 'user' ? message : null, answer: message.role === 'user' ? [] : [message] });
    else turns[turns.length - 1].answer.push(message);
  }
  return turns;
}

/** The branch up to and including `parentId` (null: nothing, a new first message). */
function branchUpTo(messages: Message[], parentId: string | null): Message[] {
  if (parentId === null) return [];
  const at = messages.findIndex((m) => m.id === parentId);
  return at < 0 ? messages : messages.slice(0, at + 1);
}

/** Where a sentence ends in streamed text: what is before it can be read out. */
function lastSentenceEnd(text: string): number {
  const match = /[\s\S]*[.!?:;\n](\s|$)/.exec(text);
  return match ? match[0].length : 0;
}

const STATUS_WORDS: Record<string, string> = {
  sending: 'Sending…',
  pending: 'Waiting for a worker…',
  running: 'Answering…',
  requires_action: 'Waiting for input',
  completed: 'Answered',
  failed: 'Failed',
  cancelled: 'Stopped',
  expired: 'Timed out',
};

export function ChatScreen({ conversationId, agentId, onConversationsChanged }: { conversationId?: string; agentId?: string; onConversationsChanged: () => void }) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [agent, setAgent] = useState<Agent | null>(null);
  const [messages, setMessages] = useState<Message[] | null>(conversationId ? null : []);
  const [tree, setTree] = useState<ConversationTree | null>(null);
  const [live, setLive] = useState<LiveRun | null>(null);
  const [runs, setRuns] = useState<Record<string, Run>>({});
  const [steps, setSteps] = useState<Record<string, Step[]>>({});
  const [loadError, setLoadError] = useState<CodedError | null>(null);
  const [sendError, setSendError] = useState<CodedError | null>(null);
  const [draft, setDraft] = useState('');
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [justFinished, setJustFinished] = useState<string | null>(null);
  const [announcements, setAnnouncements] = useState<string[]>([]);
  const follower = useRef<RunFollower | null>(null);
  const announced = useRef(0);
  const composer = useRef<HTMLTextAreaElement>(null);
  const endOfLog = useRef<HTMLDivElement>(null);
  const id = useId();
  const convId = conversation?.id ?? conversationId;

  /** Runs that left a user message without an answer: what happened to them (failed, stopped) is shown there. */
  const loadUnanswered = useCallback(async (branch: Message[]) => {
    const unanswered = turnsOf(branch).filter((t) => t.user?.runId && t.answer.length === 0).map((t) => t.user?.runId as string);
    const found = await Promise.all(unanswered.map((runId) => api.get<Run>(`/runs/${runId}`).catch(() => null)));
    setRuns((known) => ({ ...known, ...Object.fromEntries(found.filter((r): r is Run => r !== null).map((r) => [r.id, r])) }));
  }, []);

  const loadBranch = useCallback(
    async (cid: string) => {
      const [list, shape, conv] = await Promise.all([
        api.get<MessageList>(`/conversations/${cid}/messages?limit=500`),
        api.get<ConversationTree>(`/conversations/${cid}/tree`),
        api.get<Conversation>(`/conversations/${cid}`),
      ]);
      setMessages(list.items);
      setTree(shape);
      setConversation(conv);
      return list.items;
    },
    [],
  );

  const attach = useCallback((run: LiveRun | null) => {
    follower.current?.detach();
    follower.current = new RunFollower(api, setLive);
    if (run) follower.current.resume(run);
    return follower.current;
  }, []);

  // Load the conversation (or the agent of a new one), and pick up an answer a reload interrupted.
  useEffect(() => {
    let gone = false;
    // An answer a reload interrupted is the one saved when the screen opened: read now, since a
    // message sent while the conversation still loads saves its own (which must not be resumed
    // over the request that is sending it).
    const interrupted = conversationId ? savedLiveRun() : null;
    const load = async () => {
      try {
        if (conversationId) {
          const conv = await api.get<Conversation>(`/conversations/${conversationId}`);
          if (gone) return;
          setConversation(conv);
          const [branch] = await Promise.all([loadBranch(conversationId), conv.agentId ? api.get<Agent>(`/agents/${conv.agentId}`).then((a) => !gone && setAgent(a)) : null]);
          if (gone) return;
          const saved = interrupted;
          if (saved && saved.conversationId === conversationId && !saved.ended && follower.current === null) {
            announced.current = saved.text.length;
            setLive(saved);
            attach(saved);
          }
          void loadUnanswered(branch);
        } else if (agentId) {
          const loaded = await api.get<Agent>(`/agents/${agentId}`);
          if (!gone) setAgent(loaded);
        }
      } catch (err) {
        if (!gone) setLoadError(codedErrorOf(err));
      }
    };
    void load();
    return () => {
      gone = true;
      follower.current?.detach();
    };
  }, [conversationId, agentId, loadBranch, loadUnanswered, attach]);

  // When the answer ends: the stored messages replace the streamed text, with the run's steps and their timings.
  const liveEnded = live?.ended ?? false;
  useEffect(() => {
    if (!live || !live.ended || !convId) return;
    const runId = live.runId;
    void (async () => {
      try {
        const branch = await loadBranch(convId);
        onConversationsChanged();
        if (!runId) return;
        // An answer that was stored replaces the streamed one; a stop or a failure stays on show as it ended.
        if (branch.some((m) => m.runId === runId && m.role === 'assistant')) {
          setJustFinished(runId);
          setLive(null);
        }
        const [runSteps, run] = await Promise.all([api.get<{ items: Step[] }>(`/runs/${runId}/steps`), api.get<Run>(`/runs/${runId}`)]);
        setSteps((known) => ({ ...known, [runId]: runSteps.items }));
        setRuns((known) => ({ ...known, [runId]: run }));
      } catch (err) {
        setLoadError(codedErrorOf(err));
      }
    })();
  }, [liveEnded, live?.runId]); // once per ended run

  // Screen readers hear the answer a sentence at a time, not a token at a time.
  useEffect(() => {
    if (!live) {
      announced.current = 0;
      return;
    }
    const rest = live.text.slice(announced.current);
    const cut = live.ended ? rest.length : lastSentenceEnd(rest);
    if (cut > 0 && rest.slice(0, cut).trim()) setAnnouncements((said) => [...said.slice(-30), rest.slice(0, cut).trim()]);
    announced.current += cut;
  }, [live?.text, live?.ended]);

  useEffect(() => {
    endOfLog.current?.scrollIntoView({ block: 'end' });
  }, [messages, live?.text, live?.steps.length]);

  const busy = live !== null && !live.ended;

  const send = async (content: string, parentId?: string | null) => {
    setSendError(null);
    let cid = convId;
    try {
      if (!cid) {
        if (!agent) return;
        const created = await api.post<Conversation>('/conversations', { agentId: agent.id });
        setConversation(created);
        cid = created.id;
        // The chat now has an address; the page stays (no new screen), so the stream is not interrupted.
        history.replaceState(null, '', `#/c/${created.id}`);
        onConversationsChanged();
      }
      if (parentId !== undefined) setMessages((shown) => branchUpTo(shown ?? [], parentId));
      announced.current = 0;
      setJustFinished(null);
      await attach(null).send(cid, content, parentId);
      return true;
    } catch (err) {
      setLive(null);
      setSendError(codedErrorOf(err));
      if (parentId !== undefined && cid) void loadBranch(cid);
      return false;
    }
  };

  const submitDraft = async (event?: Event) => {
    event?.preventDefault();
    const content = draft.trim();
    if (!content || busy) return;
    setDraft('');
    if (!(await send(content))) setDraft(content);
  };

  const submitEdit = async (event: Event, message: Message) => {
    event.preventDefault();
    if (!editing || !editing.text.trim() || busy) return;
    const text = editing.text.trim();
    setEditing(null);
    await send(text, message.parentId);
  };

  const stop = async () => {
    try {
      await follower.current?.cancel();
    } catch (err) {
      setSendError(codedErrorOf(err));
    }
  };

  const stopOther = async (runId: string) => {
    try {
      await api.post(`/runs/${runId}/cancel`);
      setSendError(null);
    } catch (err) {
      if (!(err instanceof ApiError && err.problem.status === 409)) setSendError(codedErrorOf(err));
      else setSendError(null);
    }
  };

  const switchTo = async (leafId: string) => {
    if (!convId || busy) return;
    try {
      const list = await api.post<MessageList>(`/conversations/${convId}/switch`, { leafId });
      setMessages(list.items);
      setLive(null);
      void loadUnanswered(list.items);
    } catch (err) {
      setSendError(codedErrorOf(err));
    }
  };

  const loadSteps = async (runId: string) => {
    if (steps[runId]) return;
    try {
      const list = await api.get<{ items: Step[] }>(`/runs/${runId}/steps`);
      setSteps((known) => ({ ...known, [runId]: list.items }));
    } catch {
      // Shown as "not available" in the details.
      setSteps((known) => ({ ...known, [runId]: [] }));
    }
  };

  if (loadError && !messages) {
    return (
      <section class="screen">
        <ScreenTitle>Conversation</ScreenTitle>
        <Notice error={loadError} />
      </section>
    );
  }

  // While an answer streams, the stored messages of its run are left to the live view.
  const shown = (messages ?? []).filter((m) => !(live && live.runId && m.runId === live.runId && m.role !== 'user'));
  const turns = turnsOf(shown);
  const liveUserStored = live?.runId ? shown.some((m) => m.role === 'user' && m.runId === live.runId) : false;
  const siblingsOf = (message: Message) =>
    (tree?.nodes ?? []).filter((n) => n.role === 'user' && n.parentId === message.parentId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));

  return (
    <section class="chat" aria-labelledby={`${id}-title`}>
      <header class="chat-head">
        <div>
          <ScreenTitle id={`${id}-title`}>{conversation?.title ?? (agent ? `New chat with ${agent.name}` : 'Conversation')}</ScreenTitle>
          {agent ? (
            <p class="muted">
              {agent.name} · <span class="mono">{agent.modelProvider}/{agent.modelName}</span> ·{' '}
              <a href={`#/agents/${agent.id}`}>Edit agent</a>
            </p>
          ) : null}
        </div>
        {conversation && conversation.totals.messages > 0 ? (
          <p class="totals" aria-label="Conversation totals">
            {conversation.totals.messages} message{conversation.totals.messages === 1 ? '' : 's'} · {formatTokens(conversation.totals.totalTokens)} · {formatCost(conversation.totals.costMicros)}
          </p>
        ) : null}
      </header>

      {loadError ? <Notice error={loadError} onDismiss={() => setLoadError(null)} /> : null}
      {!messages ? <Spinner label="Loading the conversation…" /> : null}

      <ol class="messages" aria-label="Messages">
        {messages && turns.length === 0 && !live ? (
          <li class="empty-chat">
            <p>Say hello{agent ? ` to ${agent.name}` : ''}. Answers stream in as they are written; tool calls and each step's timing show as they happen.</p>
          </li>
        ) : null}
        {turns.map((turn) => {
          const runId = turn.user?.runId ?? turn.answer.find((m) => m.runId)?.runId ?? null;
          const siblings = turn.user ? siblingsOf(turn.user) : [];
          const position = turn.user ? siblings.findIndex((s) => s.id === turn.user?.id) : -1;
          // A run that ended without an answer shows how it ended: from the live view while that is on show, else from the run.
          const unanswered = runId && turn.answer.length === 0 && runId !== live?.runId ? runs[runId] : undefined;
          return (
            <li class="turn" key={turn.user?.id ?? turn.answer[0]?.id}>
              {turn.user ? (
                <div class="message message-user">
                  <div class="message-head">
                    <p class="message-role">You</p>
                    <div class="message-tools">
                      {siblings.length > 1 && position >= 0 ? (
                        <nav class="branch-switch" aria-label="Versions of this message">
                          <button
                            type="button"
                            class="icon-button"
                            disabled={position === 0 || busy}
                            aria-label={`Previous version (${position} of ${siblings.length})`}
                            onClick={() => void switchTo(siblings[position - 1].id)}
                          >
                            ‹
                          </button>
                          <span class="branch-position">
                            {position + 1} / {siblings.length}
                          </span>
                          <button
                            type="button"
                            class="icon-button"
                            disabled={position === siblings.length - 1 || busy}
                            aria-label={`Next version (${position + 2} of ${siblings.length})`}
                            onClick={() => void switchTo(siblings[position + 1].id)}
                          >
                            ›
                          </button>
                        </nav>
                      ) : null}
                      {editing?.id !== turn.user.id ? (
                        <button type="button" class="button-small button-quiet" disabled={busy} onClick={() => setEditing({ id: (turn.user as Message).id, text: (turn.user as Message).content })}>
                          Edit
                        </button>
                      ) : null}
                    </div>
                  </div>
                  {editing?.id === turn.user.id ? (
                    <form class="edit-form" onSubmit={(e) => void submitEdit(e, turn.user as Message)}>
                      <label for={`${id}-edit`}>Edit your message (a new branch starts from here)</label>
                      <textarea id={`${id}-edit`} rows={3} value={editing.text} onInput={(e) => setEditing({ id: editing.id, text: e.currentTarget.value })} ref={(el) => el?.focus()} />
                      <div class="form-actions">
                        <button type="submit" class="button button-primary button-small" disabled={busy}>
                          Send as a new branch
                        </button>
                        <button type="button" class="button button-small" onClick={() => setEditing(null)}>
                          Cancel
                        </button>
                      </div>
                    </form>
                  ) : (
                    <p class="message-text">{turn.user.content}</p>
                  )}
                </div>
              ) : null}
              {turn.answer.length > 0 ? <Answer messages={turn.answer} /> : null}
              {unanswered ? <RunOutcome run={unanswered} /> : null}
              {runId && turn.answer.length > 0 ? <StepsDetails runId={runId} steps={steps[runId]} open={justFinished === runId} onOpen={() => void loadSteps(runId)} /> : null}
            </li>
          );
        })}
        {live ? (
          <li class="turn turn-live" key="live">
            {!liveUserStored ? (
              <div class="message message-user">
                <p class="message-role">You</p>
                <p class="message-text">{live.userText}</p>
              </div>
            ) : null}
            <LiveAnswer live={live} />
          </li>
        ) : null}
      </ol>
      <div ref={endOfLog} />

      <div class="visually-hidden" role="log" aria-live="polite" aria-label="Answer, read aloud as it arrives">
        {announcements.map((sentence, i) => (
          <p key={i}>{sentence}</p>
        ))}
      </div>
      <p class="visually-hidden" role="status">
        {live ? (live.error ? `Failed: ${explain(live.error).title}` : (STATUS_WORDS[live.status] ?? '')) : ''}
      </p>

      {sendError ? (
        <div class="composer-error">
          <Notice error={sendError} onDismiss={() => setSendError(null)} />
          {typeof sendError.activeRunId === 'string' ? (
            <button type="button" class="button button-small" onClick={() => void stopOther(sendError.activeRunId as string)}>
              Stop the running answer
            </button>
          ) : null}
        </div>
      ) : null}

      <form class="composer" onSubmit={(e) => void submitDraft(e)}>
        <label for={`${id}-composer`} class="visually-hidden">
          Message
        </label>
        <textarea
          id={`${id}-composer`}
          ref={composer}
          rows={2}
          value={draft}
          placeholder={agent ? `Message ${agent.name}…` : 'Message…'}
          aria-describedby={`${id}-composer-help`}
          disabled={!agent && !conversation}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void submitDraft();
            }
          }}
        />
        <p id={`${id}-composer-help`} class="visually-hidden">
          Enter sends; Shift+Enter starts a new line.
        </p>
        {busy ? (
          <button type="button" class="button button-danger" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="submit" class="button button-primary" disabled={draft.trim() === ''}>
            Send
          </button>
        )}
      </form>
    </section>
  );
}

function usageLine(message: Message): string {
  const parts: string[] = [];
  if (message.model) parts.push(message.model);
  if (message.tokenUsage) parts.push(`${formatTokens(message.tokenUsage.total)} (${message.tokenUsage.prompt} in, ${message.tokenUsage.completion} out)`);
  parts.push(formatCost(message.costMicros));
  return parts.join(' · ');
}

function prettyArguments(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw;
  }
}

/** The stored answer of one turn: tool calls with their results, then the text, each with its tokens and cost. */
function Answer({ messages }: { messages: Message[] }) {
  const results = new Map(messages.filter((m) => m.role === 'tool' && m.toolCallId).map((m) => [m.toolCallId as string, m]));
  return (
    <div class="answer">
      {messages.map((message) => {
        if (message.role === 'tool' && message.toolCallId && messages.some((m) => m.toolCalls?.some((c) => c.id === message.toolCallId))) return null;
        if (message.role === 'assistant' && message.toolCalls && message.toolCalls.length > 0) {
          return (
            <div class="message message-tool-calls" key={message.id}>
              {message.content ? <p class="message-text">{message.content}</p> : null}
              <ul class="tool-calls" aria-label="Tool calls">
                {message.toolCalls.map((call) => (
                  <li class="tool-call" key={call.id}>
                    <span class="tool-name">{call.name}</span>
                    <code class="tool-args">{prettyArguments(call.arguments)}</code>
                    <span aria-hidden="true"> → </span>
                    <span class="visually-hidden"> returned </span>
                    <code class="tool-result">{results.get(call.id)?.content ?? '(no result)'}</code>
                  </li>
                ))}
              </ul>
              <p class="message-meta">{usageLine(message)}</p>
            </div>
          );
        }
        return (
          <div class={`message message-${message.role}`} key={message.id}>
            <p class="message-role">{message.role === 'assistant' ? 'Agent' : message.role}</p>
            <p class="message-text">{message.content}</p>
            {message.role === 'assistant' ? <p class="message-meta">{usageLine(message)}</p> : null}
          </div>
        );
      })}
    </div>
  );
}

/** What became of a run that left no answer: its error, or the partial answer a stop kept. */
function RunOutcome({ run }: { run: Run }) {
  if (run.status === 'failed' || run.status === 'expired') return run.error ? <Notice error={run.error} /> : <p class="muted">The run failed.</p>;
  if (run.status === 'cancelled') {
    return (
      <div class="message message-assistant message-stopped">
        <p class="message-role">Agent · stopped</p>
        {run.output?.content ? <p class="message-text">{run.output.content}</p> : <p class="muted">Stopped before it said anything.</p>}
      </div>
    );
  }
  return null;
}

const STEP_STATUS: Record<LiveStep['status'], string> = { running: 'running…', completed: '', failed: 'failed', stopped: 'stopped' };

function StepList({ steps }: { steps: Array<Pick<LiveStep, 'key' | 'name' | 'type' | 'status' | 'durationMs' | 'tokens' | 'costMicros'> & { error?: string }> }) {
  return (
    <ol class="steps">
      {steps.map((step) => (
        <li class={`step step-${step.status}`} key={step.key}>
          <span class="step-type">{step.type === 'llm_call' ? 'Model call' : step.type === 'tool' ? 'Tool' : step.type}</span>
          <span class="step-name">{step.name}</span>
          <span class="step-time">{step.status === 'running' ? STEP_STATUS.running : step.durationMs !== undefined ? formatDuration(step.durationMs) : ''}</span>
          {step.tokens ? <span class="step-usage">{formatTokens(step.tokens)}</span> : null}
          {step.status === 'stopped' ? <span class="step-usage">{STEP_STATUS.stopped}</span> : null}
          {step.status === 'failed' ? <span class="step-error">{step.error ?? STEP_STATUS.failed}</span> : null}
        </li>
      ))}
    </ol>
  );
}

/** The steps of a stored answer with the server's timings, fetched when opened. */
function StepsDetails({ runId, steps, open, onOpen }: { runId: string; steps: Step[] | undefined; open: boolean; onOpen: () => void }) {
  const total = steps?.reduce((sum, s) => sum + (s.durationMs ?? 0), 0) ?? 0;
  return (
    <details class="steps-details" open={open} onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && onOpen()} data-run-id={runId}>
      <summary>Steps and timings{steps && steps.length > 0 ? ` (${steps.length} step${steps.length === 1 ? '' : 's'}, ${formatDuration(total)})` : ''}</summary>
      {!steps ? (
        <p class="muted">Loading…</p>
      ) : steps.length === 0 ? (
        <p class="muted">No steps recorded.</p>
      ) : (
        <StepList
          steps={steps.map((s) => ({
            key: s.key,
            name: s.name,
            type: s.type,
            status: s.status === 'completed' ? 'completed' : s.status === 'failed' ? 'failed' : s.status === 'abandoned' ? 'stopped' : 'running',
            durationMs: s.durationMs ?? undefined,
            tokens: s.usage.promptTokens + s.usage.completionTokens,
            costMicros: s.usage.costMicros,
            error: s.error?.message,
          }))}
        />
      )}
    </details>
  );
}

/** The answer being streamed: text as it arrives, its steps as they start and end, then how it ended. */
function LiveAnswer({ live }: { live: LiveRun }) {
  const streaming = !live.ended;
  return (
    <div class="answer answer-live" aria-busy={streaming ? 'true' : 'false'}>
      {live.steps.length > 0 ? <StepList steps={live.steps} /> : null}
      {live.ended && !live.text && live.error ? null : (
      <div class={`message message-assistant${live.status === 'cancelled' ? ' message-stopped' : ''}`}>
        <p class="message-role">
          Agent · <span class="live-status">{STATUS_WORDS[live.status] ?? live.status}</span>
        </p>
        {live.text ? (
          <p class="message-text" data-streaming={streaming ? 'true' : 'false'}>
            {live.text}
            {streaming ? <span class="caret" aria-hidden="true" /> : null}
          </p>
        ) : streaming ? (
          <p class="muted typing" aria-hidden="true">
            …
          </p>
        ) : null}
        {live.usage && live.usage.promptTokens + live.usage.completionTokens > 0 ? (
          <p class="message-meta">
            {formatTokens(live.usage.promptTokens + live.usage.completionTokens)} · {formatCost(live.usage.costMicros)}
          </p>
        ) : null}
      </div>
      )}
      {live.warning ? <p class="notice">{live.warning}</p> : null}
      {live.error ? <Notice error={live.error} /> : null}
    </div>
  );
}
