// The Dockerfile, without a Docker engine: dockerfile-utils (the validator behind VS Code's Dockerfile
// support) finds no problem in it, and its parse shows the properties the image promises.
import { readFileSync } from 'node:fs';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const text = readFileSync(new URL('Dockerfile', root), 'utf8');

interface Stage {
  from: string;
  name: string | null;
  instructions: { keyword: string; args: string }[];
}

/** The Dockerfile's build stages, each with its instructions (continuation lines joined). */
function stages(content: string): Stage[] {
  const result: Stage[] = [];
  for (const instruction of DockerfileParser.parse(content).getInstructions() as Instruction[]) {
    const keyword = instruction.getKeyword();
    const args = instruction.toString().slice(keyword.length).replace(/\\\n\s*/g, ' ').trim();
    if (keyword === 'FROM') {
      const [from = '', as, name = null] = args.split(/\s+/);
      result.push({ from, name: as?.toUpperCase() === 'AS' ? name : null, instructions: [] });
    }
    result.at(-1)?.instructions.push({ keyword, args });
  }
  return result;
}

const all = stages(text);
const runtime = all.at(-1)!;
const args = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('Dockerfile', () => {
  it('has no problem dockerfile-utils can find', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is checked by a validator that does find problems', () => {
    const broken = 'FROM node:24-slim\nEXPOSE port-nine\nHEALTHCHECK --interval=often CMD true\nCOPY\n';
    expect(validate(broken).length).toBeGreaterThanOrEqual(3);
  });

  it('type-checks in a build stage with dev dependencies, and installs production dependencies alone', () => {
    const build = all.find((stage) => stage.name === 'build')!;
    expect(args(build, 'RUN').join('\n')).toMatch(/npm ci /);
    expect(args(build, 'RUN').join('\n')).toMatch(/tsc --noEmit -p \./);
    const production = all.find((stage) => args(stage, 'RUN').some((run) => run.includes('npm ci --omit=dev')))!;
    expect(production).toBeDefined();
    // the fallback of scripts/ensure-env.mjs, for a lock file without other platforms' optional packages
    expect(args(production, 'RUN').join('\n')).toMatch(/grep -q 'in sync' .* npm install --omit=dev --no-save/s);
  });

  it('runs on Node 24 slim from pinned tags, with only what the daemon needs from the other stages', () => {
    const images = args(all[0]!, 'ARG').concat(all.flatMap((stage) => stage.from));
    expect(images.join(' ')).not.toMatch(/:latest\b/);
    expect(text).toMatch(/ARG NODE_RUNTIME_IMAGE=node:24-[a-z-]*slim\n/);
    expect(runtime.from).toBe('${NODE_RUNTIME_IMAGE}');
    expect(args(runtime, 'COPY')).toEqual([
      '--from=production-dependencies /app/node_modules ./node_modules',
      '--from=build /src/package.json ./',
      '--from=build /src/bin ./bin',
      '--from=build /src/src ./src',
      'config/offhours.yaml /etc/offhours/offhours.yaml',
    ]);
    expect(args(runtime, 'RUN')).toEqual([]); // nothing installed or written at run time
  });

  it('runs as a numeric non-root user, exposes 9464, checks /healthz with node, and runs the daemon', () => {
    expect(args(runtime, 'USER')).toEqual(['1000:1000']);
    expect(args(runtime, 'EXPOSE')).toEqual(['9464']);
    const [healthcheck] = args(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*\/healthz.*"\]$/);
    expect(healthcheck).not.toMatch(/curl|wget/);
    expect(args(runtime, 'ENTRYPOINT')).toEqual(['["node", "bin/offhours.mjs"]']);
    expect(args(runtime, 'CMD')).toEqual(['["run", "--config", "/etc/offhours/offhours.yaml"]']);
  });

  it('builds from an allow-list context: no node_modules, .git or local files', () => {
    const ignore = readFileSync(new URL('.dockerignore', root), 'utf8').split('\n').filter((line) => line && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(ignore.slice(1).sort()).toEqual(['!bin/', '!config/offhours.yaml', '!package-lock.json', '!package.json', '!src/', '!tsconfig.json']);
    // everything the Dockerfile copies from the context is allowed in
    for (const stage of all) {
      for (const copy of args(stage, 'COPY').filter((c) => !c.startsWith('--from'))) {
        for (const source of copy.split(/\s+/).slice(0, -1)) {
          const entry = source.includes('.') ? source : `${source.replace(/\/$/, '')}/`; // files have an extension here
          expect(ignore, source).toContain(`!${entry}`);
        }
      }
    }
  });
});
