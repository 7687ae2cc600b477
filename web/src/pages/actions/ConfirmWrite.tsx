import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState } from "react";
import type { PlanTarget, RunPlan } from "../../api/actions";
import { AccessLevelBadge } from "./format";

// A plan of thousands of targets is summarised above; the list shows the first ones.
const LISTED = 300;

const OUTCOME_COLOR: Record<PlanTarget["outcome"], string> = {
  runs: "orange",
  refused: "gray",
  skipped: "gray",
};
const OUTCOME_LABEL: Record<PlanTarget["outcome"], string> = {
  runs: "will run",
  refused: "refused",
  skipped: "skipped",
};

/**
 * The plan of a run that can change something (an access level above Read): which targets it
 * reaches, the IAM actions and access level, which targets are refused; the person types the
 * number of targets it will be sent to before it runs. Cancel sends nothing.
 */
export function ConfirmWrite(props: {
  plan: RunPlan | null;
  onConfirm: (plan: RunPlan) => void;
  onCancel: () => void;
}) {
  const { plan } = props;
  const [typed, setTyped] = useState("");
  const narrow = useMediaQuery("(max-width: 48em)");
  const close = () => {
    setTyped("");
    props.onCancel();
  };
  if (plan === null) return <Modal opened={false} onClose={close} title="" />;
  const runs = plan.summary.runs;
  const ready = runs === 0 || typed.trim() === String(runs);
  // Those that will run first: they are what the person confirms.
  const order = { runs: 0, refused: 1, skipped: 2 };
  const targets = [...plan.targets].sort((a, b) => order[a.outcome] - order[b.outcome]);
  // Why targets are refused or skipped, once per reason (they are often all the same).
  const reasons = new Map<string, number>();
  for (const t of targets)
    if (t.reason !== undefined) reasons.set(t.reason, (reasons.get(t.reason) ?? 0) + 1);

  return (
    <Modal opened onClose={close} title="Confirm a change" size="xl" fullScreen={narrow === true}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready) return;
          setTyped("");
          props.onConfirm(plan);
        }}
      >
        <Stack gap="sm">
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} p="sm">
            <Text size="sm">
              <Code>{plan.action}</Code> can change what is in your accounts: access level{" "}
              <AccessLevelBadge level={plan.accessLevel} />.
            </Text>
          </Alert>
          <Group gap="xs">
            <Text size="sm">IAM actions</Text>
            {plan.iamActions.map((a) => (
              <Code key={a}>{a}</Code>
            ))}
          </Group>
          <Group gap="xs" role="group" aria-label="Plan summary">
            <Text size="sm" fw={600}>
              {plan.summary.total} {plan.summary.total === 1 ? "target" : "targets"}
            </Text>
            <Badge variant="light" color={runs === 0 ? "gray" : "orange"}>
              {runs} will run
            </Badge>
            {plan.summary.refused > 0 && (
              <Badge variant="light" color="gray">
                {plan.summary.refused} refused
              </Badge>
            )}
            {plan.summary.skipped > 0 && (
              <Badge variant="light" color="gray">
                {plan.summary.skipped} skipped
              </Badge>
            )}
          </Group>
          {reasons.size > 0 && (
            <Stack gap={4} aria-label="Why targets are left out" role="list">
              {[...reasons].map(([reason, n]) => (
                <Text key={reason} size="xs" role="listitem">
                  {n} {n === 1 ? "target" : "targets"}: {reason}
                </Text>
              ))}
            </Stack>
          )}
          <ScrollArea.Autosize
            mah={280}
            type="auto"
            // Scrolled by keyboard too: the list can be long.
            viewportProps={{ tabIndex: 0, role: "region", "aria-label": "Planned targets list" }}
          >
            <Table aria-label="Planned targets" verticalSpacing={4} fz="sm" striped stickyHeader>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Connection</Table.Th>
                  <Table.Th>Account</Table.Th>
                  <Table.Th>Region</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {targets.slice(0, LISTED).map((t) => (
                  <Table.Tr key={`${t.connection} ${t.region}`}>
                    <Table.Td>{t.connection}</Table.Td>
                    <Table.Td>{t.accountId ?? "—"}</Table.Td>
                    <Table.Td>{t.region}</Table.Td>
                    <Table.Td>
                      <Badge
                        size="sm"
                        variant="light"
                        color={OUTCOME_COLOR[t.outcome]}
                        title={t.reason}
                      >
                        {OUTCOME_LABEL[t.outcome]}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
          {targets.length > LISTED && (
            <Text size="xs" c="dimmed">
              The first {LISTED} of {targets.length} targets.
            </Text>
          )}
          {runs === 0 ? (
            <Text size="sm">
              Every target is refused or skipped: nothing will be sent to AWS. Running records the
              refusals as a run.
            </Text>
          ) : (
            <TextInput
              label={`Type ${runs} to run it on ${runs} ${runs === 1 ? "target" : "targets"}`}
              description="The number of targets it will be sent to"
              value={typed}
              onChange={(e) => setTyped(e.currentTarget.value)}
              inputMode="numeric"
              autoComplete="off"
              data-autofocus
            />
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="orange" disabled={!ready}>
              {runs === 0 ? "Run" : `Run on ${runs} ${runs === 1 ? "target" : "targets"}`}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
