// The webhook body: the event in CloudEvents structured mode (JSON), data as the proto JSON the registry wrote.
// Built from the feed entry, so every retry, redelivery and replay carries the same id and the same bytes.

export type FeedEvent = {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time: Date;
  readonly datacontenttype: string;
  readonly dataschema?: string;
  /** The data as received (utf-8 JSON). */
  readonly data: string;
};

export function structuredCloudEvent(event: FeedEvent): string {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    data = undefined;
  }
  const body: Record<string, unknown> = {
    specversion: '1.0',
    id: event.id,
    type: event.type,
    source: event.source,
    ...(event.subject ? { subject: event.subject } : {}),
    time: event.time.toISOString(),
    datacontenttype: 'application/json',
    ...(event.dataschema ? { dataschema: event.dataschema } : {}),
    // Data that is not JSON travels base64-encoded, as CloudEvents' JSON format prescribes.
    ...(data === undefined ? { data_base64: Buffer.from(event.data, 'utf8').toString('base64') } : { data }),
  };
  return JSON.stringify(body);
}
