/**
 * A small HTTPS client for simulator tests: trusts only the simulator's CA and returns the parsed
 * JSON body with the status code.
 */
import https from 'node:https';

/** A response as the tests inspect it. */
export interface TestResponse {
  status: number;
  contentType: string | undefined;
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

  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
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
          try {
            resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body: text === '' ? undefined : JSON.parse(text) });
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
