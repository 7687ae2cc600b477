import type { ActionDefinition } from "../action-definition.js";
import { accountActions } from "./account.js";
import { ec2Actions } from "./ec2.js";
import { ecsActions } from "./ecs.js";
import { lambdaActions } from "./lambda.js";
import { logsActions } from "./logs.js";
import { s3Actions } from "./s3.js";
import { secretsManagerActions } from "./secretsmanager.js";
import { stsActions } from "./sts.js";

/** The typed catalog, one file per AWS service. */
export const CATALOG: ReadonlyMap<string, ActionDefinition> = new Map(
  [
    ...stsActions,
    ...accountActions,
    ...ec2Actions,
    ...ecsActions,
    ...s3Actions,
    ...lambdaActions,
    ...secretsManagerActions,
    ...logsActions,
  ].map((a) => [a.id, a]),
);
