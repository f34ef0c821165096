#!/usr/bin/env node
// Checks the message catalogues (src/lib/i18n/en.ts and zh.ts) and their use:
//  1. every key exists in both languages, with the same shape (plain or plural);
//  2. no message is empty, and both languages use the same {placeholders};
//  3. every key the code asks for with a literal (t('a.b')) exists, and every dynamic key
//     prefix (t(`status.${s}`)) matches at least one key.
// Exits 1 and lists every problem when one is found.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const i18nDir = join(src, 'lib', 'i18n');
const LOCALES = ['en', 'zh'];

/** @typedef {string | { one: string, other: string }} Message */
/** @typedef {Record<string, Message>} Catalogue */

/**
 * Loads a catalogue module: strips its types with the TypeScript compiler and imports it.
 * @param {string} locale
 * @returns {Promise<Catalogue>}
 */
async function loadCatalogue(locale) {
  const source = await readFile(join(i18nDir, `${locale}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  if (/^\s*import\s+(?!type\b)/m.test(outputText)) {
    throw new Error(`${locale}.ts imports values; a catalogue must be a plain object literal`);
  }
  const url = `data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`;
  const mod = await import(url);
  return mod.default;
}

/** @param {Message} message */
function placeholders(message) {
  const texts = typeof message === 'string' ? [message] : Object.values(message);
  const names = new Set();
  for (const text of texts) for (const m of text.matchAll(/\{(\w+)\}/g)) names.add(m[1]);
  return [...names].sort().join(',');
}

/** @param {unknown} message */
function shape(message) {
  if (typeof message === 'string') return 'plain';
  if (message && typeof message === 'object' && 'one' in message && 'other' in message) {
    return 'plural';
  }
  return 'invalid';
}

/**
 * @param {string} dir
 * @returns {AsyncGenerator<string>}
 */
async function* sourceFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path === join(src, 'lib', 'types')) continue;
      yield* sourceFiles(path);
    } else if (/\.(svelte|ts)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
      yield path;
    }
  }
}

const problems = [];
const catalogues = Object.fromEntries(
  await Promise.all(LOCALES.map(async (l) => [l, await loadCatalogue(l)])),
);
const [reference, ...others] = LOCALES;
const allKeys = new Set(LOCALES.flatMap((l) => Object.keys(catalogues[l])));

for (const key of [...allKeys].sort()) {
  for (const locale of LOCALES) {
    const message = catalogues[locale][key];
    if (message === undefined) {
      const has = LOCALES.filter((l) => catalogues[l][key] !== undefined).join(', ');
      problems.push(`${locale}: missing key "${key}" (present in ${has})`);
      continue;
    }
    if (shape(message) === 'invalid')
      problems.push(`${locale}: "${key}" is neither text nor {one, other}`);
    const texts = typeof message === 'string' ? [message] : Object.values(message);
    if (texts.some((text) => typeof text !== 'string' || text.trim() === '')) {
      problems.push(`${locale}: "${key}" is empty`);
    }
  }
  const ref = catalogues[reference][key];
  for (const locale of others) {
    const other = catalogues[locale][key];
    if (ref === undefined || other === undefined) continue;
    if (shape(ref) !== shape(other)) {
      problems.push(`${locale}: "${key}" is ${shape(other)} but ${reference} has it ${shape(ref)}`);
    }
    if (placeholders(ref) !== placeholders(other)) {
      problems.push(
        `${locale}: "${key}" uses {${placeholders(other)}} but ${reference} uses {${placeholders(ref)}}`,
      );
    }
  }
}

// Keys used in code: t('key'), t("key"), t(`key`) and t(`prefix.${…}`).
const literal = /\bt\(\s*(['"`])([\w.]+)\1/g;
const dynamic = /\bt\(\s*`([\w.]*)\$\{/g;
const referenced = new Set();
const prefixes = new Set();
let files = 0;
for await (const file of sourceFiles(src)) {
  files += 1;
  const text = await readFile(file, 'utf8');
  const where = relative(root, file);
  for (const m of text.matchAll(literal)) {
    referenced.add(m[2]);
    if (!allKeys.has(m[2])) problems.push(`${where}: uses "${m[2]}", which no catalogue has`);
  }
  for (const m of text.matchAll(dynamic)) {
    prefixes.add(m[1]);
    if (![...allKeys].some((k) => k.startsWith(m[1]))) {
      problems.push(`${where}: uses keys starting "${m[1]}", and no catalogue has one`);
    }
  }
}

const unused = [...allKeys].filter(
  (k) => !referenced.has(k) && ![...prefixes].some((p) => p !== '' && k.startsWith(p)),
);

if (problems.length > 0) {
  console.error(`i18n check failed: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(
  `i18n check passed: ${allKeys.size} keys in ${LOCALES.join(' and ')}, ${referenced.size} used by ` +
    `name and ${prefixes.size} key families by prefix in ${files} files.`,
);
if (unused.length > 0) {
  console.log(
    `note: ${unused.length} key(s) not referenced by name or prefix: ${unused.join(', ')}`,
  );
}
