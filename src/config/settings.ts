/**
 * Connection settings as Temporal's own tools resolve them:
 * command-line flags, then TEMPORAL_* environment variables, then a
 * temporal.toml profile, then the defaults (localhost:7233, namespace "default").
 *
 * The profile and the variables are layered by the SDK's own loader,
 * @temporalio/envconfig (docs/decisions/0002-settings-through-envconfig.md).
 * This module puts the flags above that, records where each value came from,
 * checks the file's types and the TLS files at start-up with messages that name
 * the setting, and keeps the few settings envconfig drops or reads differently
 * from Temporal's CLI (each one says why where it is read).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import { parse as parseToml } from 'smol-toml';
import type { ConnectionOptions, TlsOptions } from '../temporal/connection';
import type { CodecSettings } from '../temporal/remote-codec';

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
  codecEndpoint?: string;
  codecAuth?: string;
  codecHeader?: string[];
  profile?: string;
  configFile?: string;
}

export interface ResolvedSettings {
  connection: ConnectionOptions;
  namespace: string;
  /** A codec server, when one is configured. */
  codec?: CodecSettings;
  /** Whether an address came from a flag, the environment or a profile (else the default). */
  addressConfigured: boolean;
  /** Where each setting came from, for the log. */
  sources: Record<string, 'flag' | 'env' | 'profile' | 'default'>;
}

/** The keys of a profile this module reads itself; envconfig reads the rest. */
interface RawProfile {
  tls?: { disable_host_verification?: boolean };
  grpc_meta?: Record<string, string>;
  codec?: { endpoint?: string; auth?: string };
}

/**
 * The temporal.toml path: TEMPORAL_CONFIG_FILE, else the OS config dir. Here and
 * not envconfig's lookup (which it does not export) because the daemon names the
 * file in its messages, and then hands envconfig that file's text.
 */
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

/**
 * Reads the config file and checks the selected profile; undefined when there is
 * none (a missing file or profile is an error only when the profile was named).
 * envconfig takes the file's values as they come (`address = 7233` would reach the
 * connection as a number, `tls = true` would be ignored), so the types of the keys
 * Temporal's tools know are checked here first; other keys are ignored, as they do.
 */
function readProfile(file: string, name: string | undefined): { toml: string; profile: RawProfile } | undefined {
  const explicit = name !== undefined;
  const profileName = name ?? 'default';
  let toml: string;
  try {
    toml = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`config file ${file}: ${(err as Error).message}`);
    if (explicit) throw new Error(`profile "${profileName}": config file ${file} does not exist`);
    return undefined;
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(toml) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`config file ${file}: ${(err as Error).message}`);
  }
  const profiles = doc.profile;
  const p = isTable(profiles) && Object.hasOwn(profiles, profileName) ? profiles[profileName] : undefined;
  if (p === undefined) {
    if (explicit) throw new Error(`profile "${profileName}" not found in ${file}`);
    return undefined;
  }
  checkProfile(p, `${file}: [profile.${profileName}]`);
  return { toml, profile: p as RawProfile };
}

const PROFILE_FIELDS: Record<string, 'string' | 'boolean' | 'table'> = {
  address: 'string',
  namespace: 'string',
  api_key: 'string',
  tls: 'table',
  grpc_meta: 'table',
  codec: 'table',
};
const CODEC_FIELDS: Record<string, 'string'> = { endpoint: 'string', auth: 'string' };
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
  for (const [key, type] of Object.entries(CODEC_FIELDS)) {
    const codec = p.codec as Record<string, unknown> | undefined;
    if (codec?.[key] !== undefined) check(`codec.${key}`, codec[key], type);
  }
}

function bool(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (['1', 'true'].includes(v.toLowerCase())) return true;
  if (['0', 'false'].includes(v.toLowerCase())) return false;
  throw new Error(`${name} must be 1, 0, true or false; got "${v}"`);
}

/**
 * The TEMPORAL_* variables as envconfig is to see them. An empty one is unset
 * (envconfig would take TEMPORAL_ADDRESS="" as an empty address and TEMPORAL_TLS=""
 * as TLS off). The booleans are checked here and handed on as "true" or "false":
 * envconfig takes anything but "1" and "true" as false, so TEMPORAL_TLS=maybe (or
 * TRUE) would turn TLS off without a word. The file and the profile are chosen
 * here, so TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE are left out.
 */
function envForSdk(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('TEMPORAL_') && v !== undefined && v !== '' && k !== 'TEMPORAL_CONFIG_FILE' && k !== 'TEMPORAL_PROFILE') out[k] = v;
  }
  for (const k of ['TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', 'TEMPORAL_TLS']) {
    const b = bool(env[k], k);
    if (b !== undefined) out[k] = String(b);
  }
  return out;
}

const TLS_FILES: Record<string, string> = {
  client_cert: 'TLS client certificate',
  client_key: 'TLS client key',
  server_ca_cert: 'TLS server CA certificate',
};

/** Calls envconfig; its path-and-data conflict is reported in this module's words. */
function sdk(load: () => ClientConfigProfile): ClientConfigProfile {
  try {
    return load();
  } catch (err) {
    const m = /^Cannot specify both (\w+)_path and \1_data$/.exec((err as Error).message);
    if (m && TLS_FILES[m[1]!]) throw new Error(`${TLS_FILES[m[1]!]}: give a path or data, not both`);
    throw err;
  }
}

function pathOf(s: ConfigDataSource | undefined): string | undefined {
  return s && 'path' in s ? s.path : undefined;
}
/** Inline PEM data; empty data counts as none. */
function dataOf(s: ConfigDataSource | undefined): Buffer | undefined {
  const buf = s && 'data' in s ? Buffer.from(s.data) : undefined;
  return buf?.length ? buf : undefined;
}

/**
 * Reads a PEM certificate or private key from a path or inline data, and parses it,
 * so that a wrong file is reported at start-up, naming the setting, and not as a
 * failed handshake at the first call. (envconfig would read the files only when
 * building the SDK's own TLS options, without parsing them.)
 */
function pem(pathValue: string | undefined, data: Buffer | undefined, what: string, kind: 'certificate' | 'key'): Buffer | undefined {
  if (pathValue && data) throw new Error(`${what}: give a path or data, not both`);
  let buf: Buffer;
  const from = pathValue ? ` in ${pathValue}` : ' (inline data)';
  if (data) buf = data;
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
  const profileName = flags.profile ?? (env.TEMPORAL_PROFILE || undefined);
  const loaded = readProfile(flags.configFile ?? defaultConfigFile(env), profileName);
  const sdkEnv = envForSdk(env);
  // Two views from envconfig: the variables alone, which tell where a value came from,
  // and the profile with the variables over it. Without a profile the two are the same
  // (and envconfig is not handed a file without one: it fails on a file without any
  // [profile.*] table).
  const fromEnv = sdk(() => loadClientConfigProfile({ disableFile: true, overrideEnvVars: sdkEnv }));
  const merged = loaded ? sdk(() => loadClientConfigProfile({ configSource: { data: loaded.toml }, profile: profileName ?? 'default', overrideEnvVars: sdkEnv })) : fromEnv;
  const sources: ResolvedSettings['sources'] = {};
  /** The flag, else the variable, else the profile's value (with the variables over it), else the default. */
  function pick<T>(key: string, flag: T | undefined, envValue: T | undefined, profileValue: T | undefined, dflt: T): T {
    if (flag !== undefined) return ((sources[key] = 'flag'), flag);
    if (envValue !== undefined) return ((sources[key] = 'env'), envValue);
    if (profileValue !== undefined) return ((sources[key] = 'profile'), profileValue);
    sources[key] = 'default';
    return dflt;
  }
  const namespace = pick('namespace', flags.namespace, fromEnv.namespace, merged.namespace, 'default');
  let address = pick('address', flags.address, fromEnv.address, merged.address, 'localhost:7233');
  // Temporal's CLI replaces ${namespace} in the address (cliext); envconfig leaves it as is.
  address = address.replace('${namespace}', namespace);
  const apiKey = pick<string | undefined>('apiKey', flags.apiKey, fromEnv.apiKey, merged.apiKey, undefined);
  const et = fromEnv.tls ?? {};
  const mt = merged.tls ?? {};
  const certPath = pick('tlsCertPath', flags.tlsCertPath, pathOf(et.clientCert), pathOf(mt.clientCert), undefined);
  const certData = dataOf(mt.clientCert);
  const keyPath = pick('tlsKeyPath', flags.tlsKeyPath, pathOf(et.clientKey), pathOf(mt.clientKey), undefined);
  const keyData = dataOf(mt.clientKey);
  const caPath = pick('tlsCaPath', flags.tlsCaPath, pathOf(et.serverCACert), pathOf(mt.serverCACert), undefined);
  const caData = dataOf(mt.serverCACert);
  const serverName = pick('tlsServerName', flags.tlsServerName, et.serverName, mt.serverName, undefined);
  // envconfig reads tls.disable_host_verification and TEMPORAL_TLS_DISABLE_HOST_VERIFICATION,
  // but its profile type has no field for it and drops it: read here.
  const noVerify = pick(
    'tlsDisableHostVerification',
    flags.tlsDisableHostVerification,
    bool(env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'),
    loaded?.profile.tls?.disable_host_verification,
    false,
  );
  const enabled = (disabled: boolean | undefined) => (disabled === undefined ? undefined : !disabled);
  const tlsFlag = pick<boolean | undefined>('tls', flags.tls, enabled(et.disabled), enabled(mt.disabled), undefined);
  const anyTlsOption = Boolean(certPath || certData || keyPath || keyData || caPath || caData || serverName || noVerify);
  // TLS is on when asked for, or implied by an API key or any TLS option, unless explicitly off.
  // (Not envconfig's toClientOptions: that turns TLS on for any [tls] table, even an empty one.)
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
  // gRPC metadata is read here, not taken from envconfig (1.24.0): its key normalization
  // turns only the first underscore into a hyphen (a profile's x_trace_id is sent as
  // "x-trace_id"; a variable's key, normalized twice, gets its first two), where Temporal's
  // CLI (Go's envconfig) turns them all; and an empty TEMPORAL_GRPC_META_X_TRACE_ID does not
  // remove a profile's "x-trace-id". The CLI and the daemon would send different headers.
  const metadata: Record<string, string> = {};
  const metaKey = (k: string) => k.toLowerCase().replace(/_/g, '-');
  for (const [k, v] of Object.entries(loaded?.profile.grpc_meta ?? {})) metadata[metaKey(k)] = String(v);
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('TEMPORAL_GRPC_META_')) continue;
    const key = metaKey(k.slice('TEMPORAL_GRPC_META_'.length));
    if (v === '') delete metadata[key];
    else if (v !== undefined) metadata[key] = v;
  }
  for (const kv of flags.grpcMeta ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--grpc-meta must be KEY=VALUE; got "${kv}"`);
    metadata[kv.slice(0, eq).toLowerCase()] = kv.slice(eq + 1);
  }
  // envconfig does not read TEMPORAL_CLIENT_AUTHORITY (Temporal's CLI does).
  const authority = pick<string | undefined>('clientAuthority', flags.clientAuthority, sdkEnv.TEMPORAL_CLIENT_AUTHORITY, undefined, undefined);
  // The codec: envconfig (1.24.0) parses its keys but its profile type drops them; read here,
  // as Temporal's CLI takes them (flags, then TEMPORAL_CODEC_*, then the profile's [codec]).
  const codecEndpoint = pick<string | undefined>('codecEndpoint', flags.codecEndpoint, env.TEMPORAL_CODEC_ENDPOINT || undefined, loaded?.profile.codec?.endpoint, undefined);
  const codecAuth = pick<string | undefined>('codecAuth', flags.codecAuth, env.TEMPORAL_CODEC_AUTH || undefined, loaded?.profile.codec?.auth, undefined);
  const codecHeaders: Record<string, string> = {};
  for (const kv of flags.codecHeader ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--codec-header must be KEY=VALUE; got "${kv.length > 40 ? `${kv.slice(0, 40)}…` : kv}"`);
    codecHeaders[kv.slice(0, eq).trim().toLowerCase()] = kv.slice(eq + 1).trim();
  }
  let codec: CodecSettings | undefined;
  if (codecEndpoint) {
    let url: URL;
    try {
      url = new URL(codecEndpoint.replaceAll('{namespace}', 'ns'));
    } catch {
      throw new Error(`the codec endpoint (${sources.codecEndpoint}) is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the codec endpoint (${sources.codecEndpoint}) must be an http or https URL; got ${url.protocol}`);
    codec = { endpoint: codecEndpoint, auth: codecAuth, headers: codecHeaders };
  } else if (codecAuth || Object.keys(codecHeaders).length > 0) {
    throw new Error('--codec-auth and --codec-header need a codec endpoint (--codec-endpoint, TEMPORAL_CODEC_ENDPOINT or codec.endpoint)');
  }
  return {
    connection: { address, apiKey, tls, metadata, authority },
    namespace,
    codec,
    addressConfigured: sources.address !== 'default',
    sources,
  };
}
