// `npm run token -- <persona>`: prints a bearer token for a seeded persona (local use only).
import { loadConfig, baseConfigSchema } from '../config/config';
import { TokenService } from './identity';
import { personas, type PersonaName } from './personas';

const name = process.argv[2];
if (!name || !(name in personas)) {
  console.error(`usage: npm run token -- <persona>\npersonas: ${Object.keys(personas).join(', ')}`);
  process.exit(2);
}
const config = loadConfig(baseConfigSchema);
const tokens = new TokenService(config.BPS_JWT_SECRET, config.BPS_JWT_ISSUER);
console.log(await tokens.mint(personas[name as PersonaName]));
