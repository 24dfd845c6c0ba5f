import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import { requireTool } from '../support/tools';

describe('docker-compose.yml', () => {
  it('is accepted by the Compose loader (what `docker compose config` runs) with every service', () => {
    const checker = requireTool(path.join(projectRoot, '.tools', 'bin', 'compose-config'));
    const out = execFileSync(checker, [path.join(projectRoot, 'docker-compose.yml')], { encoding: 'utf8', env: { JWT_SECRET: 'x'.repeat(40) } });
    for (const svc of ['postgres', 'temporal', 'temporal-ui', 'worker', 'api']) expect(out).to.match(new RegExp(`^  ${svc}:`, 'm'));
    expect(out).to.contain('healthcheck');
    // Compiled JavaScript, with plain node; the worker has a health check of its own.
    expect(out).to.not.match(/tsx/);
    expect(out).to.match(/dist\/scripts\/worker-health\.js/);
    // Only the API is published to the world; the Temporal UI on loopback; the frontend not at all.
    expect(out).to.not.match(/published: "7233"/);
    expect(out).to.match(/host_ip: 127\.0\.0\.1\s+target: 8080/);
  });

  it('gives the worker, the API and the migration the data volume at the image’s DATA_DIR', () => {
    const checker = requireTool(path.join(projectRoot, '.tools', 'bin', 'compose-config'));
    const out = execFileSync(checker, [path.join(projectRoot, 'docker-compose.yml')], { encoding: 'utf8', env: { JWT_SECRET: 'x'.repeat(40) } });
    for (const svc of ['migrate', 'worker', 'api']) {
      const block = out.slice(out.search(new RegExp(`^  ${svc}:`, 'm'))).split(/\n  (?=\S)/)[0]!;
      expect(block, svc).to.match(/source: loanflow-data\s+target: \/var\/lib\/loanflow/);
    }
    expect(out).to.match(/^volumes:[\s\S]*^  loanflow-data:/m);
  });

  it('refuses to start without a JWT secret of its own (a default written in the file would be public)', () => {
    const checker = requireTool(path.join(projectRoot, '.tools', 'bin', 'compose-config'));
    let message = '';
    try {
      execFileSync(checker, [path.join(projectRoot, 'docker-compose.yml')], { encoding: 'utf8', env: {}, stdio: 'pipe' });
    } catch (e) {
      message = String((e as { stderr?: string }).stderr ?? e);
    }
    expect(message).to.match(/JWT_SECRET/);
  });
});

describe('Dockerfile', () => {
  /** The repository's top-level folders a file reaches through relative imports, transitively. */
  function foldersReachedFrom(entries: string[]): Set<string> {
    const seen = new Set<string>();
    const folders = new Set<string>();
    const resolve = (from: string, spec: string): string | undefined => {
      const base = path.resolve(path.dirname(from), spec);
      return [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    };
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      folders.add(path.relative(projectRoot, file).split(path.sep)[0]!);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|require(?:\.resolve)?\(\s*|import\(\s*)'(\.\.?\/[^']+)'/g)) {
        const target = resolve(file, m[1]!);
        if (target) visit(target);
      }
    };
    for (const e of entries) visit(path.join(projectRoot, e));
    return folders;
  }

  const dockerfile = () => fs.readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8');
  const finalStage = (text: string) => text.slice(text.lastIndexOf('\nFROM '));

  it('compiles every folder the worker, the API and the migrations import in its build stages', () => {
    const text = dockerfile();
    const building = text.slice(0, text.lastIndexOf('\nFROM '));
    const copied = new Set([...building.matchAll(/^COPY (?!--from)(\S+) /gm)].map((m) => m[1]!.replace(/\/$/, '')));
    const needed = [...foldersReachedFrom(['scripts/api.ts', 'scripts/worker.ts', 'scripts/migrate.ts'])].filter((f) => !f.includes('.'));
    expect(needed).to.include.members(['api', 'usecases', 'workflows', 'db', 'domain']);
    expect(needed.filter((f) => !copied.has(f)), 'folders imported but not copied into a build stage').to.deep.equal([]);
    expect(building).to.match(/^RUN npm run build$/m);
  });

  it('runs the compiled JavaScript with plain node, as the unprivileged node user, with a health check', () => {
    const last = finalStage(dockerfile());
    expect(last).to.match(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(last, 'no sources in the image').to.not.match(/^COPY (?!--from)(api|usecases|workflows|db|domain|scripts) /m);
    expect(last).to.match(/^USER node$/m);
    expect(last).to.match(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(last).to.match(/^CMD \["node", "dist\/scripts\/api\.js"\]$/m);
  });

  it('keeps DATA_DIR outside the code, in a volume the node user owns', () => {
    const last = finalStage(dockerfile());
    expect(last).to.match(/^ENV DATA_DIR=\/var\/lib\/loanflow$/m);
    expect(last).to.match(/^RUN mkdir -p \/var\/lib\/loanflow && chown node:node \/var\/lib\/loanflow$/m);
    expect(last).to.match(/^VOLUME \["\/var\/lib\/loanflow"\]$/m);
  });
});
