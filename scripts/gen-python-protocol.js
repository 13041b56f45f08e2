#!/usr/bin/env node
/**
 * Writes clients/python/src/temporal_handled/_protocol.py from protos/openrpc.json:
 * the protocol version, the error codes by data.type, the method and notification
 * names with their params, and every string enum found in the schemas, as
 * typing.Literal aliases with tuples of their values.
 *
 *   node scripts/gen-python-protocol.js           write the module
 *   node scripts/gen-python-protocol.js --check   exit 1 if the committed module is stale
 *
 * `render(openrpcDoc)` returns the module's text; the output depends only on the
 * document (object keys are sorted; array order, which is meaningful, is kept).
 * Plain Node, no dependencies.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const HEADER = '# generated from protos/openrpc.json by scripts/gen-python-protocol.js; do not edit';
const LINE_LENGTH = 120; // clients/python/pyproject.toml [tool.ruff] line-length
const INDENT = '    ';

const PY_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

// Names the module defines itself; an enum whose name would clash is qualified instead.
const RESERVED = new Set([
  'PROTOCOL_VERSION',
  'ErrorType',
  'ERROR_TYPES',
  'ERROR_CODES',
  'METHODS',
  'METHOD_PARAMS',
  'METHOD_REQUIRED_PARAMS',
  'NOTIFICATIONS',
  'NOTIFICATION_PARAMS',
  'NOTIFICATION_REQUIRED_PARAMS',
  'ENUMS',
  'collections',
  'typing',
]);

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(obj) {
  return Object.keys(obj).sort(compareStrings);
}

/** "workflow/getHandle" -> ["workflow", "get", "Handle"]; "$/cancelRequest" -> ["cancel", "Request"]. */
function words(name) {
  return String(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
}

function safeIdentifier(id) {
  let out = id.length > 0 ? id : '_';
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (PY_KEYWORDS.has(out)) out = `${out}_`;
  return out;
}

/** UPPER_SNAKE constant name. */
function constName(name) {
  return safeIdentifier(
    words(name)
      .map((w) => w.toUpperCase())
      .join('_'),
  );
}

/** PascalCase type name. */
function pascalName(...parts) {
  const ws = parts.flatMap(words);
  return safeIdentifier(ws.map((w) => w[0].toUpperCase() + w.slice(1)).join(''));
}

/**
 * A Python string literal, quoted as ruff format quotes it: double quotes unless
 * single ones need fewer escapes.
 */
function pyString(text) {
  const s = String(text);
  const count = (q) => s.split(q).length - 1;
  const quote = count('"') > count("'") ? "'" : '"';
  const hex = (c, n) => c.toString(16).padStart(n, '0');
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${hex(c, 2)}`;
    else if (c >= 0xd800 && c <= 0xdfff)
      out += `\\u${hex(c, 4)}`; // a lone surrogate
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** A comment's text on one line. */
function commentText(s) {
  return String(s)
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .trim();
}

// --- enums ------------------------------------------------------------------------------

/** The string values of a schema that is a string enum, or null. Nulls in the enum are skipped. */
function enumValues(schema) {
  if (!isObject(schema)) return null;
  const collect = (list) => {
    const values = [];
    for (const v of list) {
      if (v === null) continue;
      if (typeof v !== 'string') return null;
      if (!values.includes(v)) values.push(v);
    }
    return values.length > 0 ? values : null;
  };
  if (Array.isArray(schema.enum)) return collect(schema.enum);
  for (const key of ['anyOf', 'oneOf']) {
    const branches = schema[key];
    if (!Array.isArray(branches) || branches.length === 0) continue;
    const values = [];
    let ok = true;
    for (const branch of branches) {
      if (!isObject(branch)) {
        ok = false;
        break;
      }
      if ('const' in branch) {
        if (branch.const === null) continue;
        if (typeof branch.const !== 'string') {
          ok = false;
          break;
        }
        values.push(branch.const);
      } else if (Array.isArray(branch.enum)) {
        const inner = collect(branch.enum);
        if (inner === null) {
          ok = false;
          break;
        }
        values.push(...inner);
      } else if (branch.type === 'null') {
      } else {
        ok = false;
        break;
      }
    }
    if (ok) {
      const unique = values.filter((v, i) => values.indexOf(v) === i);
      if (unique.length > 0) return unique;
    }
  }
  return null;
}

/**
 * Every string enum under `schema`, depth first. `parts` name the place
 * (e.g. ["idReusePolicy"] or ["ProgressValue", "reason"]); `where` says it in words.
 * $refs are not followed: the components' schemas are walked on their own.
 */
function findEnums(schema, parts, qualifier, where, out, depth = 0) {
  if (!isObject(schema) || depth > 64) return;
  const values = enumValues(schema);
  if (values !== null) {
    out.push({ parts, qualifier, where, values });
    return;
  }
  if (isObject(schema.properties)) {
    for (const key of sortedKeys(schema.properties)) {
      findEnums(schema.properties[key], [...parts, key], qualifier, `${where}.${key}`, out, depth + 1);
    }
  }
  if (isObject(schema.patternProperties)) {
    for (const key of sortedKeys(schema.patternProperties)) {
      findEnums(schema.patternProperties[key], [...parts, 'value'], qualifier, `${where}[${key}]`, out, depth + 1);
    }
  }
  if (isObject(schema.additionalProperties)) {
    findEnums(schema.additionalProperties, [...parts, 'value'], qualifier, `${where}[*]`, out, depth + 1);
  }
  if (Array.isArray(schema.prefixItems)) {
    schema.prefixItems.forEach((s, i) => findEnums(s, [...parts, `item${i}`], qualifier, `${where}[${i}]`, out, depth + 1));
  }
  if (Array.isArray(schema.items)) {
    schema.items.forEach((s, i) => findEnums(s, [...parts, `item${i}`], qualifier, `${where}[${i}]`, out, depth + 1));
  } else if (isObject(schema.items)) {
    findEnums(schema.items, parts, qualifier, `${where}[]`, out, depth + 1);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(schema[key])) {
      schema[key].forEach((s, i) => findEnums(s, parts, qualifier, `${where}.${key}[${i}]`, out, depth + 1));
    }
  }
  for (const key of ['$defs', 'definitions']) {
    if (isObject(schema[key])) {
      for (const name of sortedKeys(schema[key])) {
        findEnums(schema[key][name], [...parts, name], qualifier, `${where}.${key}.${name}`, out, depth + 1);
      }
    }
  }
}

function sameValues(a, b) {
  return a.length === b.length && a.every((v) => b.includes(v));
}

/**
 * Gives each distinct enum one Python name: the short one (IdReusePolicy) where it is
 * unambiguous, else qualified by its method (HandleQueryRejectCondition), else numbered.
 * Places with the same name and the same values share one alias.
 */
function nameEnums(found) {
  const result = []; // { name, values, wheres }
  const byName = new Map();
  const add = (name, rec) => {
    const existing = byName.get(name);
    if (existing) {
      existing.wheres.push(rec.where);
      return;
    }
    const entry = { name, values: rec.values, wheres: [rec.where] };
    byName.set(name, entry);
    result.push(entry);
  };
  const groups = new Map();
  for (const rec of found) {
    const name = pascalName(...rec.parts);
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(rec);
  }
  const pending = [];
  for (const [name, recs] of groups) {
    if (!RESERVED.has(name) && recs.every((r) => sameValues(r.values, recs[0].values))) {
      for (const rec of recs) add(name, rec);
    } else {
      pending.push(...recs);
    }
  }
  for (const rec of pending) {
    let name = pascalName(rec.qualifier, ...rec.parts);
    for (let n = 2; ; n += 1) {
      const existing = byName.get(name);
      if (!RESERVED.has(name) && (!existing || sameValues(existing.values, rec.values))) break;
      name = `${pascalName(rec.qualifier, ...rec.parts)}${n}`;
    }
    add(name, rec);
  }
  return result.sort((a, b) => compareStrings(a.name, b.name));
}

// --- rendering --------------------------------------------------------------------------

/**
 * `head` + a bracketed list + `tail`: one item a line with a trailing comma (which
 * ruff format keeps exploded), except an empty list, and a single item that fits on
 * the line, which stay inline as ruff format leaves them.
 */
function bracketed(indent, head, open, items, close, tail) {
  if (items.length === 0) return [`${indent}${head}${open}${close}${tail}`];
  const oneTuple = open === '(' && items.length === 1;
  if (items.length === 1) {
    const inline = `${indent}${head}${open}${items[0]}${oneTuple ? ',' : ''}${close}${tail}`;
    if (inline.length <= LINE_LENGTH) return [inline];
  }
  // A single subscript item takes no comma: it would make the subscript a tuple.
  const lastComma = items.length > 1 || open !== '[' ? ',' : '';
  const lines = [`${indent}${head}${open}`];
  items.forEach((item, i) => lines.push(`${indent}${INDENT}${item}${i < items.length - 1 ? ',' : lastComma}`));
  lines.push(`${indent}${close}${tail}`);
  return lines;
}

const PARAMS_TYPE = 'typing.Final[collections.abc.Mapping[str, tuple[str, ...]]]';

/** NAME_PARAMS and NAME_REQUIRED_PARAMS for methods or notifications. */
function paramMaps(prefix, entries) {
  const map = (name, pick) => {
    if (entries.length === 0) return [`${name}: ${PARAMS_TYPE} = {}`];
    const lines = entries.flatMap((e) =>
      bracketed(
        INDENT,
        `${e.constName}: `,
        '(',
        pick(e.params).map((p) => pyString(p.name)),
        ')',
        ',',
      ),
    );
    return [`${name}: ${PARAMS_TYPE} = {`, ...lines, '}'];
  };
  return [...map(`${prefix}_PARAMS`, (ps) => ps), ...map(`${prefix}_REQUIRED_PARAMS`, (ps) => ps.filter((p) => p.required))];
}

function readParams(list, owner) {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`${owner}: params is not a list`);
  return list.map((p, i) => {
    if (isObject(p) && isObject(p.$ref)) throw new Error(`${owner}: param ${i} is a $ref, which is not supported`);
    if (!isObject(p) || typeof p.name !== 'string') throw new Error(`${owner}: param ${i} has no name`);
    return { name: p.name, required: p.required === true, schema: p.schema };
  });
}

function readCallables(list, kind) {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`${kind} is not a list`);
  const out = list.map((m, i) => {
    if (!isObject(m) || typeof m.name !== 'string') throw new Error(`${kind}[${i}] has no name`);
    return { name: m.name, constName: constName(m.name), params: readParams(m.params, m.name) };
  });
  return out.sort((a, b) => compareStrings(a.name, b.name));
}

/** The text of _protocol.py for an OpenRPC document. */
function render(doc) {
  if (!isObject(doc)) throw new Error('the OpenRPC document is not an object');
  const info = isObject(doc.info) ? doc.info : {};
  const version = info['x-protocolVersion'];
  if (!Number.isInteger(version)) throw new Error("info['x-protocolVersion'] is missing or not an integer");
  const components = isObject(doc.components) ? doc.components : {};

  const errors = [];
  const errorsIn = isObject(components.errors) ? components.errors : {};
  for (const key of sortedKeys(errorsIn)) {
    const e = errorsIn[key];
    if (!isObject(e) || !Number.isInteger(e.code)) throw new Error(`components.errors.${key} has no integer code`);
    const type = isObject(e.data) && typeof e.data.type === 'string' ? e.data.type : key;
    if (errors.some((x) => x.type === type)) throw new Error(`components.errors: two errors have the data.type ${type}`);
    errors.push({ type, code: e.code });
  }
  errors.sort((a, b) => a.code - b.code || compareStrings(a.type, b.type));

  const methods = readCallables(doc.methods, 'methods');
  const notifications = readCallables(doc['x-notifications'], 'x-notifications');
  const constants = new Map();
  for (const c of [...methods, ...notifications]) {
    const other = constants.get(c.constName);
    if (other !== undefined && other !== c.name) {
      throw new Error(`"${other}" and "${c.name}" would both be the constant ${c.constName}`);
    }
    if (RESERVED.has(c.constName)) throw new Error(`"${c.name}" would be the constant ${c.constName}, a name the module uses`);
    constants.set(c.constName, c.name);
  }

  const found = [];
  for (const m of methods) {
    for (const p of m.params) findEnums(p.schema, [p.name], m.name, `${m.name} param ${p.name}`, found);
  }
  for (const n of notifications) {
    for (const p of n.params) findEnums(p.schema, [p.name], n.name, `${n.name} param ${p.name}`, found);
  }
  const schemas = isObject(components.schemas) ? components.schemas : {};
  for (const key of sortedKeys(schemas)) findEnums(schemas[key], [key], '', `components.schemas.${key}`, found);
  const enums = nameEnums(found).map((e) => ({ ...e, valuesName: `${constName(e.name)}_VALUES` }));
  for (const e of enums) {
    for (const id of [e.name, e.valuesName]) {
      if (constants.has(id) || RESERVED.has(id)) throw new Error(`the enum name ${id} clashes with another name of the module`);
    }
  }

  const L = [];
  L.push(HEADER);
  L.push('"""The daemon\'s protocol contract, generated from protos/openrpc.json.');
  L.push('');
  L.push('Regenerate it with ``npm run gen:python`` whenever the contract changes; a test fails');
  L.push('while this module and protos/openrpc.json disagree.');
  L.push('"""');
  L.push('');
  L.push('import collections.abc');
  L.push('import typing');
  L.push('');
  L.push(`PROTOCOL_VERSION: typing.Final = ${version}`);
  L.push('"""The protocol version ``initialize`` answers with (``info[\'x-protocolVersion\']``)."""');
  L.push('');
  L.push('# --- errors (components.errors): each data.type, and its JSON-RPC error code -------------------');
  L.push('');
  if (errors.length > 0) {
    L.push(
      ...bracketed(
        '',
        'ErrorType = typing.Literal',
        '[',
        errors.map((e) => pyString(e.type)),
        ']',
        '',
      ),
    );
  } else {
    L.push('ErrorType = str');
  }
  L.push(
    ...bracketed(
      '',
      'ERROR_TYPES: typing.Final[tuple[ErrorType, ...]] = ',
      '(',
      errors.map((e) => pyString(e.type)),
      ')',
      '',
    ),
  );
  L.push(
    ...bracketed(
      '',
      'ERROR_CODES: typing.Final[collections.abc.Mapping[ErrorType, int]] = ',
      '{',
      errors.map((e) => `${pyString(e.type)}: ${e.code}`),
      '}',
      '',
    ),
  );
  L.push('');
  L.push('# --- methods (requests) ---------------------------------------------------------------------');
  L.push('');
  for (const m of methods) L.push(`${m.constName}: typing.Final = ${pyString(m.name)}`);
  if (methods.length > 0) L.push('');
  L.push(
    ...bracketed(
      '',
      'METHODS: typing.Final[tuple[str, ...]] = ',
      '(',
      methods.map((m) => m.constName),
      ')',
      '',
    ),
  );
  L.push('');
  L.push("# Each method's param names, in the contract's order, and the required ones among them.");
  L.push(...paramMaps('METHOD', methods));
  L.push('');
  L.push('# --- notifications (x-notifications) -------------------------------------------------------');
  L.push('');
  for (const n of notifications) L.push(`${n.constName}: typing.Final = ${pyString(n.name)}`);
  if (notifications.length > 0) L.push('');
  L.push(
    ...bracketed(
      '',
      'NOTIFICATIONS: typing.Final[tuple[str, ...]] = ',
      '(',
      notifications.map((n) => n.constName),
      ')',
      '',
    ),
  );
  L.push('');
  L.push(...paramMaps('NOTIFICATION', notifications));
  L.push('');
  L.push('# --- string enums (in params and components.schemas) ----------------------------------------');
  for (const e of enums) {
    L.push('');
    for (const w of e.wheres) L.push(`# ${commentText(w)}`);
    const values = e.values.map(pyString);
    L.push(...bracketed('', `${e.name} = typing.Literal`, '[', values, ']', ''));
    L.push(...bracketed('', `${e.valuesName}: typing.Final[tuple[${e.name}, ...]] = `, '(', values, ')', ''));
  }
  L.push('');
  L.push("# Each enum's values by its alias's name.");
  L.push(
    ...bracketed(
      '',
      'ENUMS: typing.Final[collections.abc.Mapping[str, tuple[str, ...]]] = ',
      '{',
      enums.map((e) => `${pyString(e.name)}: ${e.valuesName}`),
      '}',
      '',
    ),
  );
  return `${L.join('\n')}\n`;
}

const ROOT = path.resolve(__dirname, '..');
const SOURCE = path.join(ROOT, 'protos', 'openrpc.json');
const TARGET = path.join(ROOT, 'clients', 'python', 'src', 'temporal_handled', '_protocol.py');

function main(argv) {
  const text = render(JSON.parse(fs.readFileSync(SOURCE, 'utf8')));
  const rel = path.relative(ROOT, TARGET);
  if (argv.includes('--check')) {
    const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${rel} is stale: run \`npm run gen:python\`\n`);
      return 1;
    }
    process.stderr.write(`${rel} is up to date\n`);
    return 0;
  }
  fs.writeFileSync(TARGET, text);
  process.stderr.write(`wrote ${rel}\n`);
  return 0;
}

module.exports = { render, SOURCE, TARGET };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
