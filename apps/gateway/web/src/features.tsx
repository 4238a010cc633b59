import { useEffect, useState } from 'preact/hooks';
import { api } from './context.js';

/**
 * Areas served by services of their own (workflows, knowledge bases). Their nav entries appear
 * only once the server answers their list route, so the page never offers what the server lacks
 * (a deployment without that service, or with it down).
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
