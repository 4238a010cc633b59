import { useEffect, useState } from 'preact/hooks';
import { AgentCreateScreen, AgentEditScreen, AgentsScreen } from './agents.js';
import { ChatScreen } from './chat.js';
import { api } from './context.js';
import { OPTIONAL_AREAS, useAvailableAreas } from './features.js';
import { KeysScreen } from './keys.js';
import { KnowledgeBaseScreen, KnowledgeScreen } from './knowledge.js';
import { type Route, useRoute } from './router.js';
import { Sidebar } from './sidebar.js';
import { SignIn } from './sign-in.js';
import { WorkflowCreateScreen, WorkflowScreen, WorkflowsScreen } from './workflows.js';
import { ScreenTitle } from './ui.js';

export function App() {
  const [signedIn, setSignedIn] = useState(api.session.signedIn);
  const [ended, setEnded] = useState(false);
  useEffect(
    () =>
      api.session.onChange(() => {
        const now = api.session.signedIn;
        // Signed out without asking (a refresh the server refused): the sign-in screen says so.
        setEnded(!now && !signingOut);
        setSignedIn(now);
      }),
    [],
  );
  const route = useRoute();
  if (!signedIn) return <SignIn ended={ended} />;
  return <Shell route={route} />;
}

let signingOut = false;

function Shell({ route }: { route: Route }) {
  const [version, setVersion] = useState(0);
  const areas = useAvailableAreas();
  const user = api.session.user;
  const section =
    route.name === 'conversation' || route.name === 'agent-chat' || route.name === 'home'
      ? 'chat'
      : route.name.startsWith('agent')
        ? 'agents'
        : route.name.startsWith('workflow')
          ? 'workflows'
          : route.name.startsWith('knowledge')
            ? 'knowledge'
            : route.name;
  const navItems: Array<{ href: string; label: string; key: string }> = [
    { href: '#/', label: 'Chat', key: 'chat' },
    { href: '#/agents', label: 'Agents', key: 'agents' },
    { href: '#/keys', label: 'Model keys', key: 'keys' },
    ...OPTIONAL_AREAS.filter((a) => areas.has(a.route)).map((a) => ({ href: `#/${a.route}`, label: a.label, key: a.route })),
  ];
  const signOut = async () => {
    signingOut = true;
    await api.signOut();
    signingOut = false;
  };

  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/">
          <span class="brand-mark" aria-hidden="true">
            AP
          </span>
          <span>
            Agent Platform <span class="brand-sub">Playground</span>
          </span>
        </a>
        <nav aria-label="Main">
          <ul class="nav">
            {navItems.map((item) => (
              <li key={item.key}>
                <a href={item.href} aria-current={section === item.key ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="account-email" title={user?.email}>
            {user?.name ?? user?.email}
          </span>
          <button type="button" class="button button-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div class="layout">
        <Sidebar version={version} currentId={route.name === 'conversation' ? route.id : null} />
        <main id="main" tabIndex={-1}>
          <Screen route={route} onConversationsChanged={() => setVersion((v) => v + 1)} />
        </main>
      </div>
    </>
  );
}

function Screen({ route, onConversationsChanged }: { route: Route; onConversationsChanged: () => void }) {
  switch (route.name) {
    case 'home':
      return <AgentsScreen title="Pick an agent to chat with" intro="Or make a new one: from a template, from three questions, or from your own prompt." />;
    case 'agents':
      return <AgentsScreen />;
    case 'agent-new':
      return <AgentCreateScreen />;
    case 'agent-edit':
      return <AgentEditScreen id={route.id} key={route.id} />;
    case 'agent-chat':
      return <ChatScreen agentId={route.id} key={`agent:${route.id}`} onConversationsChanged={onConversationsChanged} />;
    case 'conversation':
      return <ChatScreen conversationId={route.id} key={route.id} onConversationsChanged={onConversationsChanged} />;
    case 'keys':
      return <KeysScreen />;
    case 'workflows':
      return <WorkflowsScreen />;
    case 'workflow-new':
      return <WorkflowCreateScreen />;
    case 'workflow':
      return <WorkflowScreen id={route.id} runId={route.runId} key={route.id} />;
    case 'knowledge':
      return <KnowledgeScreen />;
    case 'knowledge-base':
      return <KnowledgeBaseScreen id={route.id} key={route.id} />;
    case 'not-found':
      return (
        <section class="screen">
          <ScreenTitle>Not found</ScreenTitle>
          <p>
            There is nothing at this address. <a href="#/">Back to the start</a>.
          </p>
        </section>
      );
  }
}
