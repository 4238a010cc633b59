import type { HttpToolMethod } from '#contracts';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;

/** The argument names a URL template reads (`{city}`). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/**
 * What is wrong with a URL template, or null. The scheme, host and port must not depend on the
 * arguments (a model must not choose where the request goes), so they are compared with two
 * different fillings; every placeholder must be a declared parameter.
 */
export function templateProblem(template: string, parameters: Record<string, unknown>): string | null {
  let a: URL;
  let b: URL;
  try {
    a = new URL(template.replace(PLACEHOLDER, 'a'));
    b = new URL(template.replace(PLACEHOLDER, 'b'));
  } catch {
    return 'urlTemplate must be an absolute http or https URL';
  }
  if (a.protocol !== 'http:' && a.protocol !== 'https:') return 'urlTemplate must be an http or https URL';
  if (a.username !== '' || a.password !== '') return 'urlTemplate must not contain credentials';
  if (a.origin !== b.origin) return 'the scheme, host and port of urlTemplate must not contain {placeholders}';
  const declared = new Set(Object.keys((parameters.properties as Record<string, unknown> | undefined) ?? {}));
  const undeclared = placeholdersOf(template).filter((name) => !declared.has(name));
  if (undeclared.length > 0) return `urlTemplate uses ${undeclared.map((n) => `{${n}}`).join(', ')}, which parameters.properties does not declare`;
  return null;
}

/** What is wrong with a parameters schema, or null: it must describe an object. */
export function parametersProblem(parameters: Record<string, unknown>): string | null {
  if (parameters.type !== 'object') return 'parameters must be a JSON Schema with "type": "object"';
  const properties = parameters.properties;
  if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) return 'parameters.properties must be an object';
  return null;
}

/**
 * The request for one call: placeholders filled with the URL-encoded argument, the other
 * arguments in the query (GET, DELETE) or as a JSON body.
 */
export function buildHttpRequest(method: HttpToolMethod, template: string, args: Record<string, unknown>): { url: URL; body?: string } {
  const used = new Set(placeholdersOf(template));
  const url = new URL(template.replace(PLACEHOLDER, (_, name: string) => encodeURIComponent(scalar(args[name]))));
  const rest = Object.fromEntries(Object.entries(args).filter(([name, value]) => !used.has(name) && value !== undefined));
  if (method === 'GET' || method === 'DELETE') {
    for (const [name, value] of Object.entries(rest)) url.searchParams.append(name, scalar(value));
    return { url };
  }
  return { url, body: JSON.stringify(rest) };
}

function scalar(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
