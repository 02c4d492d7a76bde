// Approval routes as stored, versioned configuration. A route applies to a proposal kind and a field ("*" = any);
// publishing a changed route adds a version, and the most specific route's latest version is chosen.
import type { Collection, Db } from 'mongodb';
import type { ApprovalRoute, RouteStage } from '../../../../workflows/contracts';
import { NotFoundError } from '../../../shared/errors/errors';
import type { ApprovalRoutes } from '../../application/ports';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';

type RouteDoc = {
  _id: string; // `${routeId}@${version}`
  routeId: string;
  version: number;
  kind: string;
  fieldCode: string;
  stages: RouteStage[];
  publishedAt: Date;
};

export type RouteMatch = { readonly kind: string; readonly fieldCode: string };

export class RoutesRepository implements ApprovalRoutes {
  private readonly collection: Collection<RouteDoc>;
  constructor(db: Db) {
    this.collection = db.collection<RouteDoc>('approval_routes');
  }

  async init(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { routeId: 1, version: 1 }, name: 'route_version', unique: true },
      { key: { kind: 1, fieldCode: 1 }, name: 'route_match' },
    ]);
  }

  /** Stores `stages` as the next version of `routeId`, unless they equal the latest version. */
  async publish(routeId: string, match: RouteMatch, stages: readonly RouteStage[]): Promise<ApprovalRoute> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = await this.collection.find({ routeId }).sort({ version: -1 }).limit(1).next();
      if (latest && latest.kind === match.kind && latest.fieldCode === match.fieldCode && JSON.stringify(latest.stages) === JSON.stringify(stages)) {
        return { routeId, version: latest.version, stages: latest.stages };
      }
      const version = (latest?.version ?? 0) + 1;
      try {
        await insertOne(
          this.collection,
          { _id: `${routeId}@${version}`, routeId, version, ...match, stages: [...stages], publishedAt: new Date() },
          'approval route',
        );
        return { routeId, version, stages: [...stages] };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error; // another process published the same version: read again
      }
    }
    throw new Error(`could not publish route ${routeId}: concurrent publications`);
  }

  async choose(kind: string, fieldCode: string): Promise<ApprovalRoute> {
    const candidates = await this.collection.find({ kind: { $in: [kind, '*'] }, fieldCode: { $in: [fieldCode, '*'] } }).toArray();
    const specificity = (d: RouteDoc): number => (d.fieldCode === fieldCode ? 2 : 0) + (d.kind === kind ? 1 : 0);
    const best = candidates.sort((a, b) => specificity(b) - specificity(a) || b.version - a.version)[0];
    if (!best) throw new NotFoundError('approval route', `${kind}/${fieldCode}`);
    return { routeId: best.routeId, version: best.version, stages: best.stages };
  }
}
