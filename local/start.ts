/**
 * `npm start`: the local cloud (moto with kaws's resources) and the API on http://127.0.0.1:8080.
 *
 * Environment: PORT (default 8080), KAWS_CORS_ORIGINS (comma-separated allowed origins; none by
 * default), POWERTOOLS_LOG_LEVEL (the functions' own JSON logs; default WARN, the server prints one line
 * per request), plus local/cloud.ts's AWS_ENDPOINT_URL / KAWS_AWS_ENDPOINT to reuse a running emulator.
 *
 * Operations run on the local workflow engine (the same ASL as on AWS, local/engine.ts); each cluster's
 * API server is a local stand-in; every event kaws publishes is printed from the local event queue.
 */
import { buildApp } from '../functions/shared/app.ts';
import { logger } from '../functions/shared/logger.ts';
import { startLocalCloud } from './cloud.ts';
import { type LocalRuntime, startLocalRuntime } from './engine-runtime.ts';
import { eventLine } from './event-queue.ts';
import { faultEndpoint } from './fault-endpoint.ts';
import { startApiServer } from './server.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`kaws: PORT must be a port number, not ${JSON.stringify(process.env.PORT)}\n`);
  process.exit(2);
}
const corsOrigins = (process.env.KAWS_CORS_ORIGINS ?? '')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean);

process.stdout.write('kaws: starting the local cloud...\n');
const cloud = await startLocalCloud();
let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
let runtime: LocalRuntime | undefined;
try {
  // The server prints one line per request; the functions' own JSON lines only for warnings and errors.
  if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');
  runtime = await startLocalRuntime(cloud, {
    log: (line) => process.stdout.write(`kaws: ${line}\n`),
    onEvent: (event) => process.stdout.write(`kaws: event: ${eventLine(event)}\n`),
  });
  const app = buildApp(
    { aws: cloud.awsConfig, tableName: cloud.resources.tableName, bucketName: cloud.resources.bucketName },
    { workflows: runtime.engine, endpoints: runtime.endpoints, workflowDeps: runtime.engine.deps },
  );
  const local = faultEndpoint({ standIns: runtime.standIns, clusters: app.store });
  server = await startApiServer({ app, port, corsOrigins, local });
} catch (error) {
  await runtime?.stop();
  await cloud.stop();
  process.stderr.write(`kaws: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write(
  `kaws: API on ${server.url} (local cloud at ${cloud.endpoint}, table ${cloud.resources.tableName})\n` +
    `kaws: CORS origins: ${corsOrigins.length ? corsOrigins.join(', ') : 'none'}; Ctrl-C to stop\n`,
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`kaws: ${signal}, shutting down\n`);
  await server?.close();
  await runtime?.stop();
  await cloud.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
