/**
 * How a method and a notification are declared: once, with its params, result, errors
 * and doc strings. The daemon's validator, the handlers' types, the clients' types and
 * openrpc.json all come from these declarations.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import type { ErrorType } from './error-codes';

export interface MethodDeclaration<P extends TSchema = TObject, R extends TSchema = TSchema> {
  summary: string;
  /** The params, by name: each property's `description` documents it. */
  params: P;
  /** The result's name in openrpc.json and its schema. */
  resultName: string;
  result: R;
  errors: readonly ErrorType[];
  /** Usable before `initialize`. */
  beforeInitialize?: boolean;
  /** Params not declared are accepted and ignored (only `initialize`, for LSP clients). */
  openParams?: boolean;
  /** A long wait (a result): cancelled when the client's input ends, where other requests are let finish. */
  waits?: boolean;
  /** The param that carries a `$/progress` token, when the method reports progress. */
  progressParam?: 'workDoneToken' | 'partialResultToken';
}

/** Declares a method; its params are an object that refuses unknown names unless `openParams`. */
export function method<P extends TProperties, R extends TSchema>(d: Omit<MethodDeclaration<TObject<P>, R>, 'params'> & { params: P }): MethodDeclaration<TObject<P>, R> {
  return { ...d, params: Type.Object(d.params, { additionalProperties: d.openParams === true }) };
}

export interface NotificationDeclaration<P extends TSchema = TObject> {
  summary: string;
  direction: 'clientToServer' | 'serverToClient';
  params: P;
}

export function notification<P extends TProperties>(d: Omit<NotificationDeclaration<TObject<P>>, 'params'> & { params: P }): NotificationDeclaration<TObject<P>> {
  return { ...d, params: Type.Object(d.params, { additionalProperties: false }) };
}

/** `schema` documented as a param: `text` is its description (a shared shape keeps its own). */
export function param<T extends TSchema>(schema: T, text: string): T {
  return { ...schema, description: text };
}

export type ParamsOfDeclaration<D extends MethodDeclaration> = Static<D['params']>;
export type ResultOfDeclaration<D extends MethodDeclaration> = Static<D['result']>;
