import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconCheck, IconCopy, IconRefresh } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { oidcQuery, useRotateOidcKey, type OidcIssuer } from "../../api/settings";
import { useAuth } from "../../app/auth";
import { CopyDownload } from "../../components/CopyDownload";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import { ConfirmModal } from "../../components/ConfirmModal";
import { useDialogParam } from "../../components/dialog-param";
import { formatAge, When } from "../../components/time";

type Key = OidcIssuer["keys"][number];

function CopyValue(props: { label: string; value: string; href?: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {props.label}
      </Text>
      <Group gap={4} wrap="nowrap">
        {props.href !== undefined ? (
          <Anchor
            href={props.href}
            target="_blank"
            rel="noreferrer"
            size="sm"
            ff="monospace"
            style={{ wordBreak: "break-all" }}
          >
            {props.value}
          </Anchor>
        ) : (
          <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
            {props.value}
          </Text>
        )}
        <CopyButton value={props.value}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? "Copied" : `Copy ${props.label.toLowerCase()}`}>
              <ActionIcon
                variant="subtle"
                color="gray"
                size="sm"
                aria-label={`Copy ${props.label.toLowerCase()}`}
                onClick={copy}
              >
                {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}

function keyStatus(key: Key, now = Date.now()) {
  if (key.retiredAt === null) {
    return (
      <Badge size="sm" variant="dot" color="teal">
        current
      </Badge>
    );
  }
  if (key.publishUntil !== null && new Date(key.publishUntil).getTime() > now) {
    return (
      <Group gap={6} wrap="nowrap">
        <Badge size="sm" variant="dot" color="gray">
          retired
        </Badge>
        <Text size="xs" c="dimmed">
          in the JWKS until <When exact iso={key.publishUntil} />
        </Text>
      </Group>
    );
  }
  return (
    <Badge size="sm" variant="dot" color="gray">
      unpublished
    </Badge>
  );
}

/** The issuer's host and path: IAM names condition keys and the provider ARN after it. */
function issuerHost(issuer: string): string {
  return issuer.replace(/^https?:\/\//, "");
}

function trustPolicy(issuer: OidcIssuer): string {
  const host = issuerHost(issuer.issuer);
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::<account id>:oidc-provider/${host}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${host}:aud`]: issuer.audience,
              [`${host}:sub`]: issuer.subjectFormat,
            },
          },
        },
      ],
    },
    null,
    2,
  );
}

function publishRecipe(issuer: OidcIssuer): string {
  return [
    "# where the server's configuration is (SWITCHBOARD_URL / SWITCHBOARD_TOKEN or switchboard login)",
    "switchboard oidc publish --out site",
    "aws s3 cp site/.well-known/ s3://my-sb-oidc/.well-known/ --recursive --content-type application/json",
    "",
    "# once, in each AWS account that trusts Switchboard",
    `aws iam create-open-id-connect-provider --url ${issuer.issuer} --client-id-list ${issuer.audience}`,
  ].join("\n");
}

export function OidcPage() {
  const { isAdmin } = useAuth();
  // Fresh each time the page opens: it shows the signing keys' ages and which one is current.
  const issuer = useQuery({ ...oidcQuery, staleTime: 0 });
  const rotateKey = useRotateOidcKey();
  const rotate = useDialogParam("rotate");
  const [now] = useState(() => Date.now());

  const header = (
    <PageHeader
      title="OIDC issuer"
      description="Switchboard is an OpenID Connect issuer: a web identity connection gets AWS credentials with a short-lived token Switchboard signs, so no long-lived secret exists anywhere."
      actions={
        isAdmin ? (
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            onClick={() => rotate.open()}
          >
            Rotate signing key
          </Button>
        ) : undefined
      }
    />
  );

  if (issuer.error !== null) {
    return (
      <>
        {header}
        <ErrorAlert error={issuer.error} onRetry={() => void issuer.refetch()} />
      </>
    );
  }
  if (issuer.data === undefined) {
    return (
      <>
        {header}
        <Loading />
      </>
    );
  }
  const data = issuer.data;
  const policy = trustPolicy(data);

  return (
    <>
      {header}
      <Stack gap="lg">
        {!data.issuer.startsWith("https://") && (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
            AWS only trusts an https issuer. Set <Code>SWITCHBOARD_PUBLIC_URL</Code> (or{" "}
            <Code>SWITCHBOARD_OIDC_ISSUER</Code>, when the documents are published elsewhere) to an
            https URL.
          </Alert>
        )}
        <Paper withBorder p="md">
          <Title order={3} fz="md" mb="sm">
            What to put in IAM
          </Title>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" verticalSpacing="sm">
            <CopyValue label="Issuer URL" value={data.issuer} />
            <CopyValue label="Audience (client id)" value={data.audience} />
            <CopyValue
              label="Discovery document"
              value={data.discoveryUrl}
              href={data.discoveryUrl}
            />
            <CopyValue label="Subject format" value={data.subjectFormat} />
            <CopyValue label="JWKS" value={data.jwksUrl} href={data.jwksUrl} />
          </SimpleGrid>
          <Text size="sm" c="dimmed" mt="md">
            Create an IAM OIDC identity provider with the issuer URL and the audience as client id,
            then let the role trust it with <Code>StringEquals</Code> on{" "}
            <Code>{issuerHost(data.issuer)}:aud</Code> and{" "}
            <Code>{issuerHost(data.issuer)}:sub</Code>. The connection name is part of the subject,
            so renaming a connection needs a trust-policy change.
          </Text>
        </Paper>

        <Paper withBorder p="md">
          <Group justify="space-between" mb="xs">
            <Title order={3} fz="md">
              Trust policy for a role
            </Title>
            <CopyDownload text={policy} filename="trust-policy.json" what="trust policy" />
          </Group>
          <Text size="sm" c="dimmed" mb="xs">
            Replace the account id and the connection name; each connection&apos;s page generates
            its exact document.
          </Text>
          <Code block>{policy}</Code>
        </Paper>

        <Paper withBorder p="md">
          <Title order={3} fz="md" mb="xs">
            Signing keys
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            RS256 key pairs held in the key store. Rotating makes a new key current; the previous
            one stays in the JWKS until every token it signed has expired.
          </Text>
          <Table aria-label="Signing keys" withTableBorder striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key id (kid)</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Age</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.keys.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text size="sm" c="dimmed">
                      No signing key yet: the first web identity token creates one.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : (
                data.keys.map((k) => (
                  <Table.Tr key={k.kid}>
                    <Table.Td>
                      <Code>{k.kid}</Code>
                    </Table.Td>
                    <Table.Td>
                      <When exact iso={k.createdAt} />
                    </Table.Td>
                    <Table.Td>{formatAge(k.createdAt, now)}</Table.Td>
                    <Table.Td>{keyStatus(k, now)}</Table.Td>
                  </Table.Tr>
                ))
              )}
            </Table.Tbody>
          </Table>
        </Paper>

        <Paper withBorder p="md">
          <Group justify="space-between" mb="xs">
            <Title order={3} fz="md">
              Behind a firewall: publish the documents
            </Title>
            <CopyDownload
              text={publishRecipe(data)}
              filename="publish-oidc.sh"
              type="text/x-shellscript"
              what="publish commands"
            />
          </Group>
          <Text size="sm" mb="sm">
            AWS fetches the discovery document and JWKS over public HTTPS. When it cannot reach
            Switchboard, host the two documents on S3 (or any static HTTPS host) and use that URL as
            the issuer:
          </Text>
          <List type="ordered" size="sm" spacing={6} mb="sm">
            <List.Item>
              Create a bucket (e.g. <Code>my-sb-oidc</Code>) and allow public{" "}
              <Code>s3:GetObject</Code> on <Code>arn:aws:s3:::my-sb-oidc/.well-known/*</Code> only,
              or put CloudFront with origin access control in front of a private bucket.
            </List.Item>
            <List.Item>
              Set{" "}
              <Code>
                SWITCHBOARD_OIDC_ISSUER=https://my-sb-oidc.s3.&lt;region&gt;.amazonaws.com
              </Code>{" "}
              (or the CloudFront URL) and restart, <b>then</b> publish, so the documents and the
              tokens name the same issuer.
            </List.Item>
            <List.Item>Run the commands below, and create the IAM OIDC provider.</List.Item>
            <List.Item>
              After every key rotation, publish and upload again: a token signed by a key missing
              from the published JWKS is refused.
            </List.Item>
          </List>
          <Code block>{publishRecipe(data)}</Code>
        </Paper>
      </Stack>
      <ConfirmModal
        opened={isAdmin && rotate.value !== null}
        title="Rotate the signing key?"
        confirmLabel="Rotate key"
        onClose={rotate.close}
        onConfirm={async () => {
          const key = await rotateKey.mutateAsync();
          notifications.show({ message: `Signing key ${key.kid} is now current`, color: "teal" });
        }}
      >
        A new key signs every token from now on; the current one stays in the JWKS until the tokens
        it signed have expired. The keys serve every org of this install. If the documents are
        published elsewhere, publish and upload them again right after rotating.
      </ConfirmModal>
    </>
  );
}
