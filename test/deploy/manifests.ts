import { execFileSync, spawnSync } from 'node:child_process';
import { loadAll } from 'js-yaml';

/** A rendered Kubernetes object, as much of it as the checks read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // Specs of a dozen kinds, read field by field by the checks after schema validation.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

const INSTALL = {
  kubectl: 'kubectl is missing: install it (Debian: `apt-get install kubectl` from the Kubernetes apt repository, or any kubectl >= 1.27 on the PATH); `kubectl kustomize` renders the overlays',
  'docker-compose': 'docker-compose is missing: install it with `apt-get install docker-compose` (.ci/run does); `docker-compose config -q` validates docker-compose.yml',
  shellcheck: 'shellcheck is missing: install it with `apt-get install shellcheck` (.ci/run does); the Dockerfile linter checks RUN lines with it',
} as const;

/** Fails loudly, saying how to install it, when a tool the deployment checks need is not on the PATH. */
export function requireTool(tool: keyof typeof INSTALL): void {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(INSTALL[tool]);
}

/** `kubectl kustomize <dir>`: the objects an apply would send; throws with kustomize's error. */
export function render(dir: string): K8sObject[] {
  requireTool('kubectl');
  let yaml: string;
  try {
    yaml = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`kubectl kustomize ${dir} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  return (loadAll(yaml) as K8sObject[]).filter((o) => o !== null && o !== undefined);
}

/**
 * Each object against the Kubernetes OpenAPI schema of its kind (kubernetes-models: types, required
 * fields, formats, enums). One line per problem, naming the object; an unknown kind is a problem.
 */
export async function validateSchemas(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata?.name}`;
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
    const modulePath = group === '' ? `kubernetes-models/${version}/${object.kind}` : `kubernetes-models/${group}/${version}/${object.kind}`;
    let Model: new (data: unknown) => { validate(): void };
    try {
      Model = ((await import(modulePath)) as Record<string, typeof Model>)[object.kind];
      if (!Model) throw new Error('no model');
    } catch {
      problems.push(`${id}: no Kubernetes schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    // kustomize folds long base64 values over lines; the API server's decoder skips the newlines.
    const data = object.kind === 'Secret' && object.data ? Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s/g, '')])) : object.data;
    try {
      new Model({ ...object, ...(data ? { data } : {}) }).validate();
    } catch (err) {
      problems.push(`${id}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** Whether a label selector ({ matchLabels, matchExpressions }) selects pods with these labels. */
export function selects(selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return e.values?.includes(labels[e.key]) ?? false;
    if (e.operator === 'NotIn') return !(e.values?.includes(labels[e.key]) ?? false);
    if (e.operator === 'Exists') return e.key in labels;
    return !(e.key in labels);
  });
  return byLabel && byExpression;
}

/** `docker-compose config -q` on a compose file with this environment; the exit status and what it said. */
export function composeConfig(file: string, env: Record<string, string>): { status: number | null; output: string } {
  requireTool('docker-compose');
  const result = spawnSync('docker-compose', ['-f', file, 'config', '-q'], {
    encoding: 'utf8',
    // Only PATH and HOME from outside, so a secret exported in the caller's shell cannot make this pass.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
