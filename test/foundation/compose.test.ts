import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../config';
import { requireTool } from '../support/tools';

describe('docker-compose.yml', () => {
  it('is accepted by the Compose loader (what `docker compose config` runs) with every service', () => {
    const checker = requireTool(path.join(projectRoot, '.tools', 'bin', 'compose-config'));
    const out = execFileSync(checker, [path.join(projectRoot, 'docker-compose.yml')], { encoding: 'utf8', env: { JWT_SECRET: 'x'.repeat(40) } });
    for (const svc of ['postgres', 'temporal', 'temporal-ui', 'worker', 'api']) expect(out).to.match(new RegExp(`^  ${svc}:`, 'm'));
    expect(out).to.contain('healthcheck');
    // Only the API is published to the world; the Temporal UI on loopback; the frontend not at all.
    expect(out).to.not.match(/published: "7233"/);
    expect(out).to.match(/host_ip: 127\.0\.0\.1\s+target: 8080/);
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
