import { ApiError } from "../api/client";

/** A mistake a form found itself, before asking the server. */
export interface LocalError {
  field: string;
  message: string;
}

function isAbout(error: ApiError, field: string): boolean {
  return error.field === field || (error.field?.startsWith(`${field}.`) ?? false);
}

/**
 * The message without the API's own name for the field ("body.roleArn: expected …" reads
 * "expected …" under the Role ARN input, which already says what it is about).
 */
function withoutFieldPrefix(error: ApiError): string {
  const prefix = /^(?:body|query|params)\.[\w.]+: /.exec(error.message)?.[0];
  return prefix === undefined ? error.message : error.message.slice(prefix.length);
}

/** The message to show on one input: the form's own check first, else the API's error about that field. */
export function fieldError(
  error: unknown,
  field: string,
  local?: LocalError | null,
): string | undefined {
  if (local?.field === field) return local.message;
  return error instanceof ApiError && isAbout(error, field) ? withoutFieldPrefix(error) : undefined;
}

/** The field of `fields` an error is about, when it is about one of them. */
export function erroredField(error: unknown, fields: readonly string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return fields.find((f) => isAbout(error, f));
}

/** An error that is about none of the given fields (those show on the field instead), else null. */
export function otherError(error: unknown, fields: readonly string[]): unknown {
  if (error === null || error === undefined) return null;
  return erroredField(error, fields) === undefined ? error : null;
}

/**
 * An API error in the form's words: "Role ARN: expected a role ARN …" rather than
 * "body.roleArn: expected …", for a summary away from the field.
 */
export function describeFieldError(
  error: unknown,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  const field = erroredField(error, Object.keys(labels));
  if (field === undefined || !(error instanceof ApiError)) return undefined;
  return `${labels[field] ?? field}: ${withoutFieldPrefix(error)}`;
}

/** The element id a form gives the input of a field, so an error can bring it into view. */
export const fieldId = (form: string, field: string) => `${form}-${field.replaceAll(".", "-")}`;

/** Brings a field's input into view and focuses it (the first control inside a group). */
export function revealField(form: string, field: string): void {
  const element = document.getElementById(fieldId(form, field));
  if (element === null) return;
  const target =
    element instanceof HTMLInputElement ||
    element instanceof HTMLTextAreaElement ||
    element instanceof HTMLButtonElement
      ? element
      : (element.querySelector<HTMLElement>("input, textarea, button") ?? element);
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}
