// The services `npm start` runs, in start order, with their default ports (override with the env names given).
export type ServiceSpec = { readonly name: string; readonly entry: string; readonly grpcPortEnv: string; readonly grpcPort: number; readonly httpPortEnv?: string; readonly httpPort?: number };

export const platformServices: readonly ServiceSpec[] = [];
