/**
 * A `fetch`-compatible function, for runtimes without undici and for tests. tokenwarden calls it
 * with `redirect: 'manual'` and an abort signal, and reads the body as a stream.
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The parts of an HTTP response the key source needs. */
export interface HttpResponse {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: Uint8Array;
}

export interface HttpGetOptions {
  readonly signal: AbortSignal;
  readonly maxBytes: number;
  /**
   * Makes the request a form POST (RFC 7662 introspection) with these fields and extra headers;
   * `accept` among them replaces the JSON default. @default unset (a GET)
   */
  readonly form?: FormPost | undefined;
}

/** A form POST: the `application/x-www-form-urlencoded` body and the headers to send with it. */
export interface FormPost {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The method, headers and body of a request, the same for both transports. */
export function requestParts(form: FormPost | undefined): { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string } {
  if (form === undefined) return { method: 'GET', headers: { accept: 'application/json' } };
  return {
    method: 'POST',
    headers: { accept: 'application/json', ...form.headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.body,
  };
}

/** GET (or, with `form`, POST) `url`, refusing non-2xx answers (redirects included) and bodies over `maxBytes`. */
export interface HttpGet {
  (url: URL, options: HttpGetOptions): Promise<HttpResponse>;
  /**
   * Loads what the transport needs, once per process, for the key source to await before a
   * fetch's `timeout` starts. Absent when there is nothing to load.
   */
  readonly prepare?: () => Promise<void>;
}

/**
 * A failed key-set request: `status` is the HTTP status of a non-2xx answer, `retryAfter`
 * (seconds) is set when the server sent Retry-After.
 */
export interface HttpError extends Error {
  status?: number;
  retryAfter?: number;
}

export function statusError(status: number, header: (name: string) => string | undefined): HttpError {
  const error: HttpError = new Error(
    status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered HTTP ${status}`,
  );
  error.status = status;
  const retryAfter = parseRetryAfter(header('retry-after'));
  if (retryAfter !== undefined) error.retryAfter = retryAfter;
  return error;
}

export function tooLarge(maxBytes: number): Error {
  return new Error(`response is larger than ${maxBytes} bytes`);
}

/** Retry-After as seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Only an HTTP date (always in GMT) counts: Date.parse would take "2099" as a year.
  if (!/^[A-Za-z]{3,9},? .*\bGMT$/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

export function declaredLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** The transport over a `fetch` function (the user's, or the global one on web runtimes). */
export function fetchGet(fetchImpl: FetchLike): HttpGet {
  return async (url, { signal, maxBytes, form }) => {
    const response = await fetchImpl(url.href, { ...requestParts(form), redirect: 'manual', signal });
    const header = (name: string): string | undefined => response.headers.get(name) ?? undefined;
    const refusal = refusalOf(response.status, header, maxBytes);
    if (refusal !== undefined) {
      discard(response.body);
      throw refusal;
    }
    return { status: response.status, header, body: await readBoundedBody(response, maxBytes) };
  };
}

/** Reads a fetch response's body whole, cancelling it and throwing once it passes `maxBytes`. */
export async function readBoundedBody(response: Response, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        discard(reader);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Cancels a body we will not read, without waiting: when the body is one branch of a tee (a
 * fetch wrapper that clones responses, msw), cancelling settles only once the other branch is
 * cancelled too, which may be never, and no timeout would end the wait.
 */
function discard(body: { cancel(): Promise<void> } | null | undefined): void {
  void body?.cancel().catch(() => undefined);
}

/**
 * Why a response must not be read, judged from its status and headers alone (non-2xx,
 * redirects included, or a declared length over `maxBytes`), or `undefined` when it may be.
 * Both transports ask this before touching the body.
 */
export function refusalOf(status: number, header: (name: string) => string | undefined, maxBytes: number): Error | undefined {
  if (status < 200 || status >= 300) return statusError(status, header);
  const length = declaredLength(header('content-length'));
  return length !== undefined && length > maxBytes ? tooLarge(maxBytes) : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a response body as a JSON object, or throws saying why not. */
export function parseJsonObject(response: HttpResponse): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(response.body));
  } catch {
    throw new Error('response is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('response is not a JSON object');
  }
  return value as Record<string, unknown>;
}
