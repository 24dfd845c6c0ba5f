import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';

/** Every .ts file under these folders of the repository, as paths relative to it. */
function sources(...folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) out.push(rel);
    }
  };
  for (const f of folders) walk(f);
  return out;
}

/** Lines of these files matching a pattern, as `file:line: text`. */
function grep(files: string[], pattern: RegExp): string[] {
  const hits: string[] = [];
  for (const f of files) {
    fs.readFileSync(path.join(projectRoot, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
  }
  return hits;
}

describe('layers (docs/adr/0002-use-cases.md)', function () {
  this.timeout(60_000);

  it('keeps the import rules and has no import cycle (dependency-cruiser, .dependency-cruiser.cjs)', async () => {
    const bin = path.join(projectRoot, 'node_modules', '.bin', 'depcruise');
    const folders = ['api', 'activities', 'usecases', 'db', 'domain', 'workflows', 'scripts', 'config', 'test', 'bench'];
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(bin, ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...folders], { cwd: projectRoot }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
      });
    });
    expect(result.code, result.out).to.equal(0);
    expect(result.out).to.contain('no dependency violations found');
  });

  it('routes and activities import no knex, hand none on and run no query', () => {
    const files = sources('api/routes', 'activities');
    expect(grep(files, /from '(knex|pg|pg-copy-streams)'|require\('knex'\)/), 'imports of knex or pg').to.deep.equal([]);
    // The deps' knex taken out to give to something else (a limiter, a repository): `deps.db`.
    expect(grep(files, /\bdeps\.db\b/), 'knex handed on').to.deep.equal([]);
    // A query builder or a transaction started here: `db(`, `trx(`, `.raw(`, `.transaction(`.
    expect(grep(files, /\b(db|trx)\(\s*'|\.raw\(|\.transaction\(/), 'queries or transactions').to.deep.equal([]);
  });

  const onMessage = [
    // message.startsWith(...), String(e.message ?? '').replace(...), msg.includes(...), ...
    /\b(message|msg)\b[\w\s?'"`()]*?\.\s*(startsWith|endsWith|includes|match|matchAll|replace|replaceAll|search|split|indexOf)\s*\(/,
    // message === '...', '...' !== e.message
    /\b(message|msg)\s*(===|!==|==|!=)|(===|!==|==|!=)\s*[\w.]*\b(message|msg)\b/,
    // /regex/.test(e.message), re.exec(msg)
    /\.(test|exec)\([^)]*\b(message|msg)\b/,
  ];

  it('recognises the ways of matching an error by its text', () => {
    const forms = [
      "err.message.startsWith('No decision is possible')",
      "(err.message.startsWith('x') || err.message.includes('no longer in progress'))",
      "const message = String(err.message ?? '').replace(/^.* - /, '');",
      "return /already completed|not found/i.test(msg) && code === 5;",
      "if (e.message === 'quarter is closed') {",
    ];
    for (const f of forms) expect(onMessage.some((p) => p.test(f)), f).to.equal(true);
    expect(onMessage.some((p) => p.test("throw new DomainError('INVALID_STATE', message, details);")), 'passing a message on').to.equal(false);
  });

  it('no refusal is recognised by its message: the API and the use cases match codes and classes only', () => {
    const files = sources('api', 'usecases');
    for (const p of onMessage) expect(grep(files, p), String(p)).to.deep.equal([]);
  });

  it('builds workflow ids only in workflows/definitions.ts', () => {
    const files = sources('api', 'usecases', 'activities', 'workflows', 'scripts').filter((f) => f !== path.join('workflows', 'definitions.ts'));
    expect(grep(files, /`(application|loan|subsidy-claim)-\$\{/)).to.deep.equal([]);
  });
});
