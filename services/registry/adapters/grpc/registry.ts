// gRPC StandardRegistry: thin translation between the wire and the use cases (errors map via the bootstrap).
import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { StandardRegistryServer } from '../../../../proto/gen/bps/registry/v1/registry';
import { identityOf } from '../../../shared/grpc/server';
import { basisLabels, unitLabels } from '../../../shared/standards/units';
import type { Registry } from '../../application/registry';

function unaryHandler<Req, Res>(fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    fn(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(error as never),
    );
  };
}

export function registryHandlers(registry: Registry): StandardRegistryServer {
  return {
    getItem: unaryHandler(async (req) => registry.getItem(req.itemCode, req.asOf, req.provinceCode)),
    listItems: unaryHandler(async (req) => registry.listItems(req.asOf, req.fieldCode, req.categoryCode, req.provinceCode)),
    getItemHistory: unaryHandler(async (req) => ({ versions: await registry.getItemHistory(req.itemCode, req.includeCorrections) })),
    getItemLineage: unaryHandler(async (req) => ({ links: await registry.getItemLineage(req.itemCode) })),
    diffStandards: unaryHandler(async (req) => registry.diff(req)),
    listReleases: unaryHandler(async () => ({ releases: await registry.listReleases() })),
    getTaxonomy: unaryHandler(async (req) => registry.getTaxonomy(req.asOf)),
    fileLocalStandard: unaryHandler(async (req, call) => registry.fileLocalStandard(identityOf(call), req)),
    getComplianceReport: unaryHandler(async (req) => registry.complianceReport(req.provinceCode, req.asOf)),
    getNationalCompliance: unaryHandler(async (req) => registry.nationalCompliance(req.asOf)),
    getComplianceHistory: unaryHandler(async (req) => registry.complianceHistory(req)),
    correctItemVersion: unaryHandler(async (req, call) => ({
      corrected: undefined,
      erratum: await registry.correct(identityOf(call), req.itemCode, req.version, req.item, req.reason),
    })),
    approveErratum: unaryHandler(async (req, call) => registry.approveErratum(identityOf(call), req.itemCode, req.version, req.erratumId)),
    listErrata: unaryHandler(async (req) => ({ errata: await registry.listErrata(req.itemCode) })),
    listMetricLabels: unaryHandler(async () => ({
      units: Object.entries(unitLabels).map(([key, l]) => ({ key, zh: l.zh, en: l.en })),
      bases: Object.entries(basisLabels).map(([key, l]) => ({ key, zh: l.zh, en: l.en })),
    })),
    listPackageLevels: unaryHandler(async (req) => ({ levels: await registry.listPackageLevels(req.asOf, req.itemCode) })),
    getPackageLevel: unaryHandler(async (req) => registry.getPackageLevel(req.packageCode, req.asOf)),
  };
}
