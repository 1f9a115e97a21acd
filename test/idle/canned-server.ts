// A loopback HTTP server answering what the test says, for the idle signal readers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CannedServer {
  url: string;
  /** every request path (with query) received, in order */
  paths: string[];
  close(): Promise<void>;
}

export async function cannedServer(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<CannedServer> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(status: number, body: unknown): (request: IncomingMessage, response: ServerResponse) => void {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** A URL nothing listens on. */
export async function closedUrl(): Promise<string> {
  const server = await cannedServer(() => {});
  await server.close();
  return server.url;
}
