/**
 * The node configs against their format (Ignition 3.4.0, the subset kaws uses, written down from the
 * spec in ignition-3.4.subset.schema.json), and against themselves: every script a unit runs is in
 * the config, every variable a script reads is in its env file, every script parses, every manifest
 * is YAML, every asset the role needs is listed with its fingerprint.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderCluster, roleAssets } from '../../lib/render/index.ts';
import { etcdMemberDnsName } from '../../lib/render/naming.ts';
import { fakeAssets, TEST_ARTIFACTS } from './fixtures.ts';
import { VARIANTS } from './variants.ts';

const schema = JSON.parse(
  readFileSync(new URL('./ignition-3.4.subset.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

interface Config {
  storage: { files: Array<{ path: string; mode: number; contents: { source: string } }> };
  systemd: { units: Array<{ name: string; contents?: string }> };
}

function inlineFiles(config: Config): Map<string, { mode: number; text: string }> {
  const files = new Map<string, { mode: number; text: string }>();
  for (const file of config.storage.files) {
    const match = /^data:;base64,(.*)$/.exec(file.contents.source);
    if (!match) continue;
    expect(files.has(file.path), `${file.path} written twice`).toBe(false);
    files.set(file.path, { mode: file.mode, text: Buffer.from(match[1] ?? '', 'base64').toString('utf8') });
  }
  return files;
}

const envKeys = (text: string) =>
  new Set(
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('=')[0]),
  );

describe.each(VARIANTS)('node configs of %s', (_name, makeSpec) => {
  const spec = makeSpec();
  const assets = fakeAssets();
  const rendered = renderCluster({ spec, assets, artifacts: { ...TEST_ARTIFACTS } });

  it.each(rendered.nodeConfigs.map((c) => [c.name, c] as const))(
    '%s is valid Ignition 3.4.0, and so is its bootstrap',
    (_n, config) => {
      expect(validate(JSON.parse(config.text)), JSON.stringify(validate.errors)).toBe(true);
      const bootstrap = JSON.parse(config.bootstrap);
      expect(validate(bootstrap), JSON.stringify(validate.errors)).toBe(true);
      expect(bootstrap.ignition.config.replace.verification.hash).toBe(
        `sha512-${createHash('sha512').update(config.text).digest('hex')}`,
      );
    },
  );

  it.each(rendered.nodeConfigs.map((c) => [c.name, c] as const))(
    '%s is consistent with itself',
    (_n, config) => {
      const parsed = JSON.parse(config.text) as Config;
      const files = inlineFiles(parsed);
      const env = files.get('/etc/kaws/cluster.env')?.text ?? '';
      expect(env).toMatch(/^([A-Z][A-Z0-9_]*=[^\s"'$`\\]*\n)+$/);
      const defined = envKeys(env);

      for (const unit of parsed.systemd.units.filter((u) => u.contents)) {
        for (const [, path] of (unit.contents ?? '').matchAll(/^Exec\w*=-?(\/opt\/kaws\/bin\/[\w-]+)/gm)) {
          expect(files.get(path as string)?.mode, `${unit.name} runs ${path}`).toBe(0o755);
        }
        for (const [, variable] of (unit.contents ?? '').matchAll(/\$\{(\w+)\}/g)) {
          expect(defined.has(variable as string), `${unit.name} reads \${${variable}}`).toBe(true);
        }
      }
      for (const [path, file] of files) {
        expect(file.text, `${path} has an unfilled placeholder`).not.toMatch(/\{\{/);
        if (file.text.startsWith('#!/bin/bash')) {
          const syntax = spawnSync('bash', ['-n'], { input: file.text, encoding: 'utf8' });
          expect(syntax.status, `${path}: ${syntax.stderr}`).toBe(0);
          // Variables a script sources from cluster.env must be there (etcd member names are looked up by index).
          for (const [, variable] of file.text.matchAll(/\$\{((?:KAWS|KUBELET)_[A-Z0-9_]*[A-Z0-9])\}/g)) {
            expect(defined.has(variable as string), `${path} reads \${${variable}}`).toBe(true);
          }
        }
        if (path.endsWith('.yaml') || path.endsWith('.kubeconfig'))
          expect(() => parseYaml(file.text), path).not.toThrow();
      }
      if (config.role !== 'etcd') {
        // The values templates/ were filled with, where the kubelet reads them.
        const kubelet = parseYaml(files.get('/etc/kubernetes/kubelet-config.yaml')?.text ?? '');
        expect(kubelet.clusterDNS).toEqual([spec.dnsServiceIP]);
        const kubeconfig = parseYaml(files.get('/etc/kubernetes/kubelet.kubeconfig')?.text ?? '');
        expect(kubeconfig.clusters[0].cluster.server).toBe(
          config.role === 'controller' ? 'https://127.0.0.1:443' : `https://${spec.apiEndpoints[0]?.dnsName}`,
        );
        expect(kubeconfig.users[0].user['client-certificate']).toBe('/etc/kaws/tls/worker.pem');
      }
      if (config.role === 'controller') {
        const apiserver = parseYaml(files.get('/etc/kubernetes/manifests/kube-apiserver.yaml')?.text ?? '');
        const members = Array.from(
          { length: spec.etcd.count },
          (_, i) => `https://${etcdMemberDnsName(spec.clusterName, i)}:2379`,
        );
        expect(apiserver.spec.containers[0].command).toContain(`--etcd-servers=${members.join(',')}`);
        expect(apiserver.spec.containers[0].image).toBe(
          `registry.k8s.io/kube-apiserver:${spec.kubernetesVersion}`,
        );
      }
      const checksums = (files.get('/etc/kaws/assets.sha256')?.text ?? '').trim().split('\n');
      expect(checksums).toEqual(
        [...roleAssets[config.role]]
          .sort()
          .map((name) => `${assets[name]?.fingerprint}  /etc/kaws/tls/${name}`),
      );
    },
  );
});

describe('the Ignition schema', () => {
  it('rejects what Ignition would ignore or refuse (the check can fail)', () => {
    const misspelt = {
      ignition: { version: '3.4.0' },
      storage: { files: [{ path: '/etc/x', content: { source: 'data:,x' } }] },
    };
    expect(validate(misspelt)).toBe(false);
    expect(validate({ ignition: { version: '3.3.0' } })).toBe(false);
    expect(
      validate({
        ignition: {
          version: '3.4.0',
          config: { replace: { source: 's3://b/k', verification: { hash: 'md5-1' } } },
        },
      }),
    ).toBe(false);
  });
});
