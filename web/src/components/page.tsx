import {
  Alert,
  Button,
  Center,
  EmptyState,
  Group,
  Loader,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useEffect, type ReactNode } from "react";
import { ApiError } from "../api/client";

export function PageHeader(props: { title: string; description?: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    document.title = `${props.title} · Switchboard`;
  }, [props.title]);
  return (
    // The buttons go under the title when both do not fit on one line (a phone), instead of
    // squeezing the title into a column a word wide or pushing the page sideways.
    <Group justify="space-between" align="flex-start" mb="md" gap="sm">
      <Stack gap={2} miw={0} style={{ flex: "1 1 16rem", overflowWrap: "anywhere" }}>
        <Title order={2} fz="h3">
          {props.title}
        </Title>
        {props.description !== undefined && (
          <Text c="dimmed" size="sm">
            {props.description}
          </Text>
        )}
      </Stack>
      {props.actions !== undefined && <Group gap="xs">{props.actions}</Group>}
    </Group>
  );
}

/** An API error in words: the server's explanation, the field it is about, and the request id. */
export function ErrorAlert(props: { error: unknown; title?: string; onRetry?: () => void }) {
  const e = props.error;
  const message = e instanceof Error ? e.message : String(e);
  const api = e instanceof ApiError ? e : undefined;
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={props.title ?? (api !== undefined ? errorTitle(api) : "Something went wrong")}
      role="alert"
    >
      <Stack gap={6}>
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          {message}
        </Text>
        {api !== undefined && (
          <Text size="xs" c="dimmed">
            {api.code}
            {api.field !== undefined ? ` · field ${api.field}` : ""}
            {api.requestId !== undefined ? ` · request ${api.requestId}` : ""}
          </Text>
        )}
        {props.onRetry !== undefined && (
          <Group>
            <Button size="xs" variant="light" color="red" onClick={props.onRetry}>
              Try again
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

function errorTitle(e: ApiError): string {
  if (e.status === 403) return "Not allowed";
  if (e.status === 404) return "Not found";
  if (e.status === 409) return "Conflict";
  if (e.status >= 400 && e.status < 500) return "Please check the input";
  return "The server could not do that";
}

export function Loading(props: { label?: string }) {
  return (
    <Center py="xl">
      <Loader size="sm" role="status" aria-label={props.label ?? "Loading"} />
    </Center>
  );
}

/** What to show when a list is empty: what it is for and the next step. */
export function Empty(props: {
  title: string;
  description: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <EmptyState py="xl" title={props.title} description={props.description} icon={props.icon}>
      {props.action !== undefined && <EmptyState.Actions>{props.action}</EmptyState.Actions>}
    </EmptyState>
  );
}
