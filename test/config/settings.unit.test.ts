/**
 * Connection settings: flags, then TEMPORAL_* variables, then a temporal.toml
 * profile, then the defaults; and every bad value refused with a message naming it.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfigFile, resolveSettings, type ConnectionFlags } from '../../src/config/settings';
import type { TlsOptions } from '../../src/temporal/connection';
import { makePki, type Pki } from '../harness/tls-gateway';

describe('connection settings', function () {
  let dir: string;
  let pki: Pki;
  let toml: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-settings-'));
    pki = makePki();
    toml = path.join(dir, 'temporal.toml');
    fs.writeFileSync(
      toml,
      [
        '[profile.default]',
        'address = "profile-host:7233"',
        'namespace = "profile-ns"',
        '',
        '[profile.cloud]',
        'address = "${namespace}.tmprl.cloud:7233"',
        'namespace = "acme.a1b2"',
        'api_key = "profile-key"',
        '[profile.cloud.grpc_meta]',
        'x_team = "payments"',
        '',
        '[profile.mtls]',
        'address = "mtls-host:7233"',
        '[profile.mtls.tls]',
        `client_cert_path = "${pki.clientCert}"`,
        `client_key_path = "${pki.clientKey}"`,
        `server_ca_cert_path = "${pki.caCert}"`,
        'server_name = "temporal.test"',
        '',
        '[profile.plain]',
        'api_key = "k"',
        '[profile.plain.tls]',
        'disabled = true',
      ].join('\n'),
    );
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  /** Resolves with only the given environment (and no config file unless TEMPORAL_CONFIG_FILE is in it). */
  function resolve(flags: ConnectionFlags = {}, env: NodeJS.ProcessEnv = {}) {
    return resolveSettings(flags, { TEMPORAL_CONFIG_FILE: path.join(dir, 'none.toml'), ...env });
  }
  function writeToml(text: string): string {
    const f = path.join(dir, `t-${Math.random().toString(36).slice(2)}.toml`);
    fs.writeFileSync(f, text);
    return f;
  }

  it('defaults: localhost:7233, namespace "default", plaintext, no address configured', () => {
    const s = resolve();
    expect(s.connection.address).to.equal('localhost:7233');
    expect(s.namespace).to.equal('default');
    expect(s.connection.tls).to.equal(false);
    expect(s.connection.apiKey).to.equal(undefined);
    expect(s.addressConfigured).to.equal(false);
    expect(s.sources.address).to.equal('default');
  });

  it('a flag beats the environment, which beats the profile', () => {
    const env = { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_ADDRESS: 'env-host:1', TEMPORAL_NAMESPACE: 'env-ns' };
    expect(resolve({}, { TEMPORAL_CONFIG_FILE: toml }).connection.address).to.equal('profile-host:7233');
    expect(resolve({}, { TEMPORAL_CONFIG_FILE: toml }).namespace).to.equal('profile-ns');
    const fromEnv = resolve({}, env);
    expect([fromEnv.connection.address, fromEnv.namespace]).to.deep.equal(['env-host:1', 'env-ns']);
    expect(fromEnv.sources).to.include({ address: 'env', namespace: 'env' });
    const fromFlags = resolve({ address: 'flag-host:2', namespace: 'flag-ns' }, env);
    expect([fromFlags.connection.address, fromFlags.namespace]).to.deep.equal(['flag-host:2', 'flag-ns']);
    expect(fromFlags.sources).to.include({ address: 'flag', namespace: 'flag' });
    expect(fromFlags.addressConfigured).to.equal(true);
    // An empty variable counts as unset.
    expect(resolve({}, { ...env, TEMPORAL_ADDRESS: '' }).connection.address).to.equal('profile-host:7233');
  });

  it('a named profile: ${namespace} in its address, its API key (TLS on) and its gRPC metadata', () => {
    const s = resolve({ profile: 'cloud' }, { TEMPORAL_CONFIG_FILE: toml });
    expect(s.connection.address).to.equal('acme.a1b2.tmprl.cloud:7233');
    expect(s.connection.apiKey).to.equal('profile-key');
    expect(s.connection.tls).to.deep.include({ serverName: undefined, disableHostVerification: false });
    expect(s.connection.metadata).to.deep.equal({ 'x-team': 'payments' });
    // TEMPORAL_PROFILE names it too.
    expect(resolve({}, { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' }).connection.apiKey).to.equal('profile-key');
  });

  it('an API key turns TLS on unless TLS is turned off explicitly', () => {
    expect(resolve({ apiKey: 'k' }).connection.tls).to.be.an('object');
    expect(resolve({ apiKey: 'k', tls: false }).connection.tls).to.equal(false);
    expect(resolve({}, { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).connection.tls).to.equal(false);
    expect(resolve({ profile: 'plain' }, { TEMPORAL_CONFIG_FILE: toml }).connection.tls).to.equal(false);
    expect(resolve({}, { TEMPORAL_TLS: '1' }).connection.tls).to.be.an('object');
  });

  it('TLS files are read and parsed: flags, TEMPORAL_TLS_* variables and a profile give the same PEMs', () => {
    const expected = {
      clientCert: fs.readFileSync(pki.clientCert),
      clientKey: fs.readFileSync(pki.clientKey),
      serverRootCaCert: fs.readFileSync(pki.caCert),
      serverName: 'temporal.test',
    };
    const viaFlags = resolve({ tlsCertPath: pki.clientCert, tlsKeyPath: pki.clientKey, tlsCaPath: pki.caCert, tlsServerName: 'temporal.test' });
    const viaEnv = resolve(
      {},
      {
        TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
        TEMPORAL_TLS_SERVER_CA_CERT_DATA: fs.readFileSync(pki.caCert, 'utf8'),
        TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
      },
    );
    const viaProfile = resolve({ profile: 'mtls' }, { TEMPORAL_CONFIG_FILE: toml });
    for (const s of [viaFlags, viaEnv, viaProfile]) {
      const tls = s.connection.tls as TlsOptions;
      expect(tls).to.deep.include(expected);
    }
  });

  it('gRPC metadata: profile, then TEMPORAL_GRPC_META_* (empty removes), then --grpc-meta', () => {
    const env = { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_GRPC_META_X_TEAM: '', TEMPORAL_GRPC_META_X_TRACE_ID: 'abc' };
    expect(resolve({ profile: 'cloud' }, env).connection.metadata).to.deep.equal({ 'x-trace-id': 'abc' });
    expect(resolve({ profile: 'cloud', grpcMeta: ['X-Trace-Id=flag', 'x-empty='] }, env).connection.metadata).to.deep.equal({ 'x-trace-id': 'flag', 'x-empty': '' });
  });

  it("what @temporalio/envconfig drops or reads differently is read as Temporal's CLI does", () => {
    // Every underscore of a metadata key becomes a hyphen (envconfig turns only the first),
    // and an empty variable removes a key the profile wrote with hyphens.
    const meta = writeToml('[profile.default.grpc_meta]\nx_a_b = "p"\n"x-c-d" = "q"\n');
    expect(resolve({}, { TEMPORAL_CONFIG_FILE: meta, TEMPORAL_GRPC_META_X_E_F_G: 'e', TEMPORAL_GRPC_META_X_C_D: '' }).connection.metadata).to.deep.equal({ 'x-a-b': 'p', 'x-e-f-g': 'e' });
    // Host verification off, from a profile or a variable (envconfig's profile type has no field for it).
    const noVerify = writeToml('[profile.default.tls]\ndisable_host_verification = true\n');
    expect(resolve({}, { TEMPORAL_CONFIG_FILE: noVerify }).connection.tls).to.deep.include({ disableHostVerification: true });
    expect(resolve({}, { TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'TRUE' }).connection.tls).to.deep.include({ disableHostVerification: true });
    // Booleans in any case (envconfig would take TRUE as false).
    expect(resolve({}, { TEMPORAL_TLS: 'TRUE' }).connection.tls).to.be.an('object');
    // TEMPORAL_CLIENT_AUTHORITY (envconfig does not read it), and an empty one is unset.
    expect(resolve({}, { TEMPORAL_CLIENT_AUTHORITY: 'front.test' }).connection.authority).to.equal('front.test');
    expect(resolve({}, { TEMPORAL_CLIENT_AUTHORITY: '' }).sources.clientAuthority).to.equal('default');
    // Where TLS paths came from.
    const viaProfile = resolve({ profile: 'mtls' }, { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert });
    expect(viaProfile.sources).to.include({ tlsCertPath: 'profile', tlsKeyPath: 'profile', tlsCaPath: 'env', tlsServerName: 'profile' });
  });

  it('a TLS file given as a path in one layer and as data in another is refused in the same words', () => {
    const caData = writeToml(`[profile.default.tls]\nserver_ca_cert_data = """${fs.readFileSync(pki.caCert, 'utf8')}"""\n`);
    expect(() => resolve({}, { TEMPORAL_CONFIG_FILE: caData, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert })).to.throw(Error, /^TLS server CA certificate: give a path or data, not both$/);
    expect(() => resolve({}, { TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey, TEMPORAL_TLS_CLIENT_KEY_DATA: 'x' })).to.throw(Error, /^TLS client key: give a path or data, not both$/);
    // A flag's path over the profile's data is the same contradiction.
    expect(() => resolve({ tlsCaPath: pki.caCert }, { TEMPORAL_CONFIG_FILE: caData })).to.throw(Error, /^TLS server CA certificate: give a path or data, not both$/);
  });

  it("the codec: --codec-endpoint, then TEMPORAL_CODEC_*, then a profile's [codec]; --codec-header; none by default", () => {
    expect(resolve().codec).to.equal(undefined);
    const file = writeToml(['[profile.default]', '[profile.default.codec]', 'endpoint = "https://codec.example/{namespace}"', 'auth = "Bearer from-profile"'].join('\n'));
    const fromProfile = resolve({}, { TEMPORAL_CONFIG_FILE: file });
    expect(fromProfile.codec).to.deep.equal({ endpoint: 'https://codec.example/{namespace}', auth: 'Bearer from-profile', headers: {} });
    expect(fromProfile.sources).to.include({ codecEndpoint: 'profile', codecAuth: 'profile' });
    const fromEnv = resolve({}, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_CODEC_ENDPOINT: 'http://127.0.0.1:8081', TEMPORAL_CODEC_AUTH: 'env-auth' });
    expect(fromEnv.codec).to.include({ endpoint: 'http://127.0.0.1:8081', auth: 'env-auth' });
    const fromFlags = resolve({ codecEndpoint: 'http://localhost:9/c', codecHeader: ['X-Org = acme', 'x-b=1=2'] }, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_CODEC_ENDPOINT: 'http://127.0.0.1:8081' });
    expect(fromFlags.codec).to.deep.equal({ endpoint: 'http://localhost:9/c', auth: 'Bearer from-profile', headers: { 'x-org': 'acme', 'x-b': '1=2' } });
    expect(fromFlags.sources).to.include({ codecEndpoint: 'flag', codecAuth: 'profile' });
    expect(() => resolve({ codecEndpoint: 'http://x', codecHeader: ['nothing'] })).to.throw(/--codec-header must be KEY=VALUE; got "nothing"/);
    expect(() => resolve({}, { TEMPORAL_CONFIG_FILE: writeToml('[profile.default.codec]\nendpoint = 5\n') })).to.throw(/codec\.endpoint must be a string/);
  });

  it('an empty TEMPORAL_PROFILE is unset: the default profile', () => {
    expect(resolve({}, { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: '' }).connection.address).to.equal('profile-host:7233');
  });

  it('the config file: TEMPORAL_CONFIG_FILE, else XDG_CONFIG_HOME/temporalio/temporal.toml', () => {
    expect(defaultConfigFile({ TEMPORAL_CONFIG_FILE: '/x/t.toml' })).to.equal('/x/t.toml');
    if (process.platform === 'linux') expect(defaultConfigFile({ XDG_CONFIG_HOME: '/cfg' })).to.equal('/cfg/temporalio/temporal.toml');
    // A missing file is fine without a named profile.
    expect(() => resolve({}, { TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml') })).to.not.throw();
  });

  describe('bad values are refused, naming what was wrong', function () {
    const cases: [string, () => unknown, RegExp][] = [];
    const add = (what: string, fn: () => unknown, re: RegExp) => cases.push([what, fn, re]);

    before(() => {
      const garbage = path.join(dir, 'garbage.pem');
      fs.writeFileSync(garbage, 'not a certificate\n');
      add('TEMPORAL_TLS=maybe', () => resolve({}, { TEMPORAL_TLS: 'maybe' }), /TEMPORAL_TLS must be 1, 0, true or false; got "maybe"/);
      add('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=yes', () => resolve({}, { TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'yes' }), /TEMPORAL_TLS_DISABLE_HOST_VERIFICATION must be/);
      add('--grpc-meta without =', () => resolve({ grpcMeta: ['novalue'] }), /--grpc-meta must be KEY=VALUE; got "novalue"/);
      add('--grpc-meta with an empty key', () => resolve({ grpcMeta: ['=v'] }), /--grpc-meta must be KEY=VALUE/);
      add('a named profile without a config file', () => resolve({ profile: 'x' }), /profile "x": config file .*none\.toml does not exist/);
      add('a profile the file lacks', () => resolve({ profile: 'nope' }, { TEMPORAL_CONFIG_FILE: toml }), /profile "nope" not found in .*temporal\.toml/);
      add('a file that is not TOML', () => resolve({}, { TEMPORAL_CONFIG_FILE: writeToml('[profile.default\naddress = ') }), /config file .*\.toml: /);
      add('a number where a string belongs', () => resolve({}, { TEMPORAL_CONFIG_FILE: writeToml('[profile.default]\naddress = 7233\n') }), /\[profile\.default\]: address must be a string; got 7233/);
      add('a string where a boolean belongs', () => resolve({}, { TEMPORAL_CONFIG_FILE: writeToml('[profile.default.tls]\ndisabled = "yes"\n') }), /tls\.disabled must be a boolean; got "yes"/);
      add('tls that is not a table', () => resolve({}, { TEMPORAL_CONFIG_FILE: writeToml('[profile.default]\ntls = true\n') }), /tls must be a table; got true/);
      add('a grpc_meta value that is not a string', () => resolve({}, { TEMPORAL_CONFIG_FILE: writeToml('[profile.default.grpc_meta]\nx = 1\n') }), /grpc_meta\.x must be a string; got 1/);
      add('a profile that is not a table', () => resolve({}, { TEMPORAL_CONFIG_FILE: writeToml('profile = { default = 3 }\n') }), /\[profile\.default\] must be a table/);
      add('a CA path that does not exist', () => resolve({ tlsCaPath: path.join(dir, 'missing.pem') }), /TLS server CA certificate: cannot read .*missing\.pem: ENOENT/);
      add('a CA file that is not a certificate', () => resolve({ tlsCaPath: garbage }), /TLS server CA certificate in .*garbage\.pem is not a PEM certificate/);
      add('a client certificate that is a key', () => resolve({ tlsCertPath: pki.clientKey, tlsKeyPath: pki.clientKey }), /TLS client certificate in .*client\.key is not a PEM certificate/);
      add('a client key that is a certificate', () => resolve({ tlsCertPath: pki.clientCert, tlsKeyPath: pki.clientCert }), /TLS client key in .*client\.pem is not a PEM private key/);
      add('a client key of another certificate', () => resolve({ tlsCertPath: pki.clientCert, tlsKeyPath: pki.serverKey }), /TLS client key does not belong to the TLS client certificate/);
      add('inline CA data that is not PEM', () => resolve({}, { TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'xyz' }), /TLS server CA certificate \(inline data\) is not a PEM certificate/);
      add('a CA given as path and data', () => resolve({ tlsCaPath: pki.caCert }, { TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'x' }), /TLS server CA certificate: give a path or data, not both/);
    });

    it('each one', () => {
      expect(cases.length).to.equal(19);
      for (const [what, fn, re] of cases) expect(fn, what).to.throw(Error, re);
    });
  });
});
