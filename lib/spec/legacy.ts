/**
 * kube-aws 0.9's flat keys (`controllerCount`, `vpcId`, `externalDNSName`, ...) folded into the
 * canonical nested form, remembering where each value came from so errors name the user's key.
 * Also applies kube-aws's "empty string means default" rule by dropping empty values.
 */
import { formatPath, type PathSegment, SourcePaths, valueAt } from './paths.ts';
import type { SpecIssue } from './types.ts';

type Tree = Record<string, unknown>;

/** Name of the node pool made from the flat `worker*` keys (and the default pool). */
export const LEGACY_WORKER_POOL_NAME = 'workers';
/** kube-aws's instanceCIDR default, for the single subnet of a spec without `subnets`. */
export const DEFAULT_INSTANCE_CIDR = '10.0.0.0/24';
/** Name of the API endpoint made from `externalDNSName`. */
export const LEGACY_API_ENDPOINT_NAME = 'default';

/** Flat key -> canonical path. */
const FLAT_KEYS: Record<string, PathSegment[]> = {
  controllerCount: ['controller', 'count'],
  controllerInstanceType: ['controller', 'instanceType'],
  controllerRootVolumeSize: ['controller', 'rootVolume', 'size'],
  controllerRootVolumeType: ['controller', 'rootVolume', 'type'],
  controllerRootVolumeIOPS: ['controller', 'rootVolume', 'iops'],
  etcdCount: ['etcd', 'count'],
  etcdInstanceType: ['etcd', 'instanceType'],
  etcdRootVolumeSize: ['etcd', 'rootVolume', 'size'],
  etcdRootVolumeType: ['etcd', 'rootVolume', 'type'],
  etcdRootVolumeIOPS: ['etcd', 'rootVolume', 'iops'],
  etcdDataVolumeSize: ['etcd', 'dataVolume', 'size'],
  etcdDataVolumeType: ['etcd', 'dataVolume', 'type'],
  etcdDataVolumeIOPS: ['etcd', 'dataVolume', 'iops'],
  etcdDataVolumeEncrypted: ['etcd', 'dataVolume', 'encrypted'],
  vpcId: ['vpc', 'id'],
  vpcCIDR: ['vpc', 'cidr'],
  internetGatewayId: ['internetGateway', 'id'],
};

/** Flat `worker*` key -> path inside the synthesized node pool. */
const FLAT_WORKER_KEYS: Record<string, PathSegment[]> = {
  workerCount: ['count'],
  workerInstanceType: ['instanceType'],
  workerRootVolumeSize: ['rootVolume', 'size'],
  workerRootVolumeType: ['rootVolume', 'type'],
  workerRootVolumeIOPS: ['rootVolume', 'iops'],
  workerSpotPrice: ['spotPrice'],
};

/** Flat API endpoint keys -> path inside the synthesized endpoint. */
const FLAT_ENDPOINT_KEYS: Record<string, PathSegment[]> = {
  externalDNSName: ['dnsName'],
  createRecordSet: ['loadBalancer', 'recordSetManaged'],
  hostedZoneId: ['loadBalancer', 'hostedZone', 'id'],
  hostedZone: ['loadBalancer', 'hostedZone', 'name'],
  recordSetTTL: ['loadBalancer', 'recordSetTTL'],
};

/** Flat root volume keys that kube-aws also accepted inside controller, etcd and node pools. */
const NESTED_ROOT_VOLUME_KEYS: Record<string, string> = {
  rootVolumeSize: 'size',
  rootVolumeType: 'type',
  rootVolumeIOPS: 'iops',
};

export interface FoldResult {
  /** The document in canonical nested form (legacy keys moved, empty values dropped). */
  canonical: Tree;
  paths: SourcePaths;
  issues: SpecIssue[];
  /** Canonical paths left empty because a required legacy key was missing (rules on them are skipped). */
  invalid: PathSegment[][];
}

const isTree = (value: unknown): value is Tree =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys whose values are free-form maps: their empty values are data, not "use the default". */
const isFreeFormMap = (path: readonly PathSegment[]): boolean =>
  (path.length === 1 && path[0] === 'stackTags') ||
  (path.length === 4 && path[0] === 'worker' && path[1] === 'nodePools' && path[3] === 'nodeLabels');

/** Deep copy without `""`/null values in mappings (kube-aws: an empty value means the default). */
function dropEmpty(value: unknown, path: PathSegment[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => dropEmpty(item, [...path, index]));
  if (!isTree(value)) return value;
  const keepEmpty = isFreeFormMap(path);
  const out: Tree = {};
  for (const [key, child] of Object.entries(value)) {
    if (!keepEmpty && (child === '' || child === null || child === undefined)) continue;
    out[key] = keepEmpty ? child : dropEmpty(child, [...path, key]);
  }
  return out;
}

/** The object at `path`, created when missing; undefined when something else is in the way. */
function containerAt(root: Tree, path: readonly PathSegment[]): Tree | undefined {
  let current: Tree = root;
  for (const segment of path) {
    const key = String(segment);
    if (!Object.hasOwn(current, key)) current[key] = {};
    const next = current[key];
    if (!isTree(next)) return undefined;
    current = next;
  }
  return current;
}

class Folder {
  readonly issues: SpecIssue[] = [];
  readonly invalid: PathSegment[][] = [];
  readonly paths = new SourcePaths();
  constructor(readonly doc: Tree) {}

  conflict(userKey: string, message: string): void {
    this.issues.push({ path: userKey, code: 'conflicting_keys', message });
  }

  /** Moves `doc[flatKey]` to `target`, unless the canonical key is set too. */
  moveTopLevel(flatKey: string, target: readonly PathSegment[]): void {
    if (!Object.hasOwn(this.doc, flatKey)) return;
    const value = this.doc[flatKey];
    delete this.doc[flatKey];
    const parent = containerAt(this.doc, target.slice(0, -1));
    if (!parent) return; // the parent has the wrong type: the schema reports it
    const leaf = String(target.at(-1));
    if (Object.hasOwn(parent, leaf)) {
      this.conflict(
        flatKey,
        `${flatKey} and ${formatPath(target)} are both set; keep only ${formatPath(target)}`,
      );
      return;
    }
    parent[leaf] = value;
    this.paths.record(target, flatKey);
  }

  foldFlatKeys(): void {
    const usedGroups = new Set<string>();
    for (const [flatKey, target] of Object.entries(FLAT_KEYS)) {
      if (Object.hasOwn(this.doc, flatKey)) usedGroups.add(formatPath(target.slice(0, -1)));
      this.moveTopLevel(flatKey, target);
    }
    // A user of etcdDataVolumeType hears about a missing etcdDataVolumeIOPS, not etcd.dataVolume.iops.
    for (const [flatKey, target] of Object.entries(FLAT_KEYS)) {
      if (usedGroups.has(formatPath(target.slice(0, -1))) && valueAt(this.doc, target) === undefined) {
        this.paths.record(target, flatKey);
      }
    }
  }

  /** `worker*` keys become one node pool, as kube-aws 0.9's single worker group. */
  foldWorkerKeys(): void {
    const present = Object.keys(FLAT_WORKER_KEYS).filter((key) => Object.hasOwn(this.doc, key));
    if (present.length === 0) return;
    const worker = this.doc.worker;
    if (worker !== undefined && (!isTree(worker) || worker.nodePools !== undefined)) {
      for (const key of present) {
        delete this.doc[key];
        this.conflict(
          key,
          `${key} cannot be combined with worker.nodePools; set it on each node pool instead`,
        );
      }
      return;
    }
    const pool: Tree = { name: LEGACY_WORKER_POOL_NAME };
    for (const [key, inPool] of Object.entries(FLAT_WORKER_KEYS)) {
      this.paths.record(['worker', 'nodePools', 0, ...inPool], key);
    }
    for (const key of present) {
      const inPool = FLAT_WORKER_KEYS[key]!;
      const parent = containerAt(pool, inPool.slice(0, -1))!;
      parent[String(inPool.at(-1))] = this.doc[key];
      delete this.doc[key];
    }
    this.doc.worker = { ...(isTree(worker) ? worker : {}), nodePools: [pool] };
  }

  /** `availabilityZone` + `instanceCIDR` describe the single subnet of a kube-aws 0.9 cluster. */
  foldSubnetKeys(): void {
    const hasZone = Object.hasOwn(this.doc, 'availabilityZone');
    const hasCidr = Object.hasOwn(this.doc, 'instanceCIDR');
    const subnets = this.doc.subnets;
    if (Array.isArray(subnets) ? subnets.length > 0 : subnets !== undefined) {
      for (const key of ['availabilityZone', 'instanceCIDR'].filter((k) => Object.hasOwn(this.doc, k))) {
        delete this.doc[key];
        this.conflict(key, `top-level ${key} must be omitted when subnets are listed; set it on each subnet`);
      }
      return;
    }
    if (!hasZone) {
      this.issues.push({
        path: 'availabilityZone',
        code: 'required',
        message: 'availabilityZone is required (or list subnets, each with its availabilityZone)',
      });
      delete this.doc.instanceCIDR;
      this.invalid.push(['subnets']);
      return;
    }
    const subnet: Tree = { availabilityZone: this.doc.availabilityZone };
    this.paths.record(['subnets'], 'availabilityZone');
    this.paths.record(['subnets', 0, 'availabilityZone'], 'availabilityZone');
    // kube-aws: without subnets and instanceCIDR, the single subnet is 10.0.0.0/24.
    subnet.instanceCIDR = hasCidr ? this.doc.instanceCIDR : DEFAULT_INSTANCE_CIDR;
    this.paths.record(['subnets', 0, 'instanceCIDR'], 'instanceCIDR');
    delete this.doc.availabilityZone;
    delete this.doc.instanceCIDR;
    this.doc.subnets = [subnet];
  }

  /** `externalDNSName` and its record-set keys become one API endpoint. */
  foldEndpointKeys(): void {
    const present = Object.keys(FLAT_ENDPOINT_KEYS).filter((key) => Object.hasOwn(this.doc, key));
    const endpoints = this.doc.apiEndpoints;
    const hasEndpoints = Array.isArray(endpoints) ? endpoints.length > 0 : endpoints !== undefined;
    if (hasEndpoints) {
      for (const key of present) {
        delete this.doc[key];
        if (key === 'externalDNSName') {
          this.conflict(key, 'set either externalDNSName or apiEndpoints, not both');
        } else {
          this.conflict(
            key,
            `${key} only applies with externalDNSName; with apiEndpoints use apiEndpoints[].loadBalancer`,
          );
        }
      }
      return;
    }
    if (!present.includes('externalDNSName')) {
      for (const key of present) delete this.doc[key];
      this.issues.push({
        path: 'externalDNSName',
        code: 'required',
        message: 'either externalDNSName or apiEndpoints is required',
      });
      this.invalid.push(['apiEndpoints']);
      return;
    }
    // kube-aws 0.9: no Route 53 record unless createRecordSet is true.
    const endpoint: Tree = { name: LEGACY_API_ENDPOINT_NAME, loadBalancer: { recordSetManaged: false } };
    this.paths.record(['apiEndpoints'], 'externalDNSName');
    // Record-set fields map to their flat keys even when absent: rules about them name those keys.
    for (const [key, inEndpoint] of Object.entries(FLAT_ENDPOINT_KEYS)) {
      this.paths.record(['apiEndpoints', 0, ...inEndpoint], key);
    }
    for (const key of present) {
      const inEndpoint = FLAT_ENDPOINT_KEYS[key]!;
      const parent = containerAt(endpoint, inEndpoint.slice(0, -1))!;
      parent[String(inEndpoint.at(-1))] = this.doc[key];
      delete this.doc[key];
    }
    this.doc.apiEndpoints = [endpoint];
  }

  /** `rootVolumeSize` etc. inside controller, etcd and node pools. */
  foldNestedRootVolume(owner: Tree, ownerPath: PathSegment[], userOwnerPath: string): void {
    for (const [flatKey, field] of Object.entries(NESTED_ROOT_VOLUME_KEYS)) {
      if (!Object.hasOwn(owner, flatKey)) continue;
      const value = owner[flatKey];
      delete owner[flatKey];
      const volume = containerAt(owner, ['rootVolume']);
      if (!volume) continue;
      if (Object.hasOwn(volume, field)) {
        this.conflict(
          `${userOwnerPath}.${flatKey}`,
          `${userOwnerPath}.${flatKey} and ${userOwnerPath}.rootVolume.${field} are both set; keep only rootVolume.${field}`,
        );
        continue;
      }
      volume[field] = value;
      this.paths.record([...ownerPath, 'rootVolume', field], `${userOwnerPath}.${flatKey}`);
    }
  }

  /** kube-aws subnet references are `{name: x}`; kaws keeps the names. */
  foldSubnetReferences(owner: Tree, ownerPath: PathSegment[]): void {
    const refs = owner.subnets;
    if (!Array.isArray(refs)) return;
    owner.subnets = refs.map((ref, index) => {
      if (!isTree(ref) || typeof ref.name !== 'string') return ref;
      const refPath = [...ownerPath, 'subnets', index];
      for (const key of Object.keys(ref).filter((k) => k !== 'name')) {
        this.issues.push({
          path: formatPath([...refPath, key]),
          code: 'unknown_key',
          message: `unknown key "${key}": a subnet reference only has a name`,
        });
      }
      this.paths.record(refPath, formatPath([...refPath, 'name']));
      return ref.name;
    });
  }

  foldNested(): void {
    for (const role of ['controller', 'etcd'] as const) {
      const owner = this.doc[role];
      if (!isTree(owner)) continue;
      this.foldNestedRootVolume(owner, [role], role);
      this.foldSubnetReferences(owner, [role]);
    }
    const worker = this.doc.worker;
    if (isTree(worker) && Array.isArray(worker.nodePools)) {
      worker.nodePools.forEach((pool, index) => {
        if (!isTree(pool)) return;
        const poolPath = ['worker', 'nodePools', index];
        this.foldNestedRootVolume(pool, poolPath, formatPath(poolPath));
        this.foldSubnetReferences(pool, poolPath);
      });
    }
    const endpoints = this.doc.apiEndpoints;
    if (Array.isArray(endpoints)) {
      endpoints.forEach((endpoint, index) => {
        if (isTree(endpoint) && isTree(endpoint.loadBalancer)) {
          this.foldSubnetReferences(endpoint.loadBalancer, ['apiEndpoints', index, 'loadBalancer']);
        }
      });
    }
  }
}

/**
 * Folds legacy keys into the canonical form. The input is not modified.
 * @returns the canonical document, the source-path map, and conflicts/missing-key issues
 */
export function foldLegacyKeys(document: Tree): FoldResult {
  const folder = new Folder(dropEmpty(document, []) as Tree);
  folder.foldFlatKeys();
  folder.foldWorkerKeys();
  folder.foldSubnetKeys();
  folder.foldEndpointKeys();
  folder.foldNested();
  return { canonical: folder.doc, paths: folder.paths, issues: folder.issues, invalid: folder.invalid };
}
