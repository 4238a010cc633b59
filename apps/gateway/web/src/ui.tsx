import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Problem } from './api.js';
import { type CodedError, explain } from './problems.js';

/** Any error as the coded error the explanations know; errors that are not the platform's read as a network problem. */
export function codedErrorOf(err: unknown): CodedError {
  if (err instanceof ApiError) return err.problem;
  return { code: 'NETWORK', detail: err instanceof Error ? err.message : String(err) };
}

/** A platform error in words: what happened, the platform's message, and what to do. Announced at once (role=alert). */
export function Notice({ error, onDismiss }: { error: CodedError | Problem; onDismiss?: () => void }) {
  const explained = explain(error);
  return (
    <div class="notice notice-error" role="alert" data-code={explained.code}>
      <p class="notice-title">{explained.title}</p>
      {explained.detail && explained.detail !== explained.title ? <p class="notice-detail">{explained.detail}</p> : null}
      {explained.hint ? <p class="notice-hint">{explained.hint}</p> : null}
      <div class="notice-actions">
        {explained.action ? (
          <a class="button button-small" href={explained.action.href}>
            {explained.action.label}
          </a>
        ) : null}
        {onDismiss ? (
          <button type="button" class="button-small button-quiet" onClick={onDismiss}>
            Dismiss
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** The first screen after a page load leaves focus where the browser put it (so the first Tab reaches the skip link). */
let pageJustLoaded = true;

/**
 * The page heading of a screen. When another screen opens in the page, focus moves here, so
 * keyboard and screen-reader users start at the new content instead of wherever the old one was.
 */
export function ScreenTitle({ children, id }: { children: ComponentChildren; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (pageJustLoaded) pageJustLoaded = false;
    else ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} id={id} tabIndex={-1} class="screen-title">
      {children}
    </h1>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** Field errors a VALIDATION_FAILED problem lists, for the field they name. */
export function fieldErrors(error: CodedError | null, field: string): string | undefined {
  const entry = error?.errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`));
  return entry?.problems.join('; ');
}

/** A form's submission: busy while it runs, and the platform's error when it fails (cleared on the next try). */
export function useAction(): { busy: boolean; error: CodedError | null; setError: (error: CodedError | null) => void; run: (work: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CodedError | null>(null);
  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(codedErrorOf(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
