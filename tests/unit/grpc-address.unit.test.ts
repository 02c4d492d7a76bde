// Address settings of the services' gRPC clients (issue #19, "two of everything"): one host:port as ever, or
// several instances' IP:port separated by commas; a malformed list is refused at start with a clear message.
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, grpcAddress, loadConfig, parseGrpcAddress } from '../../services/shared/config/config';
import { clientChannelOptions, serviceChannel } from '../../services/shared/grpc/client';
import { gatewayConfigSchema } from '../../services/gateway/config';

describe('gRPC address settings', () => {
  const schema = configSchema({ REGISTRY_GRPC_ADDRESS: grpcAddress.default('127.0.0.1:50051') });
  const problemsOf = (value: string): string => {
    try {
      loadConfig(schema, { REGISTRY_GRPC_ADDRESS: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.join('\n');
    }
    return '';
  };

  it('takes one host:port, or several IP:port separated by commas', () => {
    expect(loadConfig(schema, {}).REGISTRY_GRPC_ADDRESS).toBe('127.0.0.1:50051');
    for (const ok of [
      'registry.bps.svc:50051',
      'localhost:50051',
      '[::1]:50051',
      '127.0.0.1:50051,127.0.0.1:50151',
      '10.0.0.1:1, 10.0.0.2:65535',
      '[::1]:1,[fe80::1]:2',
    ])
      expect(problemsOf(ok)).toBe('');
    expect(parseGrpcAddress('localhost:50051,127.0.0.1:50151')).toEqual({ kind: 'list', family: 4, endpoints: ['127.0.0.1:50051', '127.0.0.1:50151'] });
  });

  it('refuses a malformed address or list, saying what is wrong', () => {
    expect(problemsOf('127.0.0.1')).toMatch(/REGISTRY_GRPC_ADDRESS: must be one host:port, or several IP:port separated by commas/);
    expect(problemsOf('127.0.0.1:50051,')).toMatch(/entry 2 of "127\.0\.0\.1:50051," is empty/);
    expect(problemsOf('127.0.0.1:50051,127.0.0.1')).toMatch(/"127\.0\.0\.1" is not host:port/);
    expect(problemsOf('127.0.0.1:50051,127.0.0.1:70000')).toMatch(/"127\.0\.0\.1:70000": the port must be 1 to 65535/);
    expect(problemsOf('127.0.0.1:0')).toMatch(/the port must be 1 to 65535/);
    expect(problemsOf('registry-a:50051,registry-b:50051')).toMatch(
      /"registry-a:50051": a list takes IP addresses \(or localhost\); for several instances behind one DNS name, give the name alone/,
    );
    expect(problemsOf('127.0.0.1:1,[::1]:2')).toMatch(/one family/);
    expect(problemsOf('127.0.0.1:50051 127.0.0.1:50151')).toMatch(/must be one host:port/);
  });

  it('is the setting of every backend address the gateway, the CLI, proposals and programme read', () => {
    // The gateway: every backend's address takes a list, and refuses a malformed one by name.
    const problems = (env: Record<string, string>): string => {
      const result = gatewayConfigSchema.safeParse({ BPS_ENV: 'development', ...env });
      return result.success ? '' : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    };
    expect(problems({ REGISTRY_GRPC_ADDRESS: '127.0.0.1:50051,127.0.0.1:50151' })).not.toMatch(/REGISTRY_GRPC_ADDRESS/);
    expect(problems({ AUDIT_GRPC_ADDRESS: '127.0.0.1:50055;127.0.0.1:50155' })).toMatch(/AUDIT_GRPC_ADDRESS: must be one host:port/);
  });

  it('dials one address exactly as before, and a list round robin over its instances', () => {
    expect(serviceChannel('127.0.0.1:50051')).toEqual({ target: '127.0.0.1:50051', options: clientChannelOptions });
    expect(serviceChannel('registry.bps.svc:50051').target).toBe('registry.bps.svc:50051');
    const list = serviceChannel('127.0.0.1:50051, localhost:50151');
    expect(list.target).toBe('ipv4:127.0.0.1:50051,127.0.0.1:50151');
    expect(JSON.parse(String(list.options['grpc.service_config']))).toEqual({ loadBalancingConfig: [{ round_robin: {} }] });
    expect(list.options['grpc.keepalive_time_ms']).toBe(clientChannelOptions['grpc.keepalive_time_ms']);
    expect(serviceChannel('[::1]:1,[::1]:2').target).toBe('ipv6:[::1]:1,[::1]:2');
    expect(() => serviceChannel('a:1,b:2')).toThrow(/a list takes IP addresses/);
  });
});
