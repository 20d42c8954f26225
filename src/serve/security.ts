import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The workspace's guard, checked on every request before any route (docs/serve.md, "Security"):
 * the store is an incident's evidence, and other local processes and web pages the analyst has
 * open must not read it, so loopback alone is not trusted (as Jupyter does).
 */
export const WORKSPACE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The session cookie's name, with the port: browsers keep cookies by host, not port, so two
 * workspaces on 127.0.0.1 (two cases at once) would otherwise overwrite each other's session.
 */
export function sessionCookieName(port: number): string {
  return `trailbook_session_${port}`;
}

/** 32 random bytes, base64url: the secret in the URL the server prints, then in the cookie. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant time whatever the lengths: both sides are hashed first, so only equal digests match. */
export function sameToken(given: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * The Host headers a browser sends for this server: the loopback names, or the --host given.
 * Anything else is a page on another name that resolved to this address (DNS rebinding).
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const given = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  if (!names.includes(given)) names.push(given);
  return new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
}

/** A refusal: the status and the words said. */
export interface Refusal {
  status: number;
  message: string;
}

export interface GateContext {
  token: string;
  hosts: ReadonlySet<string>;
  /** `sessionCookieName(port)`. */
  cookie: string;
}

export type GateResult = { ok: true; viaQuery: boolean } | ({ ok: false } & Refusal);

/**
 * Host, then Origin, then the content type of anything but GET/HEAD, then the session: the token
 * in the query (exchanged for the cookie), the cookie, or `Authorization: Bearer`.
 */
export function checkRequest(request: IncomingMessage, url: URL, context: GateContext): GateResult {
  const host = (request.headers.host ?? '').toLowerCase();
  if (!context.hosts.has(host)) return { ok: false, status: 421, message: 'this server answers only to its own address (Host header refused)' };
  const origin = request.headers.origin;
  if (origin !== undefined && !context.hosts.has(originHost(origin))) {
    return { ok: false, status: 403, message: 'requests from another origin are refused' };
  }
  const method = request.method ?? 'GET';
  if (!fetchedFromHere(request, method)) return { ok: false, status: 403, message: 'requests from another page are refused' };
  if (method !== 'GET' && method !== 'HEAD') {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return { ok: false, status: 415, message: 'send JSON (Content-Type: application/json)' };
  }
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && method === 'GET' && url.pathname === '/' && sameToken(fromQuery, context.token)) return { ok: true, viaQuery: true };
  const presented = cookieOf(request.headers.cookie, context.cookie) ?? bearerOf(request.headers.authorization);
  if (presented !== undefined && sameToken(presented, context.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, message: 'open the workspace with the URL trailbook serve printed (it carries the access token)' };
}

/**
 * `Sec-Fetch-Site` (sent by browsers, never by scripts that do not set it): what the app fetches
 * is same-origin, a typed or pasted URL `none`. Anything else is another page loading this one's
 * URLs without an Origin header (an <img> or <script> from another port of 127.0.0.1 is
 * same-site and would carry the cookie); only a top-level GET navigation (a link to the
 * workspace) may come from elsewhere.
 */
function fetchedFromHere(request: IncomingMessage, method: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return true;
  return request.headers['sec-fetch-mode'] === 'navigate' && (method === 'GET' || method === 'HEAD');
}

/** `host:port` of an Origin (`http://127.0.0.1:7443`), or '' when it is not one (`null`, garbage). */
function originHost(origin: string): string {
  try {
    const parsed = new URL(origin);
    return parsed.protocol === 'http:' ? parsed.host.toLowerCase() : '';
  } catch {
    return '';
  }
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** The cookie that carries the session: script cannot read it, other sites never send it. */
export function sessionCookie(name: string, token: string): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
