/** The functions' configuration: read from the environment once, every problem named. */
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../functions/shared/app.ts';
import { MAX_BODY_BYTES } from '../../functions/shared/http.ts';
import { MAX_SPEC_BYTES } from '../../lib/spec/index.ts';

const machine = (type: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:kaws-${type}`;

describe('API configuration', () => {
  it('names every missing or bad variable', () => {
    expect(() => configFromEnv({})).toThrow(ConfigError);
    expect(() => configFromEnv({})).toThrow(/AWS_REGION: .*; KAWS_TABLE: /);
    expect(() =>
      configFromEnv({ AWS_REGION: 'us-east-1', KAWS_TABLE: 't', KAWS_CREATE_STATE_MACHINE_ARN: 'nope' }),
    ).toThrow(/KAWS_CREATE_STATE_MACHINE_ARN/);
    expect(() =>
      configFromEnv({
        AWS_REGION: 'us-east-1',
        KAWS_TABLE: 't',
        KAWS_CREATE_STATE_MACHINE_ARN: machine('create'),
      }),
    ).toThrow(/all of KAWS_\{CREATE,UPDATE,DELETE\}_STATE_MACHINE_ARN or none/);
  });

  it('reads the table, the region and the state machines', () => {
    expect(configFromEnv({ AWS_REGION: 'eu-west-1', KAWS_TABLE: 'kaws-table' })).toEqual({
      aws: { region: 'eu-west-1' },
      tableName: 'kaws-table',
    });
    const full = configFromEnv({
      AWS_REGION: 'us-east-1',
      KAWS_TABLE: 't',
      KAWS_CREATE_STATE_MACHINE_ARN: machine('create'),
      KAWS_UPDATE_STATE_MACHINE_ARN: machine('update'),
      KAWS_DELETE_STATE_MACHINE_ARN: machine('delete'),
    });
    expect(full.stateMachines).toEqual({
      CREATE: machine('create'),
      UPDATE: machine('update'),
      DELETE: machine('delete'),
    });
  });

  it('limits bodies exactly as lib/spec limits specs', () => {
    expect(MAX_BODY_BYTES).toBe(MAX_SPEC_BYTES);
  });
});
