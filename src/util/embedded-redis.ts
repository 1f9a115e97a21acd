import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedRedisOptions {
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  logger?: Pick<Logger, 'debug' | 'warn'>;
  /** Keeps redis' snapshot here so a restart (of the demo) finds its state; absent: a throwaway dir, no persistence. */
  dir?: string;
}

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

const READY = 'Ready to accept connections';
// Another process can take the free port we picked before redis binds it; a fresh pick almost always succeeds.
const FREE_PORT_ATTEMPTS = 3;

class PortInUseError extends Error {}

export function redisInstallCommand(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'brew install redis' : 'sudo apt-get install -y redis-server';
}

/** A private redis-server child process for `offhours demo` and tests: no system service, nothing to configure. */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions = {}): Promise<EmbeddedRedis> {
  const scratch = options.dir === undefined ? await mkdtemp(join(tmpdir(), 'offhours-redis-')) : undefined;
  if (options.dir !== undefined) await mkdir(options.dir, { recursive: true });
  const persistence = scratch ? ['--save', '', '--appendonly', 'no'] : ['--save', '60', '1', '--appendonly', 'no'];
  const dir = scratch ?? options.dir!;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = options.port || (await freePort());
      try {
        return await launch(port, ['--dir', dir, ...persistence], scratch, options.logger);
      } catch (error) {
        if (!(error instanceof PortInUseError) || options.port || attempt >= FREE_PORT_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}

async function launch(
  port: number,
  storageArgs: string[],
  scratch: string | undefined,
  logger: EmbeddedRedisOptions['logger'],
): Promise<EmbeddedRedis> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...storageArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await untilReady(child, port, logger);

  // Never leave an orphan redis-server behind when the process exits without calling stop().
  const stopOnExit = () => {
    child.kill('SIGTERM');
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  let stopping: Promise<void> | undefined;
  child.once('exit', (code, signal) => {
    if (!stopping) logger?.warn(`[embedded-redis] redis-server on port ${port} exited unexpectedly (${signal ?? code})`);
  });

  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      (stopping ??= (async () => {
        process.off('exit', stopOnExit);
        await terminate(child);
        if (scratch) await rm(scratch, { recursive: true, force: true });
      })()),
  };
}

/** Resolves once redis listens; rejects with its own output when it exits first. Keeps draining its output after. */
function untilReady(child: ChildProcess, port: number, logger: EmbeddedRedisOptions['logger']): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line.trim()) logger?.debug({ port }, `redis-server: ${line.trim()}`);
      if (ready) return;
      output += text;
      if (output.includes(READY)) {
        ready = true;
        child.off('exit', onEarlyExit);
        resolve();
      }
    };
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) => {
      const tail = output.trim().split('\n').slice(-3).join(' | ');
      const message = `[embedded-redis] redis-server exited (${signal ?? code}) before listening on 127.0.0.1:${port}: ${tail}`;
      reject(/address already in use/i.test(output) ? new PortInUseError(message) : new Error(message));
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('exit', onEarlyExit);
    child.once('error', (error: NodeJS.ErrnoException) => {
      child.off('exit', onEarlyExit);
      reject(
        error.code === 'ENOENT'
          ? new Error(`[embedded-redis] redis-server is not on PATH; install it with: ${redisInstallCommand()}`)
          : new Error(`[embedded-redis] cannot start redis-server: ${error.message}`),
      );
    });
  });
}

/** SIGTERM lets redis write its final snapshot; SIGKILL only if it hangs. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
  force.unref();
  await exited;
  clearTimeout(force);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('[embedded-redis] no free port'))));
    });
  });
}
