// Seeding command: loads the seeds (2017 list + taxonomy history) into the registry database and exits.
// `npx tsx services/registry/seed/cli.ts` (REGISTRY_DB, MONGODB_URI as for the service). Idempotent: a seeded
// database is left as it is. The service also runs this on start-up, so `npm start` serves the real catalogue.
import { z } from 'zod';
import { configSchema, loadConfig } from '../../shared/config/config';
import { createLogger } from '../../shared/log/logger';
import { connectMongo, mongoUriFromConfig } from '../../shared/mongo/mongo';
import { RegistryStore } from '../adapters/mongo/store';
import { Registry } from '../application/registry';
import { DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT } from '../../shared/standards/monitoring';

const config = loadConfig(configSchema({ REGISTRY_DB: z.string().min(1).default('bps_registry') }));
const logger = createLogger('registry-seed', config.BPS_LOG_LEVEL);
const mongo = await connectMongo(mongoUriFromConfig(config), config.REGISTRY_DB);
try {
  const store = new RegistryStore(mongo.db);
  await store.init();
  const registry = new Registry({
    store,
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    logger,
    now: () => new Date(),
    refileDays: 90,
    blindlyHighMarginPercent: DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT,
  });
  await registry.projectPending();
  await registry.seed();
  await registry.monitorIdle();
  logger.info({ db: config.REGISTRY_DB, ...(await store.counts()) }, 'registry seeded');
} finally {
  await mongo.close();
}
