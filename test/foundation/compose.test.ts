import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../config';
import { requireTool } from '../support/tools';

describe('docker-compose.yml', () => {
  it('is accepted by the Compose loader (what `docker compose config` runs) with every service', () => {
    const checker = requireTool(path.join(projectRoot, '.tools', 'bin', 'compose-config'));
    const out = execFileSync(checker, [path.join(projectRoot, 'docker-compose.yml')], { encoding: 'utf8', env: {} });
    for (const svc of ['postgres', 'temporal', 'temporal-ui', 'worker', 'api']) expect(out).to.match(new RegExp(`^  ${svc}:`, 'm'));
    expect(out).to.contain('healthcheck');
  });
});
