import { Badge, Box, Group, Paper, Stack, Text, ThemeIcon } from "@mantine/core";
import {
  IconBrandAws,
  IconHelpCircle,
  IconMathFunction,
  IconUserCheck,
  IconWorldWww,
} from "@tabler/icons-react";
import type { ReactNode } from "react";
import type { StepKind, StepOutline } from "./step-outline";

const KIND: Record<StepKind, { icon: ReactNode; label: string; color: string }> = {
  action: { icon: <IconBrandAws size={16} />, label: "AWS action", color: "orange" },
  transform: { icon: <IconMathFunction size={16} />, label: "Transform", color: "grape" },
  http: { icon: <IconWorldWww size={16} />, label: "HTTP request", color: "cyan" },
  approval: { icon: <IconUserCheck size={16} />, label: "Approval", color: "teal" },
};

export function StepKindIcon(props: { kind: StepKind | null }) {
  const kind = props.kind === null ? undefined : KIND[props.kind];
  return (
    <ThemeIcon
      variant="light"
      color={kind?.color ?? "gray"}
      size="md"
      aria-label={kind?.label ?? "Unknown kind"}
      role="img"
    >
      {kind?.icon ?? <IconHelpCircle size={16} />}
    </ThemeIcon>
  );
}

/** The steps as a read-only vertical chain: each box its kind, id, what it does and its modifiers. */
export function StepGraph(props: { steps: StepOutline[] }) {
  if (props.steps.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        The steps appear here as you write them.
      </Text>
    );
  }
  return (
    <Stack gap={0} component="ol" aria-label="Steps" p={0} m={0} style={{ listStyle: "none" }}>
      {props.steps.map((step, i) => (
        <Box component="li" key={`${i}-${step.id}`} aria-label={`Step ${i + 1}: ${step.id}`}>
          {i > 0 && (
            <Box aria-hidden mx="auto" h={18} w={2} bg="var(--mantine-color-default-border)" />
          )}
          <Paper withBorder radius="sm" p="xs">
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <StepKindIcon kind={step.kind} />
              <Stack gap={2} style={{ minWidth: 0 }}>
                <Text size="sm" fw={600} style={{ overflowWrap: "anywhere" }}>
                  {step.id}
                </Text>
                <Text size="xs" c="dimmed" style={{ overflowWrap: "anywhere" }}>
                  {step.summary}
                </Text>
                {step.badges.length > 0 && (
                  <Group gap={4}>
                    {step.badges.map((b) => (
                      <Badge key={b} size="xs" variant="outline" tt="none">
                        {b}
                      </Badge>
                    ))}
                  </Group>
                )}
              </Stack>
            </Group>
          </Paper>
        </Box>
      ))}
    </Stack>
  );
}
