// `npm run token -- <persona>`: prints a bearer token for a seeded persona, signed by the local stack's development
// issuer (its key is in the stack's generated secrets, see infra/local/secrets.ts), so it works after `npm start`.
// `npm run -s token -- --env` prints the CLI's development environment instead (eval it to use `bps --as`).
// Development only: production tokens come from the identity provider; this never reads or mints production keys.
import { existsSync, readFileSync } from 'node:fs';
import { DevIssuer } from '../../services/shared/auth/dev-issuer';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { devServiceEnv, secretsFile, type DevSecrets } from '../local/secrets';
import { settings } from '../local/settings';

const arg = process.argv[2];
const usage = `usage: npm run -s token -- <persona> [ttl-seconds]  |  npm run -s token -- --env\npersonas: ${Object.keys(personas).join(', ')}`;
if (!arg || (arg !== '--env' && !(arg in personas))) {
  console.error(usage);
  process.exit(2);
}
const file = secretsFile(settings());
if (!existsSync(file)) {
  console.error(`no development secrets at ${file}: start the local stack first (npm start, or npm run infra -- start)`);
  process.exit(1);
}
const secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
if (arg === '--env') {
  for (const [k, v] of Object.entries(devServiceEnv(secrets, 'cli'))) console.log(`export ${k}='${v.replaceAll("'", "'\\''")}'`);
} else {
  const { issuer, audience, privateJwk, keyId } = secrets.tokenIssuer;
  const ttl = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const token = await new DevIssuer(JSON.stringify({ ...privateJwk, kid: keyId }), { issuer, audience }).mint(personas[arg as PersonaName], ttl);
  console.log(token);
}
