import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Invalid } from "../errors.js";
import { sdkServiceName } from "./aws-call.js";
import { allActions, describeAction, findAction, iamActionsOf } from "./catalog-info.js";
import { iamActionFor, minimalPolicy } from "./iam/index.js";
import { actionInfoSchema, minimalPolicyRequestSchema } from "./schemas.js";

const actionParams = z.strictObject({
  id: z
    .string()
    .regex(/^aws\.[A-Za-z0-9.]+$/, "expected an action id such as aws.ec2.describeInstances"),
});

export const actionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/actions",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "The action catalog with permissions and access levels",
        response: { 200: z.object({ items: z.array(actionInfoSchema) }) },
      },
    },
    async () => ({ items: await Promise.all(allActions().map(describeAction)) }),
  );

  app.get(
    "/actions/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "One action",
        params: actionParams,
        response: { 200: actionInfoSchema },
      },
    },
    async (request) => describeAction(findAction(request.params.id)),
  );

  app.post(
    "/policies/minimal",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "The least-privilege IAM policy for a set of actions",
        body: minimalPolicyRequestSchema,
        response: {
          200: z.object({
            Version: z.literal("2012-10-17"),
            Statement: z.array(z.record(z.string(), z.unknown())),
          }),
        },
      },
    },
    async (request) => {
      const iamActions = request.body.actions.flatMap((entry, index) => {
        if (entry === "aws.call") {
          // Its permission depends on the operation called.
          throw new Invalid(
            'aws.call needs the permission of the operation it calls: give {"service": "ec2", "operation": "DescribeInstances"} instead',
            { field: `actions.${index}` },
          );
        }
        try {
          return typeof entry === "string"
            ? iamActionsOf(findAction(entry), undefined)
            : [iamActionFor(sdkServiceName(entry.service), entry.operation)];
        } catch (error) {
          throw new Invalid(error instanceof Error ? error.message : String(error), {
            field: `actions.${index}`,
          });
        }
      });
      return minimalPolicy(iamActions);
    },
  );
};
