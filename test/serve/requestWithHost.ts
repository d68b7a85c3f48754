import { get, type IncomingHttpHeaders } from 'node:http';

export interface PlainResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * GET `url` over a real connection with the given `Host` header, as a browser sends it after DNS
 * rebinding (fetch() always sends the URL's own host, so it cannot make such a request).
 */
export function requestWithHost(url: string, host: string): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { Host: host }, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
  });
}
