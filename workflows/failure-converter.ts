// The failure converter of every platform worker and client (Worker dataConverter.failureConverterPath, bundled
// with the workflows; clients import it): a failure's message and stack trace travel in its encoded attributes,
// which the payload codec seals, so the history and a raw client see only "Encoded failure".
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
