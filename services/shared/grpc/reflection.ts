// gRPC server reflection (grpc.reflection.v1 and v1alpha) that tools like grpcurl can use end to end: it serves the
// complete file descriptors written by `buf build` (proto/gen/descriptors.binpb, made by `npm run proto`) — fully
// qualified type names, every import with its own descriptor, comments — and only the files reachable from the
// services the port implements. `list` names exactly those services, health and reflection.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import {
  ServerReflectionService as ReflectionV1,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from '../../../proto/gen/grpc/reflection/v1/reflection';
import { ServerReflectionService as ReflectionV1Alpha } from '../../../proto/gen/grpc/reflection/v1alpha/reflection';

export const healthServiceName = 'grpc.health.v1.Health';
export const reflectionServiceNames = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'] as const;

type Catalogue = {
  readonly files: ReadonlyMap<string, FileDescriptorProto>;
  readonly encoded: ReadonlyMap<string, Buffer>;
  /** Fully qualified symbol (message, enum, service, method, extension) → the file declaring it. */
  readonly symbols: ReadonlyMap<string, string>;
  readonly services: ReadonlySet<string>;
  /** Extended type → extension field number → the file declaring the extension. */
  readonly extensions: ReadonlyMap<string, ReadonlyMap<number, string>>;
};

let catalogue: Catalogue | undefined;

/** The descriptors of every .proto in proto/ (and what they import), indexed once per process. */
function load(): Catalogue {
  if (catalogue) return catalogue;
  const path = new URL('../../../proto/gen/descriptors.binpb', import.meta.url);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`gRPC reflection needs ${path.pathname}: run \`npm run proto\` (${(error as Error).message})`);
  }
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  const files = new Map<string, FileDescriptorProto>();
  const encoded = new Map<string, Buffer>();
  const symbols = new Map<string, string>();
  const services = new Set<string>();
  const extensions = new Map<string, Map<number, string>>();
  const addExtensions = (fields: readonly FieldDescriptorProto[], scope: string, file: string): void => {
    for (const field of fields) {
      symbols.set(`${scope}.${field.name}`, file);
      const extendee = field.extendee.replace(/^\./, '');
      const byNumber = extensions.get(extendee) ?? new Map<number, string>();
      byNumber.set(field.number, file);
      extensions.set(extendee, byNumber);
    }
  };
  const addMessage = (message: DescriptorProto, scope: string, file: string): void => {
    const name = `${scope}.${message.name}`;
    symbols.set(name, file);
    for (const e of message.enumType) symbols.set(`${name}.${e.name}`, file);
    for (const nested of message.nestedType) addMessage(nested, name, file);
    addExtensions(message.extension, name, file);
  };
  for (const file of set.file) {
    files.set(file.name, file);
    encoded.set(file.name, Buffer.from(toBinary(FileDescriptorProtoSchema, file)));
    const pkg = file.package;
    const qualify = (name: string): string => (pkg ? `${pkg}.${name}` : name);
    for (const message of file.messageType) addMessage(message, pkg, file.name);
    for (const e of file.enumType) symbols.set(qualify(e.name), file.name);
    for (const service of file.service) {
      const name = qualify(service.name);
      symbols.set(name, file.name);
      services.add(name);
      for (const method of service.method) symbols.set(`${name}.${method.name}`, file.name);
    }
    addExtensions(file.extension, pkg, file.name);
  }
  // A message declared at the top level of a file without a package was indexed with a leading dot.
  for (const [symbol, file] of [...symbols])
    if (symbol.startsWith('.')) {
      symbols.delete(symbol);
      symbols.set(symbol.slice(1), file);
    }
  catalogue = { files, encoded, symbols, services, extensions };
  return catalogue;
}

class NotFound extends Error {}

/** What one port's reflection answers: exactly `services` (plus health and reflection) and the files they reach. */
export class PortReflection {
  private readonly catalogue = load();
  readonly services: readonly string[];
  private readonly reachable = new Set<string>();

  constructor(implemented: readonly string[]) {
    this.services = [...new Set([...implemented, healthServiceName, ...reflectionServiceNames])];
    for (const service of this.services) {
      if (!this.catalogue.services.has(service))
        throw new Error(`gRPC reflection: no descriptor for service ${service} in proto/gen/descriptors.binpb (run \`npm run proto\`)`);
      for (const file of this.withDependencies(this.catalogue.symbols.get(service)!)) this.reachable.add(file);
    }
  }

  /** `file` first, then every file it imports, transitively (each once). */
  private withDependencies(file: string): string[] {
    const order: string[] = [];
    const visit = (name: string): void => {
      if (order.includes(name)) return;
      const descriptor = this.catalogue.files.get(name);
      if (!descriptor) throw new NotFound(`file not found: ${name}`);
      order.push(name);
      for (const dependency of descriptor.dependency) visit(dependency);
    };
    visit(file);
    return order;
  }

  private descriptors(file: string | undefined, what: string): Buffer[] {
    if (file === undefined || !this.reachable.has(file)) throw new NotFound(`${what} not found`);
    return this.withDependencies(file).map((name) => this.catalogue.encoded.get(name)!);
  }

  answer(request: ServerReflectionRequest): ServerReflectionResponse {
    const base = { validHost: request.host, originalRequest: request };
    const files = (fileDescriptorProto: Buffer[]): ServerReflectionResponse => ({
      ...base,
      messageResponse: { $case: 'fileDescriptorResponse', fileDescriptorResponse: { fileDescriptorProto } },
    });
    try {
      const message = request.messageRequest;
      switch (message?.$case) {
        case 'listServices':
          return { ...base, messageResponse: { $case: 'listServicesResponse', listServicesResponse: { service: this.services.map((name) => ({ name })) } } };
        case 'fileByFilename':
          return files(
            this.descriptors(this.catalogue.files.has(message.fileByFilename) ? message.fileByFilename : undefined, `file ${message.fileByFilename}`),
          );
        case 'fileContainingSymbol': {
          const symbol = message.fileContainingSymbol.replace(/^\./, '');
          return files(this.descriptors(this.catalogue.symbols.get(symbol), `symbol ${symbol}`));
        }
        case 'fileContainingExtension': {
          const { containingType, extensionNumber } = message.fileContainingExtension;
          return files(
            this.descriptors(
              this.catalogue.extensions.get(containingType.replace(/^\./, ''))?.get(extensionNumber),
              `extension ${extensionNumber} of ${containingType}`,
            ),
          );
        }
        case 'allExtensionNumbersOfType': {
          const type = message.allExtensionNumbersOfType.replace(/^\./, '');
          const file = this.catalogue.symbols.get(type);
          if (file === undefined || !this.reachable.has(file)) throw new NotFound(`type ${type} not found`);
          const numbers = [...(this.catalogue.extensions.get(type) ?? new Map<number, string>())].filter(([, f]) => this.reachable.has(f)).map(([n]) => n);
          return {
            ...base,
            messageResponse: { $case: 'allExtensionNumbersResponse', allExtensionNumbersResponse: { baseTypeName: type, extensionNumber: numbers } },
          };
        }
        case undefined:
          return {
            ...base,
            messageResponse: { $case: 'errorResponse', errorResponse: { errorCode: grpc.status.INVALID_ARGUMENT, errorMessage: 'no message_request set' } },
          };
        default: {
          const never: never = message;
          return never;
        }
      }
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      return { ...base, messageResponse: { $case: 'errorResponse', errorResponse: { errorCode: grpc.status.NOT_FOUND, errorMessage: error.message } } };
    }
  }

  /** Adds grpc.reflection.v1 and v1alpha (same messages, older clients) to `server`; they answer without a token. */
  addToServer(server: grpc.Server): void {
    const handle = (call: grpc.ServerDuplexStream<ServerReflectionRequest, ServerReflectionResponse>): void => {
      call.on('data', (request: ServerReflectionRequest) => call.write(this.answer(request)));
      call.on('end', () => call.end());
      call.on('error', () => undefined); // the client went away
    };
    server.addService(ReflectionV1, { serverReflectionInfo: handle });
    server.addService(ReflectionV1Alpha, { serverReflectionInfo: handle });
  }
}

/** The fully qualified name of the service a grpc-js definition describes (from its methods' paths). */
export function serviceNameOf(definition: grpc.ServiceDefinition): string | undefined {
  return Object.values(definition)[0]?.path.split('/')[1];
}
