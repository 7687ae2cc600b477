import { z } from "zod";

export const oidcKeySchema = z.object({
  kid: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
  publishUntil: z.string().nullable().describe("a retired key leaves the JWKS after this"),
});

export const oidcIssuerSchema = z.object({
  issuer: z.string().describe("the OIDC provider URL to create in IAM"),
  discoveryUrl: z.string(),
  jwksUrl: z.string(),
  audience: z.string().describe("the client id (aud) for this org"),
  subjectFormat: z.string().describe("the sub claim: switchboard:connection/<connection name>"),
  keys: z.array(oidcKeySchema),
});
