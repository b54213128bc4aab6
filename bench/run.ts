/**
 * This file runs the benchmarks: every bench/*.bench.ts exports `run(): Promise<void>`, which
 * prints its figures. `npm run bench` runs them all; `npm run bench -- emulator` runs those whose
 * file name contains "emulator".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

async function main(): Promise<void> {
  const filter = process.argv[2] ?? '';
  const files = fs
    .readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts') && file.includes(filter))
    .sort();
  for (const file of files) {
    console.log(`\n## ${file}`);
    const bench = (await import(path.join(__dirname, file))) as { run: () => Promise<void> };
    await bench.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
