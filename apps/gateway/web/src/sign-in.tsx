import { useState } from 'preact/hooks';
import { api } from './context.js';
import type { CodedError } from './problems.js';
import { codedErrorOf, fieldErrors, Notice, ScreenTitle } from './ui.js';

/** Sign in, or create an account: the first screen. */
export function SignIn({ ended }: { ended: boolean }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CodedError | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.signIn(mode, { email: email.trim(), password, ...(mode === 'register' && name.trim() ? { name: name.trim() } : {}) });
    } catch (err) {
      const coded = codedErrorOf(err);
      // The API's 401 for a login says the pair is wrong; "not signed in" would read oddly here.
      setError(mode === 'login' && coded.code === 'UNAUTHENTICATED' ? { code: 'WRONG_CREDENTIALS', detail: 'Wrong email or password.' } : coded);
      setBusy(false);
    }
  };
  const emailError = fieldErrors(error, 'email');
  const passwordError = fieldErrors(error, 'password');

  return (
    <main id="main" class="sign-in">
      <div class="card sign-in-card">
        <p class="brand-mark" aria-hidden="true">
          AP
        </p>
        <ScreenTitle>{mode === 'login' ? 'Sign in to the playground' : 'Create an account'}</ScreenTitle>
        <p class="muted">Build an agent and talk to it, right here. Everything you do goes through the platform's API.</p>
        {ended && !error ? (
          <p class="notice" role="status">
            Your session ended. Sign in again.
          </p>
        ) : null}
        {error ? <Notice error={error} /> : null}
        <form onSubmit={(e) => void submit(e)} noValidate>
          {mode === 'register' ? (
            <div class="field">
              <label for="name">Name (optional)</label>
              <input id="name" name="name" autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </div>
          ) : null}
          <div class="field">
            <label for="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="email"
              required
              value={email}
              aria-invalid={emailError ? 'true' : undefined}
              aria-describedby={emailError ? 'email-error' : undefined}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
            {emailError ? (
              <p id="email-error" class="field-error">
                {emailError}
              </p>
            ) : null}
          </div>
          <div class="field">
            <label for="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autocomplete={mode === 'login' ? 'current-password' : 'new-password'}
              required
              minLength={mode === 'register' ? 10 : undefined}
              value={password}
              aria-invalid={passwordError ? 'true' : undefined}
              aria-describedby={passwordError ? 'password-error' : mode === 'register' ? 'password-help' : undefined}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
            {mode === 'register' && !passwordError ? (
              <p id="password-help" class="field-help">
                At least 10 characters.
              </p>
            ) : null}
            {passwordError ? (
              <p id="password-error" class="field-error">
                {passwordError}
              </p>
            ) : null}
          </div>
          <button type="submit" class="button button-primary button-wide" disabled={busy}>
            {busy ? 'Please wait…' : mode === 'login' ? 'Sign in' : 'Create account'}
          </button>
        </form>
        <p class="switch-mode">
          {mode === 'login' ? 'New here?' : 'Have an account?'}{' '}
          <button
            type="button"
            class="link-button"
            onClick={() => {
              setMode(mode === 'login' ? 'register' : 'login');
              setError(null);
            }}
          >
            {mode === 'login' ? 'Create an account' : 'Sign in instead'}
          </button>
        </p>
      </div>
    </main>
  );
}
