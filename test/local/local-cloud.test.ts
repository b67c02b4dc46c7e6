import { spawn } from 'node:child_process';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { localCloud } from '../support/local-cloud.ts';

describe('local cloud', () => {
  const cloud = localCloud();

  it('creates the table, key, bucket and bus from infra/resources.yml', async () => {
    const { clients, resources } = cloud;
    const table = await clients.dynamodb.send(new DescribeTableCommand({ TableName: resources.tableName }));
    expect(table.Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(['pk', 'sk']);
    expect(table.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['gsi1']);
    const key = await clients.kms.send(new DescribeKeyCommand({ KeyId: resources.keyArn }));
    expect(key.KeyMetadata?.Enabled).toBe(true);
    await clients.s3.send(new HeadBucketCommand({ Bucket: resources.bucketName }));
    // Fix event_bus_ref_returns_name (local/moto/fixes.py): !Ref of the bus is its name.
    expect(resources.eventBusName).toBe('kaws-test-events');
    const bus = await clients.eventbridge.send(new DescribeEventBusCommand({ Name: resources.eventBusName }));
    expect(bus.Arn).toBe(resources.eventBusArn);
  });

  it('moto dies with its parent, even one killed outright', async () => {
    const script = `
      import { startMotoServer } from './local/moto-server.ts';
      const moto = await startMotoServer();
      console.log(moto.endpoint);
      setInterval(() => {}, 1000);`;
    // node itself (not npx) so that SIGKILL hits the process that owns moto's stdin pipe.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const endpoint = await new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const line = chunk.toString().trim();
        if (line.startsWith('http')) resolve(line);
      });
    });
    expect((await fetch(`${endpoint}/moto-api/`)).ok).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      alive = await fetch(`${endpoint}/moto-api/`).then(
        () => true,
        () => false,
      );
    }
    expect(alive).toBe(false);
  });
});
