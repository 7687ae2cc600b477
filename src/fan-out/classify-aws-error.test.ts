import { setTimeout as sleep } from "node:timers/promises";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import {
  ExpiredTokenException,
  IDPCommunicationErrorException,
  RegionDisabledException,
} from "@aws-sdk/client-sts";
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  ThrottlingException,
} from "@aws-sdk/client-dynamodb";
import { ServiceException } from "@smithy/core/client";
import { describe, expect, it } from "vitest";
import { Invalid, Upstream } from "../errors.js";
import { classifyAwsError } from "./classify-aws-error.js";

const metadata = (httpStatusCode: number) => ({
  httpStatusCode,
  requestId: "3f1c-req",
  attempts: 3,
  totalRetryDelay: 400,
});

/**
 * An error as the SDK's default error handler builds one for a code its model does not list (all
 * of EC2's, and unmodeled ones everywhere): the service's base exception named by the code, with
 * `$fault: "client"` whatever the status.
 */
function unmodeled(name: string, httpStatusCode: number, message = `${name} from AWS`): Error {
  return new EC2ServiceException({
    name,
    message,
    $fault: "client",
    $metadata: metadata(httpStatusCode),
  });
}

/** A Node socket error, as net and http raise them. */
function socketError(code: string, syscall = "read"): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: -104, syscall });
}

describe("classifyAwsError on errors the SDK raises", () => {
  it("calls throttling what the SDK throttles on, by code, by 429 and by the modeled trait", () => {
    expect(classifyAwsError(unmodeled("RequestLimitExceeded", 503))).toEqual({
      kind: "throttling",
      code: "RequestLimitExceeded",
      retriable: true,
      httpStatus: 503,
      requestId: "3f1c-req",
    });
    expect(classifyAwsError(unmodeled("Throttling", 400)).kind).toBe("throttling");
    expect(classifyAwsError(unmodeled("SlowDown", 503)).kind).toBe("throttling");
    expect(classifyAwsError(unmodeled("SomethingNew", 429)).kind).toBe("throttling");
    const modeled = new ThrottlingException({ message: "Rate exceeded", $metadata: metadata(400) });
    expect(classifyAwsError(modeled)).toMatchObject({ kind: "throttling", retriable: true });
    const capacity = new ProvisionedThroughputExceededException({
      message: "The level of configured provisioned throughput for the table was exceeded",
      $metadata: metadata(400),
    });
    expect(classifyAwsError(capacity).kind).toBe("throttling");
    const trait = new ServiceException({
      name: "CustomBusy",
      $fault: "client",
      $metadata: metadata(400),
      message: "busy",
    });
    trait.$retryable = { throttling: true };
    expect(classifyAwsError(trait).kind).toBe("throttling");
  });

  it("calls AWS's own failures server errors, retriable, by status or by modeled fault", () => {
    expect(classifyAwsError(unmodeled("InternalError", 500))).toMatchObject({
      kind: "server",
      code: "InternalError",
      retriable: true,
      httpStatus: 500,
    });
    expect(classifyAwsError(unmodeled("Unavailable", 503)).kind).toBe("server");
    // No code at all: the SDK names the error by its status.
    expect(classifyAwsError(unmodeled("502", 502)).kind).toBe("server");
    const modeled = new InternalServerError({ message: "Internal error", $metadata: {} });
    expect(classifyAwsError(modeled)).toMatchObject({ kind: "server", retriable: true });
  });

  it("calls refused credentials credentials, not retriable, in each service family's words", () => {
    for (const code of [
      "InvalidClientTokenId",
      "UnrecognizedClientException",
      "AuthFailure",
      "SignatureDoesNotMatch",
      "InvalidSignatureException",
      "ExpiredToken",
      "InvalidAccessKeyId",
      "RequestExpired",
    ]) {
      expect(classifyAwsError(unmodeled(code, 403)), code).toMatchObject({
        kind: "credentials",
        code,
        retriable: false,
      });
    }
    const expired = new ExpiredTokenException({
      message: "The security token included in the request is expired",
      $metadata: metadata(400),
    });
    expect(classifyAwsError(expired).kind).toBe("credentials");
  });

  it("keeps AWS's word that a retry may help on a credentials error it models as retryable", () => {
    const idp = new IDPCommunicationErrorException({
      message: "Couldn't retrieve verification key from your identity provider",
      $metadata: metadata(400),
    });
    expect(classifyAwsError(idp)).toMatchObject({ kind: "credentials", retriable: true });
  });

  it("calls a refused permission access_denied, apart from refused credentials", () => {
    for (const code of [
      "AccessDenied",
      "AccessDeniedException",
      "UnauthorizedOperation",
      "AuthorizationError",
      "KMSAccessDeniedException",
    ]) {
      expect(classifyAwsError(unmodeled(code, 403)), code).toMatchObject({
        kind: "access_denied",
        retriable: false,
      });
    }
  });

  it("calls a missing resource not_found, by its code's shape or a bare 404", () => {
    for (const code of [
      "InvalidInstanceID.NotFound",
      "NoSuchBucket",
      "NoSuchEntity",
      "NotFound",
      "ResourceNotFoundException",
    ]) {
      expect(classifyAwsError(unmodeled(code, 400)).kind, code).toBe("not_found");
    }
    expect(classifyAwsError(unmodeled("UnknownError", 404)).kind).toBe("not_found");
    const modeled = new ResourceNotFoundException({
      message: "Requested resource not found",
      $metadata: metadata(400),
    });
    expect(classifyAwsError(modeled)).toMatchObject({ kind: "not_found", retriable: false });
  });

  it("calls a rejected request invalid_input", () => {
    for (const code of [
      "ValidationException",
      "ValidationError",
      "InvalidParameterValue",
      "InvalidParameterCombination",
      "MissingParameter",
      "InvalidInstanceID.Malformed",
    ]) {
      expect(classifyAwsError(unmodeled(code, 400)), code).toMatchObject({
        kind: "invalid_input",
        retriable: false,
      });
    }
  });

  it("calls STS's RegionDisabledException region_disabled", () => {
    const error = new RegionDisabledException({
      message: "STS is not activated in this region for account:123456789012",
      $metadata: metadata(403),
    });
    expect(classifyAwsError(error)).toMatchObject({
      kind: "region_disabled",
      code: "RegionDisabledException",
      retriable: false,
    });
  });

  it("calls unknown credentials in an opt-in region region_disabled, and elsewhere credentials", () => {
    const error = unmodeled("AuthFailure", 401, "AWS was not able to validate the credentials");
    expect(classifyAwsError(error, { inOptInRegion: true }).kind).toBe("region_disabled");
    expect(classifyAwsError(error, { inOptInRegion: false }).kind).toBe("credentials");
    // Denied is denied, whatever the region.
    expect(classifyAwsError(unmodeled("AccessDenied", 403), { inOptInRegion: true }).kind).toBe(
      "access_denied",
    );
  });

  it("calls any non-transient failure to get credentials credentials, and lets a transient one pass", () => {
    const assumeRoleDenied = unmodeled(
      "AccessDenied",
      403,
      "not authorized to perform: sts:AssumeRole",
    );
    expect(classifyAwsError(assumeRoleDenied, { failedOnCredentials: true }).kind).toBe(
      "credentials",
    );
    const providerError = Object.assign(
      new Error("Could not load credentials from any providers"),
      {
        name: "CredentialsProviderError",
        tryNextLink: false,
      },
    );
    expect(classifyAwsError(providerError).kind).toBe("credentials");
    expect(classifyAwsError(unmodeled("Throttling", 400), { failedOnCredentials: true }).kind).toBe(
      "throttling",
    );
    expect(
      classifyAwsError(socketError("ECONNRESET"), { failedOnCredentials: true }),
    ).toMatchObject({ kind: "network", retriable: true });
  });

  it("leaves a code it has no rule for as other, not retriable", () => {
    expect(classifyAwsError(unmodeled("ConditionalCheckFailedException", 400))).toEqual({
      kind: "other",
      code: "ConditionalCheckFailedException",
      retriable: false,
      httpStatus: 400,
      requestId: "3f1c-req",
    });
    expect(classifyAwsError({ code: "toString", message: "not a catalogue code" }).kind).toBe(
      "other",
    );
    expect(classifyAwsError({})).toEqual({ kind: "other", code: "Error", retriable: false });
    expect(classifyAwsError(undefined)).toEqual({ kind: "other", code: "Error", retriable: false });
    expect(classifyAwsError("a thrown string")).toEqual({
      kind: "other",
      code: "Error",
      retriable: false,
    });
  });
});

describe("classifyAwsError on the network and on cancellation", () => {
  it("calls Node socket errors network, retriable", () => {
    for (const code of [
      "ECONNRESET",
      "ECONNREFUSED",
      "ETIMEDOUT",
      "EPIPE",
      "ENOTFOUND",
      "EAI_AGAIN",
    ]) {
      expect(classifyAwsError(socketError(code)), code).toEqual({
        kind: "network",
        code,
        retriable: true,
      });
    }
  });

  it("calls the SDK's TimeoutError network, as its HTTP handler names a socket that timed out", () => {
    // What @smithy/node-http-handler does to a request's socket error with a timeout code.
    const reset = Object.assign(socketError("ECONNRESET"), { name: "TimeoutError" });
    expect(classifyAwsError(reset)).toEqual({
      kind: "network",
      code: "TimeoutError",
      retriable: true,
    });
    const silent = Object.assign(
      new Error("the request socket timed out after 30000 ms of inactivity"),
      { name: "TimeoutError" },
    );
    expect(classifyAwsError(silent).kind).toBe("network");
  });

  it("finds a socket error given as the cause", () => {
    const wrapped = new Error("fetch failed", { cause: socketError("ECONNRESET") });
    expect(classifyAwsError(wrapped)).toMatchObject({ kind: "network", retriable: true });
  });

  it("calls an AbortError cancelled and never retriable, from a signal, a timer or the SDK", async () => {
    const controller = new AbortController();
    controller.abort();
    const fromSignal = (() => {
      try {
        controller.signal.throwIfAborted();
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(classifyAwsError(fromSignal)).toEqual({
      kind: "cancelled",
      code: "AbortError",
      retriable: false,
    });
    const fromTimer: unknown = await sleep(60_000, undefined, { signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect(classifyAwsError(fromTimer)).toMatchObject({ kind: "cancelled", retriable: false });
    // The SDK's handler wraps the signal's reason, which may be a TimeoutError from
    // AbortSignal.timeout(): the abort wins.
    const fromSdk = Object.assign(new Error("Request aborted"), {
      name: "AbortError",
      cause: Object.assign(new Error("The operation was aborted due to timeout"), {
        name: "TimeoutError",
      }),
    });
    expect(classifyAwsError(fromSdk)).toMatchObject({ kind: "cancelled", retriable: false });
  });
});

describe("classifyAwsError on a target's stored error", () => {
  it("classifies the stored { code, message } as the live error it came from", () => {
    expect(
      classifyAwsError({ code: "RequestLimitExceeded", message: "Request limit exceeded." }),
    ).toEqual({ kind: "throttling", code: "RequestLimitExceeded", retriable: true });
    expect(classifyAwsError({ code: "ECONNRESET", message: "read ECONNRESET" }).kind).toBe(
      "network",
    );
    expect(classifyAwsError({ code: "TimeoutError", message: "socket timed out" }).kind).toBe(
      "network",
    );
    expect(classifyAwsError({ code: "InternalError", message: "An internal error" }).kind).toBe(
      "server",
    );
    expect(classifyAwsError({ code: "AccessDenied", message: "denied" }).kind).toBe(
      "access_denied",
    );
    expect(classifyAwsError({ code: "NoSuchBucket", message: "gone" }).kind).toBe("not_found");
    expect(classifyAwsError({ code: "AbortError", message: "aborted" })).toMatchObject({
      kind: "cancelled",
      retriable: false,
    });
  });

  it("uses a stored status and request id when there is one", () => {
    expect(
      classifyAwsError({ code: "Weird", message: "?", httpStatus: 503, requestId: "r-9" }),
    ).toEqual({
      kind: "server",
      code: "Weird",
      retriable: true,
      httpStatus: 503,
      requestId: "r-9",
    });
  });

  it("reads region_disabled from a stored error with the target's region", () => {
    const stored = { code: "AuthFailure", message: "AWS was not able to validate the credentials" };
    expect(classifyAwsError(stored, { inOptInRegion: true }).kind).toBe("region_disabled");
    expect(classifyAwsError(stored).kind).toBe("credentials");
  });

  it("maps Switchboard's own codes, stored or raised, to the kind that says what to do", () => {
    expect(classifyAwsError({ code: "AWS_THROTTLED", message: "throttled" })).toMatchObject({
      kind: "throttling",
      retriable: true,
    });
    expect(classifyAwsError({ code: "AWS_UNREACHABLE", message: "no answer" }).kind).toBe(
      "network",
    );
    expect(classifyAwsError({ code: "ACCESS_REFUSED", message: "view" }).kind).toBe(
      "access_denied",
    );
    expect(classifyAwsError(new Invalid("bad input", { field: "input.x" }))).toEqual({
      kind: "invalid_input",
      code: "INVALID_REQUEST",
      retriable: false,
    });
    expect(classifyAwsError(new Upstream("not AWS", { code: "ENDPOINT_NOT_AWS" })).kind).toBe(
      "other",
    );
  });
});
