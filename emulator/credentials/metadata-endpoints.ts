import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Session, SessionStore } from "../iam/session-store.js";
import type { WireResponse } from "../protocols/wire-response.js";
import { issueRoleSession } from "../services/assume-role-session.js";
import type { Role, World } from "../world/world.js";

const INSTANCE_SESSION_SECONDS = 6 * 3600;
const REFRESH_BEFORE_MS = 15 * 60_000;

export type MetadataDeps = { world: World; sessions: SessionStore; now: () => Date };

function text(status: number, body: string): WireResponse {
  return { status, headers: { "content-type": "text/plain" }, body };
}

function json(status: number, body: unknown): WireResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/**
 * IMDSv2 and the ECS container-credentials endpoint, serving the world's instance role (the first
 * account that names one). IMDSv1 is refused, as on an instance with HttpTokens=required.
 */
export class MetadataEndpoints {
  private readonly tokens = new Map<string, number>();
  private session: Session | undefined;

  constructor(private readonly deps: MetadataDeps) {}

  private instanceRole(): Role | undefined {
    for (const account of this.deps.world.accounts.values())
      if (account.instanceRole !== undefined) return account.instanceRole;
    return undefined;
  }

  private credentials(role: Role): Session {
    const now = this.deps.now().getTime();
    // A revoked session (see SessionStore.revoke) is replaced, as a restarted instance's would be.
    if (
      this.session === undefined ||
      this.session.expiration.getTime() - now < REFRESH_BEFORE_MS ||
      this.deps.sessions.get(this.session.accessKeyId) === undefined
    ) {
      const expiration = new Date(now + INSTANCE_SESSION_SECONDS * 1000);
      const instanceId = `i-${role.accountId.slice(0, 8)}emulator`;
      this.session = issueRoleSession(
        this.deps.sessions,
        role,
        instanceId,
        undefined,
        false,
        expiration,
      );
    }
    return this.session;
  }

  /** Answers the request when it is a metadata request, or returns undefined. */
  handle(method: string, path: string, headers: IncomingHttpHeaders): WireResponse | undefined {
    if (path === "/latest/api/token") return this.issueToken(method, headers);
    if (path.startsWith("/latest/")) return this.metadata(method, path, headers);
    if (path.startsWith("/v2/credentials") || path === "/ecs/credentials")
      return this.container(method);
    return undefined;
  }

  private issueToken(method: string, headers: IncomingHttpHeaders): WireResponse {
    if (method !== "PUT") return text(405, "Method Not Allowed");
    // IMDS refuses forwarded requests so that a proxy on the instance cannot fetch a token.
    if (headers["x-forwarded-for"] !== undefined) return text(403, "Forbidden");
    const ttl = Number(headers["x-aws-ec2-metadata-token-ttl-seconds"]);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return text(400, "Bad Request");
    const token = randomBytes(42).toString("base64");
    this.tokens.set(token, this.deps.now().getTime() + ttl * 1000);
    return {
      status: 200,
      headers: {
        "content-type": "text/plain",
        "x-aws-ec2-metadata-token-ttl-seconds": String(ttl),
      },
      body: token,
    };
  }

  private metadata(method: string, path: string, headers: IncomingHttpHeaders): WireResponse {
    if (method !== "GET") return text(405, "Method Not Allowed");
    const token = headers["x-aws-ec2-metadata-token"];
    const expires = typeof token === "string" ? this.tokens.get(token) : undefined;
    if (expires === undefined || expires < this.deps.now().getTime())
      return text(401, "Unauthorized");
    const role = this.instanceRole();
    const prefix = "/latest/meta-data/iam/security-credentials/";
    if (path === prefix) return role === undefined ? text(404, "Not Found") : text(200, role.name);
    if (path.startsWith(prefix) && role !== undefined && path.slice(prefix.length) === role.name) {
      const session = this.credentials(role);
      return json(200, {
        Code: "Success",
        LastUpdated: this.deps
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, "Z"),
        Type: "AWS-HMAC",
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        Token: session.sessionToken,
        Expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
      });
    }
    if (path === "/latest/meta-data/placement/region")
      return text(200, this.deps.world.regions[0] ?? "us-east-1");
    return text(404, "Not Found");
  }

  private container(method: string): WireResponse {
    if (method !== "GET") return text(405, "Method Not Allowed");
    const role = this.instanceRole();
    if (role === undefined)
      return json(404, { code: "NotFound", message: "no instance role in the world" });
    const session = this.credentials(role);
    return json(200, {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      Token: session.sessionToken,
      Expiration: session.expiration.toISOString(),
      RoleArn: role.arn,
    });
  }

  clear(): void {
    this.tokens.clear();
    this.session = undefined;
  }
}
