/** Response builders shared by the mutation routes. */
import type { OperationAccepted } from '../../lib/service/clusters.ts';
import { type ApiResult, json } from './http.ts';
import { clusterView, etagOf, operationView, paths } from './presenters.ts';

/** 202 with the cluster and its new operation; Location = the operation, ETag = the cluster's spec version. */
export function operationAccepted(accepted: OperationAccepted): ApiResult {
  return json(
    202,
    { cluster: clusterView(accepted.cluster), operation: operationView(accepted.operation) },
    { location: paths.operation(accepted.operation.id), etag: etagOf(accepted.cluster.specVersion) },
  );
}
