import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApi } from '../asyncapi';

const root = process.cwd();
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const target = join(root, 'docs', 'asyncapi.json');
writeFileSync(target, renderAsyncApi(version));
console.log(`wrote ${target}`);
