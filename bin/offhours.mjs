#!/usr/bin/env node
// The `offhours` command. Its sources are TypeScript that only Node 24's type stripping runs, so an older Node
// hands over to the Node 24 that `npm run demo` / `npm test` install into .cache/node24 (plain JS for that reason).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const NODE_MAJOR = 24;
const LOCAL_NODE = fileURLToPath(new URL('../.cache/node24/node_modules/.bin/node', import.meta.url));
// Set on the re-exec, so a cached Node that turns out too old fails instead of re-executing forever.
const REEXEC_MARK = 'OFFHOURS_REEXEC';

async function runHere(args) {
  try {
    const { main } = await import('../src/cli/main.ts');
    return await main(args);
  } catch (error) {
    console.error(`offhours: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 2;
  }
}

function runWithLocalNode(args) {
  return new Promise((resolve) => {
    const child = spawn(LOCAL_NODE, [fileURLToPath(import.meta.url), ...args], {
      stdio: 'inherit',
      env: { ...process.env, [REEXEC_MARK]: '1' },
    });
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
    child.once('error', (error) => {
      console.error(`offhours: cannot run ${LOCAL_NODE}: ${error.message}`);
      resolve(2);
    });
    child.once('exit', (code, signal) => resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 2)));
  });
}

async function exitWith(code) {
  // Exit even if a stray handle stays open, but only once what was written to stdout and stderr has drained.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit(code);
}

const args = process.argv.slice(2);
if (Number(process.versions.node.split('.')[0]) >= NODE_MAJOR) {
  await exitWith(await runHere(args));
} else if (existsSync(LOCAL_NODE) && !process.env[REEXEC_MARK]) {
  await exitWith(await runWithLocalNode(args));
} else {
  console.error(
    `offhours needs Node.js ${NODE_MAJOR} or newer (found ${process.version}). ` +
      'Run `npm run demo` once to install it locally, or install Node 24.',
  );
  process.exitCode = 1;
}
