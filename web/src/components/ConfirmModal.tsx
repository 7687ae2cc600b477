import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorAlert } from "./page";

/** Asks before something that cannot be undone; shows the API's refusal in the dialog. */
export function ConfirmModal(props: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The button that leaves things as they are ("Cancel" unless the action is itself a cancel). */
  dismissLabel?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const confirmation = useMutation({ mutationFn: props.onConfirm, onSuccess: props.onClose });
  const close = () => {
    confirmation.reset();
    props.onClose();
  };
  const busy = confirmation.isPending;
  const error = confirmation.error;
  const confirm = () => confirmation.mutate();
  return (
    <Modal opened={props.opened} onClose={close} title={props.title}>
      <Stack>
        <Text size="sm" component="div">
          {props.children}
        </Text>
        {error !== null && <ErrorAlert error={error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {props.dismissLabel ?? "Cancel"}
          </Button>
          <Button color="red" loading={busy} onClick={confirm}>
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
