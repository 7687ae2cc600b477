import { Alert, Button, CopyButton, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconCopy } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { ApiError } from "../../api/client";
import { ErrorAlert } from "../../components/page";

function isAbout(error: ApiError, field: string): boolean {
  return error.field === field || (error.field?.startsWith(`${field}.`) ?? false);
}

/** The error message for one input field, when the API named that field (or a part of it). */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && isAbout(error, field) ? error.message : undefined;
}

/** An API error that is not about one of the given fields (those show on the field instead). */
export function otherError(error: unknown, fields: string[]): unknown {
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError && fields.some((f) => isAbout(error, f))) return null;
  return error;
}

/**
 * A dialog that has its own address: `?<key>=<value>` in the URL, so it can be linked to, and
 * the back button closes it.
 */
export function useDialogParam(key: string): {
  value: string | null;
  open: (value?: string) => void;
  close: () => void;
} {
  const [params, setParams] = useSearchParams();
  const value = params.get(key);
  return {
    value,
    open: (v = "1") =>
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.set(key, v);
        return next;
      }),
    close: () =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          next.delete(key);
          return next;
        },
        { replace: true },
      ),
  };
}

/** Every page of a cursor-paged list, for lists that are small enough to show whole. */
export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    cursor = page.nextCursor;
  }
}

/** Asks before something that cannot be undone; shows the API's refusal in the dialog. */
export function ConfirmModal(props: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setError(null);
    props.onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={props.opened} onClose={close} title={props.title}>
      <Stack>
        <Text size="sm" component="div">
          {props.children}
        </Text>
        {error !== null && <ErrorAlert error={error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void confirm()}>
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Shown to members on pages whose changes only admins may make. */
export function AdminOnlyNote(props: { what: string }) {
  return (
    <Text size="sm" c="dimmed" mb="sm">
      Only org admins can {props.what}; you see this page read-only.
    </Text>
  );
}

/**
 * A warning that must be read (a secret shown once). The title keeps the text colour: the
 * yellow variant's own title colour is below WCAG AA contrast on its background.
 */
export function ShownOnceAlert(props: { title: string; children: ReactNode }) {
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={props.title}
      styles={{ title: { color: "var(--mantine-color-text)" } }}
    >
      {props.children}
    </Alert>
  );
}

/** A value shown once (a token, a setup link): read-only, selectable, with a copy button. */
export function SecretText(props: { label: string; value: string; copyLabel: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-end">
      <TextInput
        label={props.label}
        value={props.value}
        readOnly
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        style={{ flex: 1 }}
        onFocus={(e) => e.currentTarget.select()}
        spellCheck={false}
      />
      <CopyButton value={props.value}>
        {({ copied, copy }) => (
          <Button
            variant="default"
            onClick={copy}
            leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          >
            {copied ? "Copied" : props.copyLabel}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
