/** What some errors carry besides code and message: more body fields, and response headers. */
export interface AwsErrorExtra {
  /** Extra elements of the error body, after Message (REST-XML): S3's Bucket, Endpoint … */
  fields?: Record<string, string>;
  headers?: Record<string, string>;
  /** Extra members of a JSON error body, after message: Logs' queryCompileError … */
  members?: Record<string, unknown>;
  /** The JSON body member the message goes in, where the service spells it `Message`. */
  messageField?: "message" | "Message";
}

/** An error AWS would answer with: the code and message clients see, and the HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fault: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
    readonly extra: AwsErrorExtra = {},
  ) {
    super(message);
    this.name = "AwsError";
  }
}
