/**
 * What the daemon needs of the contract at run time, without TypeBox: each method's
 * compiled params checker and the facts of its declaration, from dist/compiled.js
 * (written at build time by scripts/compile-validators.js), plus the error codes.
 * Importing the package's main entry instead costs about 60 ms of start-up.
 */
import type { MethodName } from './methods';
import type { ErrorType } from './error-codes';

export { ERRORS, ErrorCodes, errorTypeOf, type ErrorType } from './error-codes';

export interface MethodFacts {
  /** The declared params' names. */
  params: readonly string[];
  errors: readonly ErrorType[];
  beforeInitialize: boolean;
  openParams: boolean;
  waits: boolean;
  progressParam: 'workDoneToken' | 'partialResultToken' | null;
  /** Whether `value` conforms to the declared params (the slow path words what is wrong). */
  check(value: unknown): boolean;
}

interface Compiled {
  PROTOCOL_VERSION: number;
  methods: Record<MethodName, MethodFacts>;
}

function load(): Compiled {
  try {
    return require('./compiled.js') as Compiled;
  } catch {
    // Not built yet (a checkout compiled by tsc alone): compile the checkers in process.
    const full = require('./index.js') as typeof import('./index');
    const { TypeCompiler } = require('@sinclair/typebox/compiler') as typeof import('@sinclair/typebox/compiler');
    const methods = Object.fromEntries(
      Object.entries(full.methods).map(([name, m]) => {
        const c = TypeCompiler.Compile(m.params);
        const facts: MethodFacts = {
          params: Object.keys((m.params as { properties: object }).properties),
          errors: m.errors,
          beforeInitialize: m.beforeInitialize === true,
          openParams: m.openParams === true,
          waits: (m as { waits?: boolean }).waits === true,
          progressParam: (m as { progressParam?: MethodFacts['progressParam'] }).progressParam ?? null,
          check: (v) => c.Check(v),
        };
        return [name, facts];
      }),
    ) as Record<MethodName, MethodFacts>;
    return { PROTOCOL_VERSION: full.PROTOCOL_VERSION, methods };
  }
}

const compiled = load();

export const PROTOCOL_VERSION: number = compiled.PROTOCOL_VERSION;
export const methodFacts: Readonly<Record<MethodName, MethodFacts>> = compiled.methods;
export const METHOD_NAMES = Object.keys(compiled.methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(compiled.methods, name);
}
