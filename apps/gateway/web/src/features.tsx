import { useEffect, useState } from 'preact/hooks';
import { api } from './context.js';
import type { Page } from './types.js';
import { codedErrorOf, Notice, ScreenTitle, Spinner } from './ui.js';
import type { CodedError } from './problems.js';

/**
 * Areas of the platform still being built (workflows, knowledge bases). Their nav entries appear
 * only once the server answers their list route, so the page never offers what the server lacks.
 */
export const OPTIONAL_AREAS = [
  { route: 'workflows', label: 'Workflows', list: '/workflows?limit=20' },
  { route: 'knowledge', label: 'Knowledge', list: '/knowledge-bases?limit=20' },
] as const;

export type OptionalArea = (typeof OPTIONAL_AREAS)[number]['route'];

/** Which optional areas this server has (their list route answers 200). */
export function useAvailableAreas(): ReadonlySet<OptionalArea> {
  const [available, setAvailable] = useState<ReadonlySet<OptionalArea>>(new Set());
  useEffect(() => {
    void Promise.all(
      OPTIONAL_AREAS.map(async (area) => {
        try {
          await api.get(area.list);
          return area.route;
        } catch {
          return null;
        }
      }),
    ).then((found) => setAvailable(new Set(found.filter((a): a is OptionalArea => a !== null))));
  }, []);
  return available;
}

/** A plain list of an optional area's items: the place where its own screens go. */
export function AreaScreen({ area }: { area: OptionalArea }) {
  const spec = OPTIONAL_AREAS.find((a) => a.route === area) ?? OPTIONAL_AREAS[0];
  const [items, setItems] = useState<Array<{ id: string; name?: string }> | null>(null);
  const [error, setError] = useState<CodedError | null>(null);
  useEffect(() => {
    api.get<Page<{ id: string; name?: string }>>(spec.list).then(
      (page) => setItems(page.items),
      (err: unknown) => setError(codedErrorOf(err)),
    );
  }, [spec.list]);
  return (
    <section class="screen">
      <ScreenTitle>{spec.label}</ScreenTitle>
      {error ? <Notice error={error} /> : null}
      {!items && !error ? <Spinner label="Loading…" /> : null}
      {items ? (
        items.length === 0 ? (
          <p>None yet. The API (see /docs) creates them.</p>
        ) : (
          <ul class="plain-list">
            {items.map((item) => (
              <li key={item.id}>{item.name ?? item.id}</li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
