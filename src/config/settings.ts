/**
 * Connection settings as Temporal's own tools resolve them:
 * command-line flags, then TEMPORAL_* environment variables, then a
 * temporal.toml profile, then the defaults (localhost:7233, namespace "default").
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { ConnectionOptions, TlsOptions } from '../temporal/connection';

export interface ConnectionFlags {
  address?: string;
  namespace?: string;
  apiKey?: string;
  tls?: boolean;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  tlsServerName?: string;
  tlsDisableHostVerification?: boolean;
  grpcMeta?: string[];
  clientAuthority?: string;
  profile?: string;
  configFile?: string;
}

export interface ResolvedSettings {
  connection: ConnectionOptions;
  namespace: string;
  /** Whether an address came from a flag, the environment or a profile (else the default). */
  addressConfigured: boolean;
  /** Where each setting came from, for the log. */
  sources: Record<string, 'flag' | 'env' | 'profile' | 'default'>;
}

interface Profile {
  address?: string;
  namespace?: string;
  api_key?: string;
  tls?: {
    disabled?: boolean;
    client_cert_path?: string;
    client_cert_data?: string;
    client_key_path?: string;
    client_key_data?: string;
    server_ca_cert_path?: string;
    server_ca_cert_data?: string;
    server_name?: string;
    disable_host_verification?: boolean;
  };
  grpc_meta?: Record<string, string>;
}

/** The temporal.toml path: TEMPORAL_CONFIG_FILE, else the OS config dir. */
export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CONFIG_FILE) return env.TEMPORAL_CONFIG_FILE;
  const home = os.homedir();
  const base =
    process.platform === 'darwin'
      ? path.join(home, 'Library', 'Application Support')
      : process.platform === 'win32'
        ? (env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
        : (env.XDG_CONFIG_HOME ?? path.join(home, '.config'));
  return path.join(base, 'temporalio', 'temporal.toml');
}

/** Loads a profile; a missing file is not an error unless a profile was named explicitly. */
export function loadProfile(file: string, name: string | undefined): Profile {
  const explicit = name !== undefined;
  const profileName = name ?? 'default';
  if (!fs.existsSync(file)) {
    if (explicit) throw new Error(`profile "${profileName}": config file ${file} does not exist`);
    return {};
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`config file ${file}: ${(err as Error).message}`);
  }
  const profiles = (doc.profile ?? {}) as Record<string, unknown>;
  const p = profiles[profileName];
  if (p === undefined) {
    if (explicit) throw new Error(`profile "${profileName}" not found in ${file}`);
    return {};
  }
  checkProfile(p, `${file}: [profile.${profileName}]`);
  return p as Profile;
}

const PROFILE_FIELDS: Record<string, 'string' | 'boolean' | 'table'> = {
  address: 'string',
  namespace: 'string',
  api_key: 'string',
  tls: 'table',
  grpc_meta: 'table',
};
const TLS_FIELDS: Record<string, 'string' | 'boolean'> = {
  disabled: 'boolean',
  client_cert_path: 'string',
  client_cert_data: 'string',
  client_key_path: 'string',
  client_key_data: 'string',
  server_ca_cert_path: 'string',
  server_ca_cert_data: 'string',
  server_name: 'string',
  disable_host_verification: 'boolean',
};

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Checks the types of the profile's known keys (others are ignored, as Temporal's tools do). */
function checkProfile(p: unknown, where: string): void {
  if (!isTable(p)) throw new Error(`${where} must be a table`);
  const check = (key: string, value: unknown, type: string) => {
    const ok = type === 'table' ? isTable(value) : typeof value === type;
    if (!ok) throw new Error(`${where}: ${key} must be a ${type}; got ${JSON.stringify(value) ?? String(value)}`);
  };
  for (const [key, type] of Object.entries(PROFILE_FIELDS)) if (p[key] !== undefined) check(key, p[key], type);
  for (const [key, type] of Object.entries(TLS_FIELDS)) {
    const tls = p.tls as Record<string, unknown> | undefined;
    if (tls?.[key] !== undefined) check(`tls.${key}`, tls[key], type);
  }
  for (const [key, value] of Object.entries((p.grpc_meta as Record<string, unknown> | undefined) ?? {})) check(`grpc_meta.${key}`, value, 'string');
}

function bool(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (['1', 'true'].includes(v.toLowerCase())) return true;
  if (['0', 'false'].includes(v.toLowerCase())) return false;
  throw new Error(`${name} must be 1, 0, true or false; got "${v}"`);
}

/**
 * Reads a PEM certificate or private key from a path or inline data, and parses it,
 * so that a wrong file is reported at start-up, naming the setting, and not as a
 * failed handshake at the first call.
 */
function pem(pathValue: string | undefined, data: string | undefined, what: string, kind: 'certificate' | 'key'): Buffer | undefined {
  if (pathValue && data) throw new Error(`${what}: give a path or data, not both`);
  let buf: Buffer;
  const from = pathValue ? ` in ${pathValue}` : ' (inline data)';
  if (data) buf = Buffer.from(data);
  else if (pathValue) {
    try {
      buf = fs.readFileSync(pathValue);
    } catch (err) {
      throw new Error(`${what}: cannot read ${pathValue}: ${(err as Error).message}`);
    }
  } else return undefined;
  try {
    if (kind === 'certificate') new crypto.X509Certificate(buf);
    else crypto.createPrivateKey(buf);
  } catch (err) {
    throw new Error(`${what}${from} is not a PEM ${kind === 'certificate' ? 'certificate' : 'private key'}: ${(err as Error).message}`);
  }
  return buf;
}

export function resolveSettings(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
  const profileName = flags.profile ?? env.TEMPORAL_PROFILE;
  const profile = loadProfile(flags.configFile ?? defaultConfigFile(env), profileName);
  const sources: ResolvedSettings['sources'] = {};
  function pick<T>(key: string, flag: T | undefined, envValue: T | undefined, profileValue: T | undefined, dflt: T): T {
    if (flag !== undefined) return (sources[key] = 'flag'), flag;
    if (envValue !== undefined && envValue !== '') return (sources[key] = 'env'), envValue;
    if (profileValue !== undefined) return (sources[key] = 'profile'), profileValue;
    sources[key] = 'default';
    return dflt;
  }
  const namespace = pick('namespace', flags.namespace, env.TEMPORAL_NAMESPACE, profile.namespace, 'default');
  let address = pick('address', flags.address, env.TEMPORAL_ADDRESS, profile.address, 'localhost:7233');
  address = address.replace('${namespace}', namespace);
  const apiKey = pick<string | undefined>('apiKey', flags.apiKey, env.TEMPORAL_API_KEY, profile.api_key, undefined);
  const t = profile.tls ?? {};
  const certPath = pick('tlsCertPath', flags.tlsCertPath, env.TEMPORAL_TLS_CLIENT_CERT_PATH, t.client_cert_path, undefined);
  const certData = env.TEMPORAL_TLS_CLIENT_CERT_DATA || t.client_cert_data;
  const keyPath = pick('tlsKeyPath', flags.tlsKeyPath, env.TEMPORAL_TLS_CLIENT_KEY_PATH, t.client_key_path, undefined);
  const keyData = env.TEMPORAL_TLS_CLIENT_KEY_DATA || t.client_key_data;
  const caPath = pick('tlsCaPath', flags.tlsCaPath, env.TEMPORAL_TLS_SERVER_CA_CERT_PATH, t.server_ca_cert_path, undefined);
  const caData = env.TEMPORAL_TLS_SERVER_CA_CERT_DATA || t.server_ca_cert_data;
  const serverName = pick('tlsServerName', flags.tlsServerName, env.TEMPORAL_TLS_SERVER_NAME, t.server_name, undefined);
  const noVerify = pick('tlsDisableHostVerification', flags.tlsDisableHostVerification, bool(env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'), t.disable_host_verification, false);
  const tlsFlag = pick<boolean | undefined>('tls', flags.tls, bool(env.TEMPORAL_TLS, 'TEMPORAL_TLS'), t.disabled === undefined ? undefined : !t.disabled, undefined);
  const anyTlsOption = Boolean(certPath || certData || keyPath || keyData || caPath || caData || serverName || noVerify);
  // TLS is on when asked for, or implied by an API key or any TLS option, unless explicitly off.
  const tlsOn = tlsFlag ?? (Boolean(apiKey) || anyTlsOption);
  let tls: TlsOptions | false = false;
  if (tlsOn) {
    tls = {
      clientCert: pem(certPath, certData, 'TLS client certificate', 'certificate'),
      clientKey: pem(keyPath, keyData, 'TLS client key', 'key'),
      serverRootCaCert: pem(caPath, caData, 'TLS server CA certificate', 'certificate'),
      serverName,
      disableHostVerification: noVerify,
    };
    if (tls.clientCert && tls.clientKey && !new crypto.X509Certificate(tls.clientCert).checkPrivateKey(crypto.createPrivateKey(tls.clientKey))) {
      throw new Error('TLS client key does not belong to the TLS client certificate');
    }
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(profile.grpc_meta ?? {})) metadata[k.toLowerCase().replace(/_/g, '-')] = String(v);
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('TEMPORAL_GRPC_META_')) continue;
    const key = k.slice('TEMPORAL_GRPC_META_'.length).toLowerCase().replace(/_/g, '-');
    if (v === '') delete metadata[key];
    else if (v !== undefined) metadata[key] = v;
  }
  for (const kv of flags.grpcMeta ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--grpc-meta must be KEY=VALUE; got "${kv}"`);
    metadata[kv.slice(0, eq).toLowerCase()] = kv.slice(eq + 1);
  }
  const authority = pick<string | undefined>('clientAuthority', flags.clientAuthority, env.TEMPORAL_CLIENT_AUTHORITY, undefined, undefined);
  return {
    connection: { address, apiKey, tls, metadata, authority },
    namespace,
    addressConfigured: sources.address !== 'default',
    sources,
  };
}
