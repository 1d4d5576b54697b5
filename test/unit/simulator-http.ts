/**
 * A small HTTPS client for simulator tests: trusts only the simulator's CA and returns the parsed
 * JSON body with the status code.
 */
import https from 'node:https';

/** A response as the tests inspect it. */
export interface TestResponse {
  status: number;
  contentType: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; for a watch (`application/json;stream=watch`), the array of events. */
  body: unknown;
}

/** Options of one test request. */
export interface TestRequest {
  method?: string;
  path: string;
  /** Bearer value; omitted means no `Authorization` header. */
  token?: string;
  /** A raw `Authorization` header, for malformed cases. */
  authorization?: string;
  body?: unknown;
  /** Content type of the body; default `application/json`. A string body is sent as it is. */
  contentType?: string;
  host?: string;
}

/** Sends one request to the simulator on `port`, verifying its certificate against `caPem`. */
export function requestSimulator(port: number, caPem: string, request: TestRequest): Promise<TestResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.token !== undefined) {
    headers.authorization = `Bearer ${request.token}`;
  }
  if (request.authorization !== undefined) {
    headers.authorization = request.authorization;
  }

  let payload: string | undefined;
  if (typeof request.body === 'string') {
    payload = request.body;
  } else if (request.body !== undefined) {
    payload = JSON.stringify(request.body);
  }
  if (payload !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/json';
    // Node sends DELETE bodies without chunked encoding, so the length must be given.
    headers['content-length'] = String(Buffer.byteLength(payload));
  }

  return new Promise((resolve, reject) => {
    const outgoing = https.request(
      { host: request.host ?? 'localhost', port, path: request.path, method: request.method ?? 'GET', ca: caPem, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = response.headers['content-type'];
          try {
            const body = contentType?.includes('stream=watch')
              ? text
                  .split('\n')
                  .filter((line) => line !== '')
                  .map((line) => JSON.parse(line) as unknown)
              : text === ''
                ? undefined
                : JSON.parse(text);
            resolve({ status: response.statusCode ?? 0, contentType, headers: response.headers, body });
          } catch (error) {
            reject(new Error(`response to ${request.method ?? 'GET'} ${request.path} is not JSON: ${text.slice(0, 200)}`, { cause: error }));
          }
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
