import { Injectable } from '@nestjs/common';
import {
  type Actor,
  BUILTIN_TOOL_NAMES,
  type CreateHttpToolRequest,
  type HttpToolFields,
  type HttpToolList,
  type HttpToolView,
  type ListHttpToolsQuery,
  requireUserId,
  type UpdateHttpToolRequest,
} from '#contracts';
import { OutboundAddressError, OutboundPolicy } from '#outbound';
import { Database, decodeCursor, encodeCursor, isUniqueViolation, newId, pageOf } from '#persistence';
import { ConnectionsService } from '../connections/connections.service.js';
import { refusedAddress } from '../outbound-address.js';
import { SecretsService } from '../secrets/secrets.service.js';
import { HttpToolEntity } from './http-tool.entity.js';
import { buildHttpRequest, parametersProblem, templateProblem } from './http-tool-request.js';
import { ToolRegistryErrors } from './tool-registry.errors.js';
import { builtinToolViews, toHttpToolView } from './tool-registry.mapper.js';
import { ToolRegistryRepository } from './tool-registry.repository.js';

export type { HttpToolEntity } from './http-tool.entity.js';

const DEFAULT_LIMIT = 20;
const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };
/** Bytes of a response the model reads; the rest is cut, and it is told so. */
const MAX_RESPONSE_BYTES = 100_000;

/** What an HTTP call answered: the text the model reads, and whether it is an error (status 400 or more). */
export interface HttpToolAnswer {
  text: string;
  isError: boolean;
}

/**
 * The tool registry: HTTP tools a user defines (a method, a URL template, JSON-schema parameters,
 * and auth by an encrypted header or an OAuth connection), listed with the built-ins. Every call
 * goes through the outbound policy: the URL is checked after DNS resolution and on each redirect.
 */
@Injectable()
export class ToolRegistryService {
  constructor(
    private readonly tools: ToolRegistryRepository,
    private readonly connections: ConnectionsService,
    private readonly secrets: SecretsService,
    private readonly policy: OutboundPolicy,
    private readonly database: Database,
  ) {}

  async create(actor: Actor, request: CreateHttpToolRequest): Promise<HttpToolView> {
    const ownerId = requireUserId(actor);
    if (request.name === undefined) throw ToolRegistryErrors.required('name');
    if (request.urlTemplate === undefined) throw ToolRegistryErrors.required('urlTemplate');
    const method = request.method ?? 'GET';
    const tool = Object.assign(new HttpToolEntity(), {
      id: newId(),
      ownerId,
      name: request.name,
      description: request.description ?? '',
      method,
      urlTemplate: request.urlTemplate,
      parameters: request.parameters ?? EMPTY_OBJECT_SCHEMA,
      authType: 'none' as const,
      authHeaderName: null,
      authHeaderSealed: null,
      authConnectionId: null,
      idempotent: request.idempotent ?? method === 'GET',
      isActive: request.isActive ?? true,
    });
    await this.applyFields(ownerId, tool, request);
    try {
      return toHttpToolView(await this.tools.insert(tool));
    } catch (err) {
      if (isUniqueViolation(err, 'tools_owner_id_name_uq')) throw ToolRegistryErrors.nameTaken(tool.name);
      throw err;
    }
  }

  async list(actor: Actor, query: ListHttpToolsQuery): Promise<HttpToolList> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const beforeId = query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id;
    const rows = await this.tools.list(requireUserId(actor), limit + 1, beforeId);
    const page = pageOf(rows, limit, toHttpToolView, (tool) => encodeCursor({ id: tool.id }));
    return { builtins: beforeId === undefined ? builtinToolViews() : [], ...page };
  }

  async get(actor: Actor, id: string): Promise<HttpToolView> {
    return toHttpToolView(await this.requireOwned(requireUserId(actor), id));
  }

  async update(actor: Actor, request: UpdateHttpToolRequest): Promise<HttpToolView> {
    const ownerId = requireUserId(actor);
    const tool = await this.requireOwned(ownerId, request.id);
    await this.applyFields(ownerId, tool, request);
    try {
      return toHttpToolView(await this.tools.save(tool));
    } catch (err) {
      if (isUniqueViolation(err, 'tools_owner_id_name_uq')) throw ToolRegistryErrors.nameTaken(tool.name);
      throw err;
    }
  }

  async delete(actor: Actor, id: string): Promise<void> {
    if (!(await this.tools.delete(requireUserId(actor), id))) throw ToolRegistryErrors.notFound();
  }

  async requireOwned(ownerId: string, id: string): Promise<HttpToolEntity> {
    const tool = await this.tools.findOwned(ownerId, id);
    if (!tool) throw ToolRegistryErrors.notFound();
    return tool;
  }

  /** The owner's tools among `ids`; the others are missing or another owner's. */
  ownedIn(ownerId: string, ids: string[]): Promise<HttpToolEntity[]> {
    return this.tools.findOwnedIn(ownerId, ids);
  }

  /** The owner's active tools, newest first (at most 500). */
  active(ownerId: string): Promise<HttpToolEntity[]> {
    return this.tools.list(ownerId, 500, undefined, true);
  }

  /** One call of the owner's tool with the model's arguments (already checked against its schema by the caller). */
  async call(ownerId: string, id: string, args: Record<string, unknown>, signal: AbortSignal): Promise<HttpToolAnswer> {
    const tool = await this.requireOwned(ownerId, id);
    if (!tool.isActive) return { text: `Error: the tool ${tool.name} is switched off`, isError: true };
    const { url, body } = buildHttpRequest(tool.method, tool.urlTemplate, args);
    const headers: Record<string, string> = { accept: 'application/json, text/*;q=0.9, */*;q=0.1' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (tool.authType === 'header' && tool.authHeaderName && tool.authHeaderSealed) {
      headers[tool.authHeaderName.toLowerCase()] = this.secrets.open(tool.authHeaderSealed, ownerId, 'tools', tool.id, 'header');
    }
    if (tool.authType === 'connection' && tool.authConnectionId) {
      headers.authorization = `Bearer ${await this.connections.accessToken(ownerId, tool.authConnectionId)}`;
    }
    let response: Response;
    try {
      response = await this.policy.fetch(url, { method: tool.method, headers, body, signal });
    } catch (err) {
      if (err instanceof OutboundAddressError) return { text: `Error: ${err.reason}`, isError: true };
      throw err;
    }
    const text = await readLimited(response, MAX_RESPONSE_BYTES);
    return { text: `HTTP ${response.status}\n${text}`, isError: response.status >= 400 };
  }

  /** Account deletion, in the caller's transaction. */
  async deleteAllOf(ownerId: string): Promise<void> {
    await this.database.transaction(() => this.tools.deleteByOwner(ownerId));
  }

  /** Checks and applies the fields given (create and PATCH alike); secrets are sealed, never kept in clear. */
  private async applyFields(ownerId: string, tool: HttpToolEntity, fields: HttpToolFields): Promise<void> {
    if (fields.name !== undefined) {
      if ((BUILTIN_TOOL_NAMES as readonly string[]).includes(fields.name)) throw ToolRegistryErrors.builtinName(fields.name);
      tool.name = fields.name;
    }
    if (fields.description !== undefined) tool.description = fields.description;
    if (fields.method !== undefined) tool.method = fields.method;
    if (fields.parameters !== undefined) {
      const problem = parametersProblem(fields.parameters);
      if (problem) throw ToolRegistryErrors.badParameters(problem);
      tool.parameters = fields.parameters;
    }
    if (fields.urlTemplate !== undefined || fields.parameters !== undefined) {
      const problem = templateProblem(fields.urlTemplate ?? tool.urlTemplate, tool.parameters);
      if (problem) throw ToolRegistryErrors.badUrl(problem);
      if (fields.urlTemplate !== undefined) {
        await this.checkAddress(fields.urlTemplate);
        tool.urlTemplate = fields.urlTemplate;
      }
    }
    if (fields.idempotent !== undefined) tool.idempotent = fields.idempotent;
    if (fields.isActive !== undefined) tool.isActive = fields.isActive;
    const auth = fields.auth;
    if (auth === undefined) return;
    if (auth.type === 'header') {
      const headerName = auth.headerName ?? (tool.authType === 'header' ? tool.authHeaderName : null);
      if (!headerName) throw ToolRegistryErrors.badAuth('headerName', 'auth.headerName is required for auth type header');
      if (auth.headerValue === undefined && tool.authHeaderSealed === null) throw ToolRegistryErrors.badAuth('headerValue', 'auth.headerValue is required for auth type header');
      tool.authHeaderName = headerName;
      if (auth.headerValue !== undefined) tool.authHeaderSealed = this.secrets.seal(auth.headerValue, ownerId, 'tools', tool.id, 'header');
      tool.authConnectionId = null;
    } else if (auth.type === 'connection') {
      if (!auth.connectionId) throw ToolRegistryErrors.badAuth('connectionId', 'auth.connectionId is required for auth type connection');
      await this.connections.assertOwned(ownerId, auth.connectionId);
      tool.authConnectionId = auth.connectionId;
      tool.authHeaderName = null;
      tool.authHeaderSealed = null;
    } else {
      tool.authHeaderName = null;
      tool.authHeaderSealed = null;
      tool.authConnectionId = null;
    }
    tool.authType = auth.type;
  }

  /** A template whose host is internal is refused when saved (and every call is checked again after DNS resolution). */
  private async checkAddress(template: string): Promise<void> {
    const refused = await refusedAddress(this.policy, template.replace(/\{[^}]*\}/g, 'x'));
    if (refused) throw ToolRegistryErrors.badUrl(refused);
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return `${Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8')}\n[truncated: the body exceeds ${maxBytes} bytes]`;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
