import {
  Anchor,
  Code,
  Group,
  MultiSelect,
  Paper,
  Stack,
  TagsInput,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { actionsQuery, minimalPolicyQuery } from "../../api/actions";
import { CopyDownload } from "../../components/CopyDownload";
import { Empty, ErrorAlert, Loading, PageHeader } from "../../components/page";

function policyParams(actions: string[], calls: string[]): URLSearchParams {
  const params = new URLSearchParams();
  if (actions.length > 0) params.set("actions", actions.join(","));
  if (calls.length > 0) params.set("calls", calls.join(","));
  return params;
}

/** The policy page's URL for catalog actions and aws.call operations ("ec2:DescribeInstances"). */
export function policyLink(actions: string[], calls: string[]): string {
  const query = policyParams(actions, calls).toString();
  return `/actions/policy${query === "" ? "" : `?${query}`}`;
}

function listParam(value: string | null): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

const CALL = /^([a-z0-9-]{2,64}):([A-Z][A-Za-z0-9]{1,127})$/;

/**
 * /actions/policy?actions=…&calls=… — the least-privilege IAM policy for chosen catalog actions
 * and aws.call operations, with copy and download. The selection lives in the URL, so a policy
 * can be linked to.
 */
export function PolicyPage() {
  const [params, setParams] = useSearchParams();
  const actions = listParam(params.get("actions"));
  const calls = listParam(params.get("calls"));
  const badCalls = calls.filter((c) => !CALL.test(c));
  const goodCalls = calls.filter((c) => CALL.test(c));
  const catalog = useQuery(actionsQuery());
  const entries = [
    ...actions,
    ...goodCalls.map((c) => {
      const [, service = "", operation = ""] = CALL.exec(c) ?? [];
      return { service, operation };
    }),
  ];
  const policy = useQuery(minimalPolicyQuery(entries));
  const update = (next: { actions?: string[]; calls?: string[] }) => {
    setParams(policyParams(next.actions ?? actions, next.calls ?? calls), { replace: true });
  };
  const text = policy.data === undefined ? "" : JSON.stringify(policy.data, null, 2);
  const iamActions = (policy.data?.Statement ?? []).flatMap((s) =>
    Array.isArray(s.Action) ? s.Action.map(String) : typeof s.Action === "string" ? [s.Action] : [],
  );

  return (
    <>
      <PageHeader
        title="Least-privilege policy"
        description="The IAM policy a role needs for exactly these actions: attach it to the role a connection assumes."
        actions={
          <Anchor component={Link} to="/actions" size="sm">
            Back to the catalog
          </Anchor>
        }
      />
      <Stack gap="md">
        <Paper withBorder p="md" radius="sm">
          <Stack gap="sm">
            {catalog.error !== null ? (
              <ErrorAlert error={catalog.error} />
            ) : (
              <MultiSelect
                label="Catalog actions"
                placeholder={actions.length === 0 ? "Choose actions" : undefined}
                data={(catalog.data?.items ?? [])
                  .filter((a) => a.id !== "aws.call")
                  .map((a) => ({ value: a.id, label: a.id }))}
                value={actions}
                onChange={(v) => update({ actions: v })}
                searchable
                clearable
                hidePickedOptions
                nothingFoundMessage="No catalog action has that id"
              />
            )}
            <TagsInput
              label="aws.call operations"
              description="service:Operation, e.g. ec2:DescribeInstances or cloudwatch-logs:FilterLogEvents; Enter adds one"
              value={calls}
              onChange={(v) => update({ calls: v })}
              error={
                badCalls.length > 0
                  ? `${badCalls.join(", ")}: expected service:Operation, e.g. ec2:DescribeInstances`
                  : undefined
              }
              clearable
              acceptValueOnBlur
              splitChars={[",", " "]}
            />
          </Stack>
        </Paper>
        {entries.length === 0 ? (
          <Empty
            title="Choose actions"
            description="Pick catalog actions or aws.call operations above; the policy that allows exactly them appears here."
          />
        ) : policy.error !== null ? (
          <ErrorAlert error={policy.error} />
        ) : policy.data === undefined ? (
          <Loading label="Building the policy" />
        ) : (
          <Paper withBorder p="md" radius="sm" component="section" aria-label="Policy">
            <Group justify="space-between" mb="sm">
              <Stack gap={4}>
                <Title order={2} fz="md">
                  Policy
                </Title>
                <Group gap={6}>
                  <Text size="sm" c="dimmed">
                    {iamActions.length} IAM {iamActions.length === 1 ? "action" : "actions"}:
                  </Text>
                  {iamActions.map((a) => (
                    <Code key={a}>{a}</Code>
                  ))}
                </Group>
              </Stack>
              <CopyDownload text={text} filename="switchboard-least-privilege.json" what="policy" />
            </Group>
            <Code block tabIndex={0}>
              {text}
            </Code>
          </Paper>
        )}
      </Stack>
    </>
  );
}
