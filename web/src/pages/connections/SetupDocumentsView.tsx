import { Alert, Code, Group, Stack, Tabs, Text } from "@mantine/core";
import { IconInfoCircle } from "@tabler/icons-react";
import { CopyDownload } from "../../components/CopyDownload";
import type { TrustPolicy } from "../../api/connections";

/** A JSON document shown as the user copies it: a scrollable, keyboard-focusable block. */
export function DocumentBlock(props: { label: string; text: string; filename: string }) {
  return (
    <Stack gap={6}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {props.label}
        </Text>
        <CopyDownload text={props.text} filename={props.filename} what={props.label} />
      </Group>
      <Code
        block
        role="region"
        aria-label={props.label}
        tabIndex={0}
        mah={360}
        style={{ overflow: "auto" }}
      >
        {props.text}
      </Code>
    </Stack>
  );
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The trust policy the role needs and the CloudFormation template that creates it. */
export function SetupDocumentsView(props: {
  /** The connection's name, for file names. */
  name: string;
  trustPolicy: TrustPolicy;
  cloudFormation: Record<string, unknown>;
  /** assume_role: the connection's ExternalId, which both documents require. */
  externalId?: string | undefined;
}) {
  const base = props.name === "" ? "connection" : props.name;
  return (
    <Stack gap="sm">
      {props.externalId !== undefined && (
        <Text size="sm">
          ExternalId of this connection: <Code>{props.externalId}</Code>. Switchboard generated it
          for this connection alone; both documents require it.
        </Text>
      )}
      <Tabs defaultValue="trust" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="trust">Trust policy</Tabs.Tab>
          <Tabs.Tab value="cloudformation">CloudFormation template</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="trust" pt="sm">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Put this on the role as its trust policy (IAM → Roles → the role → Trust relationships
              → Edit trust policy, or <Code>aws iam update-assume-role-policy</Code>).
            </Text>
            {props.trustPolicy.notes.map((note) => (
              <Alert key={note} color="yellow" variant="light" icon={<IconInfoCircle size={16} />}>
                {note}
              </Alert>
            ))}
            <DocumentBlock
              label="Trust policy"
              text={formatJson(props.trustPolicy.policy)}
              filename={`${base}-trust-policy.json`}
            />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="cloudformation" pt="sm">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Or create the role (and, for web identity, the IAM OIDC provider) with this template:
              CloudFormation → Create stack → Upload a template file, in the account the role
              belongs to.
            </Text>
            <DocumentBlock
              label="CloudFormation template"
              text={formatJson(props.cloudFormation)}
              filename={`${base}-role.template.json`}
            />
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
