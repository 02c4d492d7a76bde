// One-shot step of infra/compose.yaml (`kafka-acls`): applies the broker's ACL table (infra/local/kafka-acls.ts, what
// the local stack applies at every start) with the admin super user, then exits. Idempotent.
//   env: BPS_KAFKA_BROKERS, BPS_KAFKA_ADMIN_USER (default admin), BPS_KAFKA_ADMIN_PASSWORD
import kafkajs from 'kafkajs';
import { ensureKafkaAcls } from '../local/kafka-acls';

const brokers = process.env['BPS_KAFKA_BROKERS'];
const password = process.env['BPS_KAFKA_ADMIN_PASSWORD'];
if (!brokers || !password) {
  console.error('kafka-acls: BPS_KAFKA_BROKERS and BPS_KAFKA_ADMIN_PASSWORD must be set');
  process.exit(1);
}
const kafka = new kafkajs.Kafka({
  clientId: 'bps-kafka-acls',
  brokers: brokers.split(','),
  logLevel: kafkajs.logLevel.NOTHING,
  retry: { retries: 10 },
  sasl: { mechanism: 'scram-sha-512', username: process.env['BPS_KAFKA_ADMIN_USER'] ?? 'admin', password },
});
const { created, deleted } = await ensureKafkaAcls(kafka);
console.log(`kafka-acls: table applied (${created} created, ${deleted} deleted)`);
