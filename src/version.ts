/** This package's version, from package.json. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function read(): string {
  for (const rel of ['..', '../..']) {
    const p = path.join(__dirname, rel, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (pkg.name === 'temporal-handled') return pkg.version as string;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}

export const VERSION = read();
