import { AwsError } from "../aws-error.js";
import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

const DAY_MS = 86_400_000;

export const secretsManagerService: ServiceHandlers = {
  async ListSecrets(ctx, input) {
    await ctx.authorize("secretsmanager:ListSecrets", "*");
    const secrets = worldItems(ctx, "SecretList").filter(
      (s) => input.IncludePlannedDeletion === true || s.DeletedDate === undefined,
    );
    return pagedOutput(ctx, input, "SecretList", secrets);
  },

  async DeleteSecret(ctx, input) {
    const id = text(input.SecretId);
    const secrets = worldItems(ctx, "SecretList");
    const secret = secrets.find((s) => s.ARN === id || s.Name === id);
    const arn =
      typeof secret?.ARN === "string"
        ? secret.ARN
        : `arn:aws:secretsmanager:${ctx.region}:${ctx.account.id}:secret:${id}`;
    await ctx.authorize("secretsmanager:DeleteSecret", arn);
    if (secret === undefined)
      throw new AwsError(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
        400,
      );
    if (secret.DeletedDate !== undefined && input.ForceDeleteWithoutRecovery !== true)
      throw new AwsError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
        400,
      );
    const window = typeof input.RecoveryWindowInDays === "number" ? input.RecoveryWindowInDays : 30;
    if (input.ForceDeleteWithoutRecovery !== true && (window < 7 || window > 30))
      throw new AwsError(
        "InvalidParameterException",
        "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        400,
      );
    const now = ctx.now();
    if (input.ForceDeleteWithoutRecovery === true) {
      secrets.splice(secrets.indexOf(secret), 1);
      return { ARN: secret.ARN, Name: secret.Name, DeletionDate: now };
    }
    secret.DeletedDate = now;
    return {
      ARN: secret.ARN,
      Name: secret.Name,
      DeletionDate: new Date(now.getTime() + window * DAY_MS),
    };
  },
};
