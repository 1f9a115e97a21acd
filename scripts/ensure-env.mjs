#!/usr/bin/env node
// `npm test`, `npm run demo`, `schema` and `bench` on a fresh clone: bring in what the machine lacks (Node 24,
// node_modules, redis-server), then run the task under Node 24. Plain JavaScript that parses on Node 18, because
// it is what runs before Node 24 exists here.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MAJOR = 24;
const LOCAL_NODE_PREFIX = '.cache/node24';
const LOCAL_NODE = join(ROOT, LOCAL_NODE_PREFIX, 'node_modules/.bin/node');

const bin = (name) => join(ROOT, 'node_modules/.bin', name);

// Every command is a Node script, run by the Node 24 binary. Local bins rather than npx: npx would fetch an
// unrelated package from the registry if one were missing.
const TASKS = {
  test: { redis: true, prometheus: true, scripts: (args) => [[bin('tsc'), '--noEmit', '-p', '.'], [bin('vitest'), 'run', ...args]] },
  demo: { redis: !process.env.REDIS_URL, scripts: (args) => [['bin/offhours.mjs', 'demo', ...args]] },
  schema: { redis: false, scripts: (args) => [['scripts/write-config-schema.ts', ...args]] },
  bench: { redis: !process.env.REDIS_URL, scripts: (args) => [['--expose-gc', '--max-old-space-size=384', 'bench/run-bench.ts', ...args]] },
};

function say(message) {
  console.error(`offhours: ${message}`);
}

function fail(message) {
  say(message);
  process.exit(1);
}

function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

function findOnPath(name, path) {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Runs a setup command to completion; any failure stops the bootstrap with the command that failed. */
function runSetup(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (result.error) fail(`cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`\`${[command, ...args].join(' ')}\` failed (exit ${result.status ?? result.signal})`);
}

function nodeVersion(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Step 1: the path of a Node >= 24 binary (ours, or one installed from the npm registry into .cache/node24). */
function ensureNode() {
  if (majorOf(process.versions.node) >= NODE_MAJOR) return process.execPath;
  const cached = existsSync(LOCAL_NODE) ? nodeVersion(LOCAL_NODE) : undefined;
  if (cached && majorOf(cached) >= NODE_MAJOR) {
    say(`using Node ${cached} from ${LOCAL_NODE_PREFIX} (this Node is ${process.version}; offhours needs ${NODE_MAJOR}+)`);
    return LOCAL_NODE;
  }
  say(`this Node is ${process.version}; installing Node ${NODE_MAJOR} into ${LOCAL_NODE_PREFIX} from the npm registry`);
  // The `node` package fetches its binary in a nested `npm install`; the env keeps that one quiet too.
  const quiet = { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' };
  runSetup('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', LOCAL_NODE_PREFIX, `node@${NODE_MAJOR}`], quiet);
  const installed = nodeVersion(LOCAL_NODE);
  if (!installed || majorOf(installed) < NODE_MAJOR) {
    fail(`the Node installed into ${LOCAL_NODE_PREFIX} does not run (${installed ?? 'no version'}); install Node ${NODE_MAJOR} yourself`);
  }
  say(`installed Node ${installed}`);
  return LOCAL_NODE;
}

/** Step 2: `npm ci` when node_modules is absent or predates package-lock.json. */
function ensureDependencies(env) {
  // npm writes node_modules/.package-lock.json last on every install, so it dates the install (the directory's own
  // mtime does not) and is missing after an interrupted one.
  const installed = join(ROOT, 'node_modules/.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  say(existsSync(join(ROOT, 'node_modules')) ? 'package-lock.json changed; running npm ci' : 'installing dependencies (npm ci)');
  const flags = ['--no-audit', '--no-fund', '--loglevel=error'];
  const ci = spawnSync('npm', ['ci', ...flags], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (ci.error) fail(`cannot run npm: ${ci.error.message}`);
  // A registry that does not serve other platforms' optional binaries (msgpackr-extract for macOS, say) yields a
  // lock file that npm ci calls out of sync although it installs fine on this platform; npm install accepts it.
  if (ci.status !== 0 && /package-lock\.json .* in sync/.test(ci.stderr)) {
    say('npm ci finds package-lock.json incomplete for this registry; running npm install --no-save instead');
    runSetup('npm', ['install', '--no-save', ...flags], env);
    return;
  }
  process.stderr.write(ci.stderr);
  if (ci.status !== 0) fail(`\`npm ci\` failed (exit ${ci.status ?? ci.signal})`);
}

/**
 * Step 3b (tests only): Prometheus and promtool, for the idle-policy test against a real Prometheus and
 * the metric and alert-rule checks. Installed like redis-server where we may; otherwise those tests skip
 * with a message, so this step only advises.
 */
function ensurePrometheus(env) {
  if (findOnPath('prometheus', env.PATH) && findOnPath('promtool', env.PATH)) return;
  const isRoot = process.getuid?.() === 0;
  if (process.platform !== 'linux' || !findOnPath('apt-get', env.PATH) || !isRoot) {
    say('prometheus/promtool not found: the tests that need them will skip (install: sudo apt-get install -y prometheus)');
    return;
  }
  say('prometheus/promtool missing; installing Debian\'s prometheus package with apt-get');
  const apt = (args) => runSetup('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], env);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', 'prometheus']);
}

/** Step 3: redis-server on PATH, installed with apt-get where we may, otherwise the command to run. */
function ensureRedis(env) {
  if (findOnPath('redis-server', env.PATH)) return;
  const advice = process.platform === 'darwin' ? 'brew install redis' : 'sudo apt-get install -y redis-server';
  const isRoot = process.getuid?.() === 0;
  const canSudo = !isRoot && findOnPath('sudo', env.PATH) && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (process.platform !== 'linux' || !findOnPath('apt-get', env.PATH) || !(isRoot || canSudo)) {
    fail(`redis-server is not installed; run: ${advice}`);
  }
  // `env` because sudo drops the caller's environment; noninteractive because CI has no stdin.
  const apt = (args) => {
    const [command, ...rest] = [...(isRoot ? [] : ['sudo', '-n']), 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
    runSetup(command, rest, env);
  };
  say(`redis-server is missing; installing it with apt-get${isRoot ? '' : ' (sudo)'}`);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', 'redis-server']);
  if (!findOnPath('redis-server', env.PATH)) fail(`redis-server is still not on PATH after apt-get; run: ${advice}`);
}

/** Runs one command, passing Ctrl-C, SIGTERM and SIGHUP on to it; resolves with its exit code (128 + n when signalled). */
function runForwardingSignals(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, forward);
    const done = (code) => {
      for (const signal of signals) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (error) => {
      say(`cannot run ${command}: ${error.message}`);
      done(1);
    });
    child.once('exit', (code, signal) => done(signal ? 128 + (osConstants.signals[signal] ?? 0) : (code ?? 1)));
  });
}

/** Step 4: the task's scripts in order, stopping at the first that fails. */
async function runTask(scripts, node, env) {
  for (const args of scripts) {
    const code = await runForwardingSignals(node, args, env);
    if (code !== 0) return code;
  }
  return 0;
}

async function main(argv) {
  const [name, ...rest] = argv;
  const task = TASKS[name];
  if (!task) fail(`usage: node scripts/ensure-env.mjs ${Object.keys(TASKS).join('|')} [-- args]`);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const node = ensureNode();
  // Node 24 first on PATH, so npm (`#!/usr/bin/env node`) and whatever the scripts spawn run on it too.
  const env = { ...process.env, PATH: [dirname(node), process.env.PATH].filter(Boolean).join(delimiter) };
  ensureDependencies(env);
  if (task.redis) ensureRedis(env);
  if (task.prometheus) ensurePrometheus(env);
  return runTask(task.scripts(args), node, env);
}

process.exitCode = await main(process.argv.slice(2));
