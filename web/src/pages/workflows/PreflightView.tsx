import { Accordion, Alert, Badge, Code, List, Stack, Table, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import type { Preflight } from "../../api/workflows";
import { CopyDownload } from "../../components/CopyDownload";

function targetsText(step: Preflight["steps"][number]): string {
  if (!step.targetsKnown) return "decided at run time";
  const runs = step.targets.filter((t) => t.outcome === "runs").length;
  const refused = step.targets.filter((t) => t.outcome === "refused").length;
  const skipped = step.targets.filter((t) => t.outcome === "skipped").length;
  return [
    `${runs} ${runs === 1 ? "target" : "targets"}`,
    refused > 0 ? `${refused} refused` : "",
    skipped > 0 ? `${skipped} skipped` : "",
  ]
    .filter((s) => s !== "")
    .join(", ");
}

/** What a run would do, before it does it: nothing here was sent to AWS. */
export function PreflightView(props: { preflight: Preflight }) {
  const p = props.preflight;
  return (
    <Stack gap="sm" component="section" aria-label="Preflight">
      {p.ok ? (
        <Alert
          color="green"
          variant="light"
          icon={<IconCircleCheck size={18} />}
          title="Ready to run"
        >
          Runs as {p.runAs}, version {p.version}: no grant missing, no step refused.
        </Alert>
      ) : (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title="This run would stop or be refused"
        >
          Runs as {p.runAs}, version {p.version}: {p.missingGrants.length} missing{" "}
          {p.missingGrants.length === 1 ? "grant" : "grants"}, {p.accessRefusals.length}{" "}
          {p.accessRefusals.length === 1 ? "refusal" : "refusals"} by a connection&apos;s access
          setting.
        </Alert>
      )}
      <Table.ScrollContainer minWidth={360}>
        <Table aria-label="Steps of the run" verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Step</Table.Th>
              <Table.Th>Does</Table.Th>
              <Table.Th>Targets</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {p.steps.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{s.id}</Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Text size="sm">{s.action ?? s.kind}</Text>
                    {s.notes.map((n) => (
                      <Text key={n} size="xs" c="dimmed">
                        {n}
                      </Text>
                    ))}
                  </Stack>
                </Table.Td>
                <Table.Td>{s.kind === "action" ? targetsText(s) : "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {p.missingGrants.length > 0 && (
        <Stack gap={4}>
          <Title order={4} fz="sm">
            Missing grants
          </Title>
          <List size="sm" aria-label="Missing grants">
            {p.missingGrants.map((g) => (
              <List.Item key={`${g.step}-${g.connection}-${g.role}`}>
                step {g.step}: {g.role} on {g.connection} — {g.reason}
              </List.Item>
            ))}
          </List>
        </Stack>
      )}
      {p.accessRefusals.length > 0 && (
        <Stack gap={4}>
          <Title order={4} fz="sm">
            Refused by a connection&apos;s access setting
          </Title>
          <List size="sm" aria-label="Access refusals">
            {p.accessRefusals.map((r) => (
              <List.Item key={`${r.step}-${r.connection}-${r.iamAction}`}>
                step {r.step}: {r.iamAction} ({r.accessLevel}) on {r.connection}, whose access is{" "}
                {r.access}
              </List.Item>
            ))}
          </List>
        </Stack>
      )}
      {p.permissions.length > 0 && (
        <Stack gap={4}>
          <Title order={4} fz="sm">
            IAM permissions each connection&apos;s role needs
          </Title>
          <Accordion variant="contained" chevronPosition="left">
            {p.permissions.map((perm) => {
              const text = JSON.stringify(perm.policy, null, 2);
              return (
                <Accordion.Item key={perm.connection} value={perm.connection}>
                  <Accordion.Control>
                    {perm.connection}{" "}
                    <Badge size="xs" variant="light" tt="none">
                      {perm.iamActions.length} {perm.iamActions.length === 1 ? "action" : "actions"}
                    </Badge>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <Stack gap="xs">
                      <Text size="xs">{perm.iamActions.join(", ")}</Text>
                      <CopyDownload
                        text={text}
                        filename={`${p.workflow}-${perm.connection}-policy.json`}
                        what={`policy for ${perm.connection}`}
                        compact
                      />
                      <Code block style={{ maxHeight: 240, overflow: "auto" }}>
                        {text}
                      </Code>
                    </Stack>
                  </Accordion.Panel>
                </Accordion.Item>
              );
            })}
          </Accordion>
        </Stack>
      )}
    </Stack>
  );
}
