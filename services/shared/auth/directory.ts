// The directory of people (and service accounts): subject → name, organisation, roles. Token verification checks
// every token against it, so a token can never grant its subject another organisation or a role it does not hold.
// Locally the directory is the seeded personas plus the platform's service accounts; a deployment without an IdP
// directory export gives a JSON file (BPS_DIRECTORY_FILE); with an OIDC provider (Keycloak) the file is generated
// from the realm's users, groups (organisation) and client roles — see README "Identity".
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { roles, type Directory, type Identity, type Role } from './identity';
import { personas, serviceAccounts } from './personas';

export type { Directory };
export type DirectoryEntry = Identity;

/** An in-memory directory; tests `register` the ad-hoc identities they mint tokens for. */
export class StaticDirectory implements Directory {
  private readonly entries = new Map<string, DirectoryEntry>();
  constructor(entries: Iterable<DirectoryEntry> = []) {
    for (const e of entries) this.register(e);
  }
  register(entry: DirectoryEntry): this {
    const existing = this.entries.get(entry.subject);
    if (existing && (existing.organisation !== entry.organisation || existing.roles.join() !== entry.roles.join() || existing.name !== entry.name)) {
      throw new Error(`directory: subject "${entry.subject}" is already registered differently`);
    }
    this.entries.set(entry.subject, { ...entry, roles: [...entry.roles] });
    return this;
  }
  async lookup(subject: string): Promise<DirectoryEntry | undefined> {
    return this.entries.get(subject);
  }
  all(): DirectoryEntry[] {
    return [...this.entries.values()];
  }
}

/** Development and tests: the seeded personas and the platform's service accounts. */
export function seededDirectory(): StaticDirectory {
  return new StaticDirectory([...Object.values(personas), ...Object.values(serviceAccounts)]);
}

const fileSchema = z.object({
  people: z.array(
    z.object({
      subject: z.string().min(1),
      name: z.string().min(1),
      organisation: z.string().min(1),
      roles: z.array(z.enum(roles)),
    }),
  ),
});

/** `{"people":[{"subject","name","organisation","roles":[…]}]}` — a deployment's roster (or an IdP export). */
export function fileDirectory(path: string): StaticDirectory {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`directory file ${path}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`directory file ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return new StaticDirectory(parsed.data.people.map((p) => ({ ...p, roles: p.roles as Role[] })));
}
