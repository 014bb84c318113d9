/**
 * How the API and the worker connect to a Temporal cluster (issue 15): the address and namespace
 * from our configuration, and TLS, mTLS or an API key from Temporal's own environment variables
 * through `@temporalio/envconfig` (the SDK's environment configuration package):
 * `TEMPORAL_TLS=true`, `TEMPORAL_TLS_SERVER_CA_CERT_PATH`, `TEMPORAL_TLS_SERVER_NAME`,
 * `TEMPORAL_TLS_CLIENT_CERT_PATH` + `TEMPORAL_TLS_CLIENT_KEY_PATH` (mTLS), `TEMPORAL_API_KEY`
 * (Temporal Cloud; implies TLS), `TEMPORAL_GRPC_META_<NAME>` headers, or a TOML profile
 * (`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`). The in-process engine is always plain loopback.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/** Connection options for `address`, with the environment's TLS / API key settings. */
export function clusterConnectionOptions(address: string, env: NodeJS.ProcessEnv = process.env): NativeConnectionOptions {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  const { connectionOptions } = loadClientConnectConfig({ overrideEnvVars: vars, disableFile: !vars.TEMPORAL_CONFIG_FILE });
  return { ...connectionOptions, address };
}
