import { AwsError } from "../aws-error.js";
import type { Protocol } from "../model/service-model.js";

type Family = "sts" | "ec2" | "s3" | "json" | "rest-json";

/** How a service answers errors of authentication: by its protocol, S3 on its own. */
export function family(service: string, protocol: Protocol): Family {
  if (service === "s3" || protocol === "rest-xml") return "s3";
  if (protocol === "ec2") return "ec2";
  if (protocol === "query") return "sts";
  return protocol === "json" ? "json" : "rest-json";
}

const INVALID_TOKEN = "The security token included in the request is invalid.";
const BAD_SIGNATURE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** What the emulator computed when a signature does not match: AWS shows it to help debugging. */
export type SignatureMismatchDetail = {
  accessKeyId: string;
  signatureProvided: string;
  canonicalRequest: string;
  stringToSign: string;
};

// JSON and REST-JSON services append the canonical request and string to sign to the message.
function withCanonicalString(computed: SignatureMismatchDetail | undefined): string {
  if (computed === undefined) return BAD_SIGNATURE;
  return `${BAD_SIGNATURE}\n\nThe Canonical String for this request should have been\n'${computed.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${computed.stringToSign}'\n`;
}

function hexBytes(text: string): string {
  return [...Buffer.from(text, "utf8")].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

// S3 words it its own way and returns what it computed as elements of the error document.
function s3SignatureMismatch(computed: SignatureMismatchDetail | undefined): AwsError {
  const fields =
    computed === undefined
      ? {}
      : {
          AWSAccessKeyId: computed.accessKeyId,
          StringToSign: computed.stringToSign,
          SignatureProvided: computed.signatureProvided,
          StringToSignBytes: hexBytes(computed.stringToSign),
          CanonicalRequest: computed.canonicalRequest,
          CanonicalRequestBytes: hexBytes(computed.canonicalRequest),
        };
  return new AwsError(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    403,
    "Sender",
    { fields },
  );
}

/** The errors each service family really answers with when authentication fails. */
/** EC2 answers every request it cannot authenticate alike. */
function ec2AuthFailure(): AwsError {
  return new AwsError(
    "AuthFailure",
    "AWS was not able to validate the provided access credentials",
    401,
  );
}

export const authErrors = {
  /**
   * A signature whose credential scope does not fit the endpoint (region or service): query
   * services answer SignatureDoesNotMatch 403, JSON services InvalidSignatureException (400 over
   * JSON, 403 over REST-JSON), with the same sentence; EC2 answers every signature it cannot
   * validate with AuthFailure 401. S3's region mismatch has its own errors (credential-scope.ts).
   */
  wrongScope(service: string, protocol: Protocol, message: string): AwsError {
    switch (family(service, protocol)) {
      case "sts":
      case "s3":
        return new AwsError("SignatureDoesNotMatch", message, 403);
      case "ec2":
        return ec2AuthFailure();
      case "json":
        return new AwsError("InvalidSignatureException", message, 400);
      case "rest-json":
        return new AwsError("InvalidSignatureException", message, 403);
    }
  },
  unknownAccessKey(service: string, protocol: Protocol): AwsError {
    switch (family(service, protocol)) {
      case "sts":
        return new AwsError("InvalidClientTokenId", INVALID_TOKEN, 403);
      case "ec2":
        return ec2AuthFailure();
      case "s3":
        return new AwsError(
          "InvalidAccessKeyId",
          "The AWS Access Key Id you provided does not exist in our records.",
          403,
        );
      case "json":
        return new AwsError("UnrecognizedClientException", INVALID_TOKEN, 400);
      case "rest-json":
        return new AwsError("UnrecognizedClientException", INVALID_TOKEN, 403);
    }
  },
  invalidSessionToken(service: string, protocol: Protocol): AwsError {
    if (family(service, protocol) === "s3")
      return new AwsError(
        "InvalidToken",
        "The provided token is malformed or otherwise invalid.",
        400,
      );
    return authErrors.unknownAccessKey(service, protocol);
  },
  signatureMismatch(
    service: string,
    protocol: Protocol,
    computed?: SignatureMismatchDetail,
  ): AwsError {
    switch (family(service, protocol)) {
      case "sts":
        return new AwsError("SignatureDoesNotMatch", BAD_SIGNATURE, 403);
      case "s3":
        return s3SignatureMismatch(computed);
      case "ec2":
        return ec2AuthFailure();
      case "json":
        return new AwsError("InvalidSignatureException", withCanonicalString(computed), 400);
      case "rest-json":
        return new AwsError("InvalidSignatureException", withCanonicalString(computed), 403);
    }
  },
  clockSkew(service: string, protocol: Protocol, detail: string): AwsError {
    switch (family(service, protocol)) {
      case "sts":
        return new AwsError("SignatureDoesNotMatch", detail, 403);
      case "s3":
        return new AwsError(
          "RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.",
          403,
        );
      case "ec2":
        return new AwsError("RequestExpired", "Request has expired.", 400);
      case "json":
        return new AwsError("InvalidSignatureException", detail, 400);
      case "rest-json":
        return new AwsError("InvalidSignatureException", detail, 403);
    }
  },
  expiredToken(service: string, protocol: Protocol): AwsError {
    switch (family(service, protocol)) {
      case "sts":
        return new AwsError(
          "ExpiredToken",
          "The security token included in the request is expired",
          400,
        );
      case "s3":
        return new AwsError("ExpiredToken", "The provided token has expired.", 400);
      case "ec2":
        return new AwsError("RequestExpired", "Request has expired.", 400);
      case "json":
        return new AwsError(
          "ExpiredTokenException",
          "The security token included in the request is expired",
          400,
        );
      case "rest-json":
        return new AwsError(
          "ExpiredTokenException",
          "The security token included in the request is expired",
          403,
        );
    }
  },
  missingAuthentication(service: string, protocol: Protocol): AwsError {
    switch (family(service, protocol)) {
      case "s3":
        return new AwsError("AccessDenied", "Access Denied", 403);
      case "ec2":
        return ec2AuthFailure();
      case "sts":
        return new AwsError(
          "MissingAuthenticationToken",
          "Request is missing Authentication Token",
          403,
        );
      default:
        return new AwsError(
          "MissingAuthenticationTokenException",
          "Missing Authentication Token",
          403,
        );
    }
  },
};

export function accessDenied(service: string, protocol: Protocol, message: string): AwsError {
  switch (family(service, protocol)) {
    case "sts":
    case "s3":
      return new AwsError("AccessDenied", message, 403);
    case "ec2":
      return new AwsError(
        "UnauthorizedOperation",
        `You are not authorized to perform this operation. ${message}`,
        403,
      );
    case "json":
      return new AwsError("AccessDeniedException", message, 400);
    case "rest-json":
      return new AwsError("AccessDeniedException", message, 403);
  }
}

export function throttled(service: string, protocol: Protocol): AwsError {
  switch (family(service, protocol)) {
    case "ec2":
      return new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503);
    case "sts":
      return new AwsError("Throttling", "Rate exceeded", 400);
    case "s3":
      return new AwsError("SlowDown", "Please reduce your request rate.", 503);
    case "json":
      return new AwsError("ThrottlingException", "Rate exceeded", 400);
    case "rest-json":
      return new AwsError("TooManyRequestsException", "Rate exceeded", 429);
  }
}

export function injectedFault(service: string, protocol: Protocol, status: number): AwsError {
  const f = family(service, protocol);
  if (status === 503)
    return new AwsError(
      f === "s3" ? "SlowDown" : "ServiceUnavailable",
      "Service is unavailable. Please try again.",
      503,
    );
  const code = f === "json" || f === "rest-json" ? "InternalFailure" : "InternalError";
  return new AwsError(code, "We encountered an internal error. Please try again.", status);
}
