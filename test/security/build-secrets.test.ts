/**
 * Tests that the repository's files and the built artefacts — build/addon (what clasp pushes) and
 * build/backend (what gcloud deploys) — hold no secret-looking material, and that the scanner does
 * find such material.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findSecrets } = require('../../scripts/check-secrets.js') as {
  findSecrets: (files: string[]) => string[];
};

const ROOT = path.join(__dirname, '../..');

function filesUnder(folder: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('secrets never reach the built artefacts', () => {
  it.each(['build/addon', 'build/backend'])('%s holds no secret-looking material', (folder) => {
    const files = filesUnder(path.join(ROOT, folder));
    expect(files.length).toBeGreaterThan(0);
    expect(findSecrets(files)).toEqual([]);
  });

  it('the repository (files git tracks or would add) holds no secret-looking material', () => {
    const output = execFileSync('node', ['scripts/check-secrets.js'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(output).toContain('no secret-looking material found');
  });

  it('finds a private key, a service-account key file and an API key when they are there', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.writeFileSync(path.join(dir, 'key.pem'), pem);
    fs.writeFileSync(
      path.join(dir, 'sa.json'),
      JSON.stringify({ type: 'service_account', private_key: pem }),
    );
    fs.writeFileSync(path.join(dir, 'Code.js'), `var k="AIza${'x'.repeat(35)}";`);
    const findings = findSecrets(filesUnder(dir));
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/key\.pem: private key/),
        expect.stringMatching(/sa\.json: service-account key file/),
        expect.stringMatching(/Code\.js: Google API key/),
      ]),
    );
  });
});
