import { randomUUID } from 'node:crypto';

/**
 * The slice of SNS's wire protocol (awsQuery) the local SMS endpoint speaks: form-encoded requests
 * (`Action=Publish&Version=2010-03-31&...`) and XML responses in the SNS namespace, as `@aws-sdk/client-sns` expects.
 */
export const SNS_XML_NAMESPACE = 'https://sns.amazonaws.com/doc/2010-03-31/';

/** A parsed awsQuery request: parameter name -> value (`MessageAttributes.entry.1.Name` stays flat). */
export type QueryParams = ReadonlyMap<string, string>;

/** An HTTP response to write (always `text/xml`): status and body. */
export interface QueryResponse {
  status: number;
  body: string;
}

/** Parses a form-encoded awsQuery body. */
export function parseQueryBody(body: string): QueryParams {
  return new Map(new URLSearchParams(body));
}

/**
 * Reads the `MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue|Value.BinaryValue}` parameters
 * into `{ name: value }` (binary values stay base64). Entries are read in order until the first missing index.
 */
export function readMessageAttributes(params: QueryParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let index = 1; ; index++) {
    const prefix = `MessageAttributes.entry.${index}`;
    const name = params.get(`${prefix}.Name`);
    if (name === undefined) return attributes;
    attributes[name] = params.get(`${prefix}.Value.StringValue`) ?? params.get(`${prefix}.Value.BinaryValue`) ?? '';
  }
}

/** Escapes text for an XML element body. */
export function xmlEscape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** A successful awsQuery response: `<{Action}Response><{Action}Result>{resultXml}</…Result><ResponseMetadata>…`. */
export function querySuccess(action: string, resultXml: string): QueryResponse {
  return {
    status: 200,
    body:
      `<${action}Response xmlns="${SNS_XML_NAMESPACE}">` +
      `<${action}Result>${resultXml}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>` +
      `</${action}Response>`,
  };
}

/**
 * An awsQuery error as AWS sends it (`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`);
 * the SDK maps `Code` to its exception class (`InvalidParameter` -> `InvalidParameterException`).
 */
export function queryError(code: string, message: string, status = 400): QueryResponse {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    body:
      `<ErrorResponse xmlns="${SNS_XML_NAMESPACE}">` +
      `<Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId>` +
      `</ErrorResponse>`,
  };
}

/** AWS's `InvalidParameter` error, worded as AWS words it: `Invalid parameter: <name> Reason: <reason>`. */
export function invalidParameter(parameter: string, reason: string): QueryResponse {
  return queryError('InvalidParameter', `Invalid parameter: ${parameter} Reason: ${reason}`);
}
