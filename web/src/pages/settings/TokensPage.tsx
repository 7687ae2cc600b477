import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  NumberInput,
  Stack,
  Switch,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconKey, IconPlus, IconBan } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { tokensQuery, useCreateToken, useRevokeToken, type Token } from "../../api/settings";
import { useAuth } from "../../app/auth";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { ConfirmModal } from "../../components/ConfirmModal";
import { fieldError, otherError } from "../../components/field-errors";
import { SecretText } from "../../components/SecretText";
import { ShownOnceAlert } from "../../components/notes";
import { useDialogParam } from "../../components/dialog-param";
import { When } from "../../components/time";

function status(t: Token, now = Date.now()): "revoked" | "expired" | "active" {
  if (t.revokedAt !== null) return "revoked";
  if (t.expiresAt !== null && new Date(t.expiresAt).getTime() <= now) return "expired";
  return "active";
}

function StatusBadge({ token }: { token: Token }) {
  const s = status(token);
  return (
    <Badge
      size="sm"
      variant="dot"
      color={s === "active" ? "teal" : s === "expired" ? "orange" : "gray"}
    >
      {s}
    </Badge>
  );
}

/** The new token's secret: shown in this dialog once, dropped from memory when it closes. */
function CreateTokenModal(props: { opened: boolean; onClose: () => void }) {
  const createToken = useCreateToken();
  const [name, setName] = useState("");
  const [days, setDays] = useState<number | string>(90);
  const [never, setNever] = useState(false);
  const error = createToken.error;
  // The secret lives in the mutation's answer only until the dialog closes (reset).
  const created =
    createToken.data === undefined
      ? null
      : { name: createToken.data.token.name, secret: createToken.data.secret };

  const close = () => {
    setName("");
    setDays(90);
    setNever(false);
    createToken.reset();
    props.onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    createToken.mutate({
      name: name.trim(),
      expiresInDays: never ? null : typeof days === "number" ? days : Number(days),
    });
  };

  return (
    <Modal
      opened={props.opened}
      onClose={close}
      title={created === null ? "Create an API token" : `Token ${created.name} created`}
      size="lg"
      closeOnClickOutside={created === null}
    >
      {created !== null ? (
        <Stack>
          <ShownOnceAlert title="Copy the token now: it is shown once">
            Switchboard keeps only a hash of it and cannot show it again. Store it where your
            automation reads secrets; anyone holding it acts as you. Send it as{" "}
            <Code>Authorization: Bearer …</Code>.
          </ShownOnceAlert>
          <SecretText label="API token" value={created.secret} copyLabel="Copy token" />
          <Group justify="flex-end">
            <Button onClick={close}>I have copied it</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            {otherError(error, ["name", "expiresInDays"]) !== null && <ErrorAlert error={error} />}
            <TextInput
              label="Token name"
              description="What uses it, e.g. ci-deploy or terraform"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(error, "name")}
              required
              data-autofocus
              autoComplete="off"
            />
            <NumberInput
              label="Expires in (days)"
              description="1 to 3650 days"
              value={days}
              onChange={setDays}
              min={1}
              max={3650}
              allowDecimal={false}
              disabled={never}
              error={fieldError(error, "expiresInDays")}
            />
            <Checkbox
              label="Never expires (not recommended)"
              checked={never}
              onChange={(e) => setNever(e.currentTarget.checked)}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={createToken.isPending}>
                Create token
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

export function TokensPage() {
  const { isAdmin, me } = useAuth();
  const [params, setParams] = useSearchParams();
  const all = isAdmin && params.get("all") === "true";
  const create = useDialogParam("new");
  const [revoking, setRevoking] = useState<Token | null>(null);
  const tokens = useQuery(tokensQuery(all));
  const revokeToken = useRevokeToken();

  const createButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={() => create.open()}>
      Create token
    </Button>
  );

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let scripts, CI and the CLI call the API as you (Authorization: Bearer sb_…). A token is shown once when it is created; revoke one you no longer use."
        actions={createButton}
      />
      {tokens.error !== null ? (
        <ErrorAlert error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : (
        <ListTable<Token>
          label="API tokens"
          records={tokens.data}
          idAccessor="id"
          searchText={(t) => `${t.name} ${t.prefix} ${t.user} ${status(t)}`}
          defaultSort={{ columnAccessor: "createdAt", direction: "desc" }}
          toolbar={
            isAdmin ? (
              <Switch
                label="Every user's tokens"
                checked={all}
                onChange={(e) => {
                  const checked = e.currentTarget.checked;
                  setParams((p) => {
                    const next = new URLSearchParams(p);
                    if (checked) next.set("all", "true");
                    else next.delete("all");
                    return next;
                  });
                }}
              />
            ) : undefined
          }
          empty={
            <Empty
              icon={<IconKey size={32} />}
              title={all ? "No API tokens in this org" : "You have no API tokens"}
              description="Create one for the CLI (switchboard login --with-token) or for automation calling the API."
              action={createButton}
            />
          }
          columns={[
            { accessor: "name", title: "Name", sortable: true },
            {
              accessor: "prefix",
              title: "Starts with",
              render: (t) => <Code>{t.prefix}…</Code>,
            },
            ...(all ? [{ accessor: "user", title: "User", sortable: true }] : []),
            {
              accessor: "createdAt",
              title: "Created",
              sortable: true,
              render: (t) => <When exact iso={t.createdAt} />,
            },
            {
              accessor: "expiresAt",
              title: "Expires",
              sortable: true,
              render: (t) => <When exact iso={t.expiresAt} never="never" />,
            },
            {
              accessor: "lastUsedAt",
              title: "Last used",
              sortable: true,
              render: (t) => <When exact iso={t.lastUsedAt} never="not yet" />,
            },
            {
              accessor: "status",
              title: "Status",
              render: (t) => <StatusBadge token={t} />,
            },
            {
              accessor: "actions",
              title: <VisuallyHidden>Actions</VisuallyHidden>,
              textAlign: "right",
              render: (t) =>
                t.revokedAt === null && (t.user === me.user.name || isAdmin) ? (
                  <Tooltip label={`Revoke ${t.name}`}>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Revoke ${t.name}`}
                      onClick={() => setRevoking(t)}
                    >
                      <IconBan size={16} />
                    </ActionIcon>
                  </Tooltip>
                ) : null,
            },
          ]}
        />
      )}
      <CreateTokenModal opened={create.value !== null} onClose={create.close} />
      <ConfirmModal
        opened={revoking !== null}
        title={`Revoke token ${revoking?.name ?? ""}?`}
        confirmLabel="Revoke token"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (revoking === null) return;
          await revokeToken.mutateAsync(revoking.id);
          notifications.show({ message: `Token ${revoking.name} revoked`, color: "teal" });
        }}
      >
        Every request with this token ({revoking?.prefix}…) is refused from now on. Anything using
        it needs a new token.
      </ConfirmModal>
    </>
  );
}
