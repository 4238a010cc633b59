import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { composeConfig, type K8sObject, render, requireTool, selects, validateSchemas } from './manifests.js';

/**
 * What an ops team deploys, checked offline as CI runs it: every kustomize overlay renders and
 * each object is valid against the Kubernetes schemas and wired as the Deploy section of the README
 * says; docker-compose.yml is valid and refuses to start without its secrets; the Dockerfile passes
 * a linter. Each check is shown to fail on a planted breakage.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OVERLAYS = ['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/prod'] as const;
const APPS = ['gateway', 'identity', 'agent', 'workflow', 'conversation', 'integration', 'execution'];
/** Made by the operator in production (k8s/overlays/prod/secrets.example.env, nats-secrets.example.env, database.example.env), never rendered. */
const EXTERNAL_SECRETS = ['agent-platform-secrets', 'agent-platform-nats', 'agent-platform-database'];

type PodSpec = {
  containers: Array<Record<string, any>>;
  initContainers?: Array<Record<string, any>>;
  topologySpreadConstraints?: unknown[];
  volumes?: unknown[];
};

const kinds = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const podTemplates = (objects: K8sObject[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map((o) => ({ owner: o, labels: o.spec.template.metadata.labels as Record<string, string>, pod: o.spec.template.spec as PodSpec }));

/** What makes a rendered overlay deployable and operable; one line per problem, naming the object. */
function operationalProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const templates = podTemplates(objects);
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  for (const deployment of kinds(objects, 'Deployment')) {
    const id = `Deployment/${deployment.metadata.name}`;
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    const pod = deployment.spec.template.spec as PodSpec;
    const app = pod.containers.find((c) => c.name === 'app');
    if (!app) problems.push(`${id}: no container named app`);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const port = app?.[probe]?.httpGet?.port;
      if (!port) problems.push(`${id}: no HTTP ${probe}`);
      else if (!(app?.ports as Array<{ name: string }> | undefined)?.some((p) => p.name === port)) problems.push(`${id}: ${probe} probes port "${port}", which the container does not declare`);
    }
    if (!app?.resources?.requests || !app?.resources?.limits) problems.push(`${id}: no resource requests and limits`);
    if (!pod.topologySpreadConstraints?.length) problems.push(`${id}: no topology spread`);
    // The gateway has no database login; the services it reaches wait for their schemas themselves.
    if (deployment.metadata.name !== 'gateway' && !pod.initContainers?.some((c) => (c.args as string[]).includes('--wait'))) problems.push(`${id}: does not wait for migrations`);
    if (!kinds(objects, 'PodDisruptionBudget').some((pdb) => selects(pdb.spec.selector, labels))) problems.push(`${id}: no PodDisruptionBudget`);
    if (deployment.spec.strategy?.rollingUpdate?.maxUnavailable !== 0) problems.push(`${id}: a rollout may take pods away before their replacements are ready`);
  }
  for (const service of kinds(objects, 'Service')) {
    if (!templates.some((t) => Object.entries(service.spec.selector as Record<string, string>).every(([k, v]) => t.labels[k] === v))) problems.push(`Service/${service.metadata.name}: selects no pod`);
  }
  for (const pdb of kinds(objects, 'PodDisruptionBudget')) {
    if (!templates.some((t) => selects(pdb.spec.selector, t.labels))) problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no pod`);
  }
  for (const hpa of kinds(objects, 'HorizontalPodAutoscaler')) {
    const target = hpa.spec.scaleTargetRef as { kind: string; name: string };
    if (!names.has(`${target.kind}/${target.name}`)) problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: scales ${target.kind}/${target.name}, which is not there`);
  }
  for (const { owner, pod } of templates) {
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      for (const from of (container.envFrom ?? []) as Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>) {
        if (from.configMapRef && !names.has(`ConfigMap/${from.configMapRef.name}`)) problems.push(`${owner.kind}/${owner.metadata.name}: reads ConfigMap ${from.configMapRef.name}, which is not there`);
        if (from.secretRef && !names.has(`Secret/${from.secretRef.name}`) && !EXTERNAL_SECRETS.includes(from.secretRef.name)) problems.push(`${owner.kind}/${owner.metadata.name}: reads Secret ${from.secretRef.name}, which is not there`);
      }
      for (const variable of (container.env ?? []) as Array<{ valueFrom?: { secretKeyRef?: { name: string } } }>) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref && !names.has(`Secret/${ref.name}`) && !EXTERNAL_SECRETS.includes(ref.name)) problems.push(`${owner.kind}/${owner.metadata.name}: reads Secret ${ref.name}, which is not there`);
      }
    }
  }
  // Only the gateway takes traffic from anywhere; other ingress rules admit this platform's pods,
  // or a named namespace (Prometheus) on the health port only.
  const policies = kinds(objects, 'NetworkPolicy');
  const healthPort = Number(kinds(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('agent-platform-config'))?.data?.HEALTH_PORT);
  for (const { owner, labels } of templates) {
    if (!policies.some((p) => selects(p.spec.podSelector, labels) && (p.spec.policyTypes as string[]).includes('Ingress') && (p.spec.policyTypes as string[]).includes('Egress') && !p.spec.ingress && !p.spec.egress)) {
      problems.push(`${owner.kind}/${owner.metadata.name}: no default-deny NetworkPolicy`);
    }
  }
  for (const policy of policies) {
    for (const rule of (policy.spec.ingress ?? []) as Array<{ from?: Array<Record<string, any>>; ports?: Array<{ port: number }> }>) {
      const scraping = rule.from?.length && rule.from.every((peer) => !peer.podSelector && typeof peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'string') && rule.ports?.length && rule.ports.every((p) => p.port === healthPort);
      const fromAnywhere = !scraping && (!rule.from || rule.from.some((peer) => !peer.podSelector || peer.namespaceSelector));
      const opens = templates.filter((t) => selects(policy.spec.podSelector, t.labels)).map((t) => t.owner.metadata.name);
      if (fromAnywhere && opens.some((name) => name !== 'gateway')) problems.push(`NetworkPolicy/${policy.metadata.name}: lets outside traffic into ${opens.join(', ')}`);
    }
  }
  return problems;
}

const config = (objects: K8sObject[]) => kinds(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('agent-platform-config'))?.data ?? {};
const deployment = (objects: K8sObject[], name: string) => kinds(objects, 'Deployment').find((d) => d.metadata.name === name) as K8sObject;

describe('Kubernetes manifests', () => {
  const rendered = new Map<string, K8sObject[]>();
  beforeAll(() => {
    for (const overlay of OVERLAYS) rendered.set(overlay, render(join(ROOT, overlay)));
  });

  it.each(OVERLAYS)('%s renders, and every object is valid against the Kubernetes schemas', async (overlay) => {
    const objects = rendered.get(overlay) as K8sObject[];
    expect(objects.length).toBeGreaterThan(20);
    expect(await validateSchemas(objects)).toEqual([]);
  });

  it.each(OVERLAYS)('%s: every app has probes, a PDB, topology spread, limits and waits for migrations; selectors and references resolve; only the gateway is open', (overlay) => {
    const objects = rendered.get(overlay) as K8sObject[];
    expect(kinds(objects, 'Deployment').map((d) => d.metadata.name).sort()).toEqual([...APPS].sort());
    expect(operationalProblems(objects)).toEqual([]);
  });

  it.each(OVERLAYS)('%s: each app connects to NATS as its own user, with only its own password from the Secret agent-platform-nats', (overlay) => {
    const objects = rendered.get(overlay) as K8sObject[];
    for (const app of APPS) {
      const env = (deployment(objects, app).spec.template.spec.containers[0].env ?? []) as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
      const password = env.find((v) => v.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef;
      expect([app, env.find((v) => v.name === 'NATS_USER')?.value, password?.name.replace(/-[a-z0-9]{10}$/, ''), password?.key]).toEqual([app, app, 'agent-platform-nats', `NATS_PASSWORD_${app.toUpperCase()}`]);
    }
    const users = kinds(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('nats-bus-users'));
    expect(users?.data?.['bus-users.conf']).toBe(readFileSync(join(ROOT, 'k8s/base/nats/bus-users.conf'), 'utf8'));
  });

  it('dev runs its NATS with the generated users and every app password, and generates those passwords', () => {
    const objects = rendered.get('k8s/overlays/dev') as K8sObject[];
    const secret = kinds(objects, 'Secret').find((s) => s.metadata.name.startsWith('agent-platform-nats-'));
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual(APPS.map((app) => `NATS_PASSWORD_${app.toUpperCase()}`).sort());
    const nats = kinds(objects, 'StatefulSet').find((s) => s.metadata.name === 'nats')?.spec.template.spec;
    expect(nats.containers[0].args.slice(0, 2)).toEqual(['-c', '/etc/nats/bus-users.conf']);
    expect(nats.containers[0].envFrom).toEqual([{ secretRef: { name: secret?.metadata.name } }]);
    expect(nats.volumes).toEqual([{ name: 'bus-users', configMap: { name: expect.stringMatching(/^nats-bus-users-/) } }]);
    expect(nats.containers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: 'bus-users', mountPath: '/etc/nats', readOnly: true }]));
  });

  it('dev brings its own NATS (JetStream) and PostgreSQL on persistent volumes, one replica of each app, dev mode', () => {
    const objects = rendered.get('k8s/overlays/dev') as K8sObject[];
    const statefulSets = kinds(objects, 'StatefulSet');
    expect(statefulSets.map((s) => s.metadata.name).sort()).toEqual(['nats', 'postgres']);
    for (const set of statefulSets) expect(set.spec.volumeClaimTemplates).toHaveLength(1);
    expect(statefulSets.find((s) => s.metadata.name === 'nats')?.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['-js', '-sd', '/data']));
    expect(kinds(objects, 'Deployment').every((d) => d.spec.replicas === 1)).toBe(true);
    expect(kinds(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(config(objects)).toMatchObject({ NODE_ENV: 'development', HEALTH_PORT: '8081', MIGRATE_ON_START: 'false' });
    expect(kinds(objects, 'Job').map((j) => j.metadata.name)).toEqual(['migrate-dev']);
  });

  it('prod points at external NATS and PostgreSQL, keeps no credential, runs three of everything and autoscales gateway and execution', () => {
    const objects = rendered.get('k8s/overlays/prod') as K8sObject[];
    expect(kinds(objects, 'Secret')).toEqual([]);
    expect(kinds(objects, 'StatefulSet')).toEqual([]);
    expect(config(objects)).toMatchObject({ JETSTREAM_REPLICAS: '3', HEALTH_PORT: '8081' });
    const hpas = kinds(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => [h.spec.scaleTargetRef.name, h.spec.minReplicas]).sort()).toEqual([
      ['execution', 3],
      ['gateway', 3],
    ]);
    for (const name of ['gateway', 'execution']) expect(deployment(objects, name).spec.replicas).toBeUndefined();
    for (const name of ['identity', 'agent', 'workflow', 'conversation', 'integration']) expect(deployment(objects, name).spec.replicas).toBe(3);
    const image = deployment(objects, 'gateway').spec.template.spec.containers[0].image as string;
    expect(kinds(objects, 'Job').map((j) => j.metadata.name)).toEqual([`migrate-${image.split(':')[1]}`]);
    expect(kinds(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toContain('datastores-egress');
  });

  it.each(OVERLAYS)('%s: Prometheus in the monitoring namespace may scrape every app on its health port, and nothing else there', (overlay) => {
    const objects = rendered.get(overlay) as K8sObject[];
    const metrics = kinds(objects, 'NetworkPolicy').find((p) => p.metadata.name === 'metrics-ingress') as K8sObject;
    expect(metrics.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: Number(config(objects).HEALTH_PORT) }] }]);
    for (const { labels } of podTemplates(objects)) expect(selects(metrics.spec.podSelector, labels)).toBe(true);
  });

  it.each(OVERLAYS)('%s: each service logs in to PostgreSQL with its own key of agent-platform-database; only the migrate Job reads the privileged login', (overlay) => {
    const objects = rendered.get(overlay) as K8sObject[];
    const ownLogin = (container: Record<string, any> | undefined) =>
      ((container?.env ?? []) as Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>).find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
    for (const name of APPS.filter((app) => app !== 'gateway')) {
      const pod = deployment(objects, name).spec.template.spec as PodSpec;
      for (const container of [pod.containers.find((c) => c.name === 'app'), pod.initContainers?.find((c) => c.name === 'wait-for-migrations')]) {
        expect({ name, ref: ownLogin(container) }).toEqual({ name, ref: { name: expect.stringMatching(/^agent-platform-database/), key: `${name.toUpperCase()}_DATABASE_URL` } });
      }
    }
    const readers = podTemplates(objects)
      .filter(({ pod }) => [...pod.containers, ...(pod.initContainers ?? [])].some((c) => ((c.envFrom ?? []) as Array<{ secretRef?: { name: string } }>).some((f) => f.secretRef?.name.startsWith('agent-platform-database'))))
      .map(({ owner }) => owner.kind);
    expect(readers).toEqual(['Job']);
    for (const secret of kinds(objects, 'Secret').filter((x) => x.metadata.name.startsWith('agent-platform-secrets'))) {
      expect(Object.keys(secret.data ?? {})).not.toEqual(expect.arrayContaining(['DATABASE_URL']));
    }
  });

  describe('a broken manifest fails', () => {
    let copy: string;
    beforeEach(() => {
      copy = mkdtempSync(join(tmpdir(), 'k8s-planted-'));
      cpSync(join(ROOT, 'k8s'), copy, { recursive: true });
    });
    afterEach(() => rmSync(copy, { recursive: true, force: true }));

    it('an object the schema refuses is named with what is wrong', async () => {
      appendFileSync(
        join(copy, 'base/apps/services.yaml'),
        ['---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: broken', 'spec:', '  replicas: two', '  selector:', '    matchLabels: {app.kubernetes.io/component: broken}', '  template:', '    metadata:', '      labels: {app.kubernetes.io/component: broken}', '    spec:', '      containers: []', ''].join('\n'),
      );
      const problems = await validateSchemas(render(join(copy, 'overlays/prod')));
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^Deployment\/broken: .*replicas must be integer/)]));
    });

    it('a kind no schema knows is refused', async () => {
      writeFileSync(join(copy, 'base/apps/typo.yaml'), 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: typo\n');
      const kustomization = join(copy, 'base/kustomization.yaml');
      writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace('  - apps/services.yaml', '  - apps/services.yaml\n  - apps/typo.yaml'));
      expect(await validateSchemas(render(join(copy, 'overlays/dev')))).toEqual(['Deploymnet/typo: no Kubernetes schema for apps/v1 Deploymnet']);
    });

    it('a probe on an undeclared port, a Service selecting nothing and a missing ConfigMap are named', () => {
      const services = join(copy, 'base/patches/service-probes.yaml');
      writeFileSync(services, readFileSync(services, 'utf8').replace('path: /health/ready\n              port: health', 'path: /health/ready\n              port: metrics'));
      const gateway = join(copy, 'base/apps/gateway.yaml');
      writeFileSync(gateway, readFileSync(gateway, 'utf8').replace('  selector:\n    app.kubernetes.io/component: gateway', '  selector:\n    app.kubernetes.io/component: gateways'));
      const objects = render(join(copy, 'overlays/prod')).filter((o) => o.kind !== 'ConfigMap');
      const problems = operationalProblems(objects);
      expect(problems).toEqual(expect.arrayContaining(['Deployment/identity: readinessProbe probes port "metrics", which the container does not declare', 'Service/gateway: selects no pod']));
      expect(problems.some((p) => /^Deployment\/gateway: reads ConfigMap agent-platform-config-\w+, which is not there$/.test(p))).toBe(true);
    });

    it('kustomize errors (a patch for a file that is not there) fail the render with its message', () => {
      const kustomization = join(copy, 'overlays/dev/kustomization.yaml');
      writeFileSync(kustomization, `${readFileSync(kustomization, 'utf8')}\npatchesStrategicMerge:\n  - not-there.yaml\n`);
      expect(() => render(join(copy, 'overlays/dev'))).toThrow(/kubectl kustomize .* failed: .*not-there\.yaml/s);
    });
  });
});

describe('docker-compose.yml', () => {
  const file = join(ROOT, 'docker-compose.yml');
  const secrets: Record<string, string> = {
    JWT_SECRET: 'c'.repeat(64),
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
    POSTGRES_PASSWORD: 'a1b2c3d4',
    ...Object.fromEntries(APPS.map((app) => [`NATS_PASSWORD_${app.toUpperCase()}`, `nats-${app}-0123456789`])),
    ...Object.fromEntries(['IDENTITY', 'AGENT', 'WORKFLOW', 'CONVERSATION', 'INTEGRATION', 'EXECUTION'].map((service) => [`${service}_DB_PASSWORD`, `${service.toLowerCase()}-pw-1`])),
  };

  it('is valid with its secrets set', () => {
    expect(composeConfig(file, secrets)).toEqual({ status: 0, output: '' });
  });

  it.each(Object.keys(secrets))('refuses to start without %s, saying how to set it', (missing) => {
    const env: Record<string, string> = { ...secrets };
    delete env[missing];
    const result = composeConfig(file, env);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(new RegExp(`set ${missing} \\(.+\\) in \\.env`));
  });

  it('runs NATS with the generated users, and each app as its own NATS user with its own password', () => {
    requireTool('docker-compose');
    const rendered = execFileSync('docker-compose', ['-f', file, 'config'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...secrets } });
    const services = (load(rendered) as { services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: unknown[] }> }).services;
    for (const app of APPS) {
      const env = services[app].environment ?? {};
      expect([app, env.NATS_USER, env.NATS_PASSWORD]).toEqual([app, app, secrets[`NATS_PASSWORD_${app.toUpperCase()}`]]);
    }
    expect(services.nats.command?.slice(0, 2)).toEqual(['-c', '/etc/nats/bus-users.conf']);
    expect(JSON.stringify(services.nats.volumes)).toContain('k8s/base/nats/bus-users.conf');
    for (const app of APPS) expect(services.nats.environment?.[`NATS_PASSWORD_${app.toUpperCase()}`]).toBe(secrets[`NATS_PASSWORD_${app.toUpperCase()}`]);
  });

  it('gives every service a health check and memory and CPU limits (the one-shot migrate step limits only)', () => {
    requireTool('docker-compose');
    const rendered = execFileSync('docker-compose', ['-f', file, 'config'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...secrets } });
    const services = (load(rendered) as { services: Record<string, { healthcheck?: { test?: unknown; disable?: boolean }; mem_limit?: unknown; cpus?: unknown }> }).services;
    expect(Object.keys(services).sort()).toEqual([...APPS, 'migrate', 'nats', 'postgres'].sort());
    for (const [name, service] of Object.entries(services)) {
      expect([name, Boolean(service.healthcheck?.test) && JSON.stringify(service.healthcheck?.test) !== '["NONE"]' && !service.healthcheck?.disable, Boolean(service.mem_limit), Boolean(service.cpus)]).toEqual([name, name !== 'migrate', true, true]);
    }
  });

  it('gives each service its own database role; only the migrate step gets the superuser, and the services start after it', () => {
    requireTool('docker-compose');
    const rendered = execFileSync('docker-compose', ['-f', file, 'config'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...secrets } });
    const services = (load(rendered) as { services: Record<string, { environment?: Record<string, string>; depends_on?: Record<string, { condition: string }> }> }).services;
    const userOf = (url: string | undefined) => (url ? decodeURIComponent(new URL(url).username) : undefined);
    for (const name of APPS.filter((app) => app !== 'gateway')) {
      expect([name, userOf(services[name].environment?.DATABASE_URL), services[name].depends_on?.migrate?.condition]).toEqual([name, `ap_${name}`, 'service_completed_successfully']);
      expect(services.migrate.environment?.[`${name.toUpperCase()}_DATABASE_URL`]).toBe(services[name].environment?.DATABASE_URL);
    }
    expect(services.gateway.environment?.DATABASE_URL).toBeUndefined();
    expect(Object.entries(services).filter(([, service]) => service.environment?.DATABASE_ADMIN_URL).map(([name]) => name)).toEqual(['migrate']);
    expect(userOf(services.migrate.environment?.DATABASE_ADMIN_URL)).toBe('agent');
  });

  it('a broken compose file fails validation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-planted-'));
    try {
      const broken = join(dir, 'docker-compose.yml');
      writeFileSync(broken, readFileSync(file, 'utf8').replace('  nats:\n    image: nats:2.10-alpine', '  nats:\n    image: nats:2.10-alpine\n    restart_policy_typo: always'));
      const result = composeConfig(broken, secrets);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/restart_policy_typo/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  // ER0012 asks for Debian package versions pinned in apt-get install: a pin breaks the build as
  // soon as Debian ships a security update of the package, so the image takes bookworm's current tini.
  const lint = (path: string): Array<{ lineNumber: number; code: string; message: string }> => {
    requireTool('shellcheck');
    const out = execFileSync(process.execPath, [join(ROOT, 'node_modules/dockerlinter/bin/dockerfilelinter.js'), '-f', path, '-s', 'sh', '-i', 'ER0012', '-j'], { encoding: 'utf8' });
    return JSON.parse(out.trim() || '[]') as Array<{ lineNumber: number; code: string; message: string }>;
  };

  it('passes the Dockerfile linter (its RUN lines through shellcheck)', () => {
    expect(lint(join(ROOT, 'Dockerfile'))).toEqual([]);
  });

  it('a broken Dockerfile fails the linter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockerfile-planted-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM node:latest\nRUN apt-get update && apt-get install -y curl\nADD . /app\nWORKDIR app\n');
      expect(lint(join(dir, 'Dockerfile')).map((p) => p.code)).toEqual(expect.arrayContaining(['EF0003', 'EA0002', 'EW0001']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('installs from the lockfile, has a HEALTHCHECK, and pins its base image by digest or says why not', () => {
    expect(dockerfile).toMatch(/^RUN npm ci /m);
    // The only `npm install` brings npm itself to the version the lockfile needs.
    expect(dockerfile.match(/^RUN .*npm install.*$/gm)).toEqual(['RUN npm install --global "npm@${NPM_VERSION}" && npm cache clean --force']);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*CMD \["node", "dist\/scripts\/healthcheck\.js"\]/m);
    const base = /^ARG NODE_IMAGE=(.+)$/m.exec(dockerfile)?.[1] ?? '';
    if (!base.includes('@sha256:')) expect(dockerfile).toMatch(/Pinned by version tag, not by digest, on purpose: .+/);
  });
});
