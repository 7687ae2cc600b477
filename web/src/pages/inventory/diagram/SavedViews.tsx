import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  Popover,
  Select,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { IconBookmark, IconDeviceFloppy, IconPencil, IconTrash } from "@tabler/icons-react";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import {
  inventoryViewQuery,
  inventoryViewsQuery,
  useDeleteInventoryView,
  useRenameInventoryView,
  useSaveInventoryView,
  type SavedView,
  type ViewBody,
} from "../../../api/inventory";
import { useAuth } from "../../../app/auth";
import { ConfirmModal } from "../../../components/ConfirmModal";
import { ErrorAlert } from "../../../components/page";

/** What a view of the diagram is: its selection, the groups collapsed, the positions pinned. */
export interface ViewState {
  selection: { connections: unknown; regions?: unknown };
  collapsed: string[];
  pinned: Record<string, { x: number; y: number }>;
}

const PRIVATE = "";

/**
 * The body that saves a view. The diagram's selection is the graph route's own (parsed from the
 * page's address), typed loosely by the contract; the server validates it again.
 */
function bodyOf(state: ViewState, name: string, team: string | null): ViewBody {
  return {
    name,
    team,
    selection: state.selection as ViewBody["selection"],
    collapsed: state.collapsed,
    pinned: state.pinned,
  };
}

/** The name and audience of a view, for a new one or a rename. */
function ViewForm(props: {
  title: string;
  opened: boolean;
  initial: { name: string; team: string | null };
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit: (value: { name: string; team: string | null }) => void;
  onClose: () => void;
}) {
  const { me } = useAuth();
  const [name, setName] = useState(props.initial.name);
  const [team, setTeam] = useState(props.initial.team ?? PRIVATE);
  const blank = name.trim() === "";
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (blank) return;
          props.onSubmit({ name: name.trim(), team: team === PRIVATE ? null : team });
        }}
      >
        <Stack gap="sm">
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={200}
            required
            data-autofocus
          />
          <Select
            label="Shared with"
            description="Members of the team see it in their views; only you change it."
            data={[
              { value: PRIVATE, label: "Only me" },
              ...me.teams.map((t) => ({ value: t, label: `Team ${t}` })),
            ]}
            value={team}
            onChange={(v) => setTeam(v ?? PRIVATE)}
            allowDeselect={false}
          />
          {props.error !== null && props.error !== undefined && <ErrorAlert error={props.error} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={blank} loading={props.busy}>
              {props.submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ViewRow(props: {
  view: SavedView;
  onOpen: () => void;
  onRename: () => void;
  onOverwrite: () => void;
  onDelete: () => void;
  busy: boolean;
  opening: boolean;
}) {
  const { view } = props;
  return (
    <Group gap={4} wrap="nowrap" justify="space-between" role="listitem" aria-label={view.name}>
      <Button
        variant="subtle"
        size="compact-sm"
        onClick={props.onOpen}
        loading={props.opening}
        style={{ flex: 1, minWidth: 0 }}
        justify="flex-start"
      >
        <Text size="sm" truncate>
          {view.name}
        </Text>
      </Button>
      {view.team !== null && (
        <Badge size="xs" variant="light" title={`Shared with team ${view.team}`}>
          {view.team}
        </Badge>
      )}
      {view.mine ? (
        <Group gap={0} wrap="nowrap">
          <Tooltip label="Save the current view over it">
            <ActionIcon
              variant="subtle"
              aria-label={`Overwrite ${view.name}`}
              onClick={props.onOverwrite}
              loading={props.busy}
            >
              <IconDeviceFloppy size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Rename or share">
            <ActionIcon
              variant="subtle"
              aria-label={`Rename ${view.name}`}
              onClick={props.onRename}
            >
              <IconPencil size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Delete">
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Delete ${view.name}`}
              onClick={props.onDelete}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ) : (
        <Text size="xs" c="dimmed" truncate maw="8rem" title={`Saved by ${view.owner}`}>
          {view.owner}
        </Text>
      )}
    </Group>
  );
}

/**
 * The diagram's saved views: save the current one (private or shared with one of my teams),
 * open mine and those shared with me, and rename, overwrite or delete mine.
 */
export function SavedViews(props: {
  current: ViewState;
  onOpen: (view: ViewState & { name: string }) => void;
}) {
  const queryClient = useQueryClient();
  const views = useInfiniteQuery(inventoryViewsQuery);
  const save = useSaveInventoryView();
  const rename = useRenameInventoryView();
  const remove = useDeleteInventoryView();
  const [opened, setOpened] = useState(false);
  const [form, setForm] = useState<{ view: SavedView | null } | null>(null);
  const [deleting, setDeleting] = useState<SavedView | null>(null);
  const [overwriting, setOverwriting] = useState<string | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [openError, setOpenError] = useState<unknown>(null);

  const items = views.data?.pages.flatMap((p) => p.items) ?? [];
  const mine = items.filter((v) => v.mine);
  const shared = items.filter((v) => !v.mine);
  // An overwrite's or an open's error shows beside the list; the form's inside its dialog.
  const listError = form === null ? (save.error ?? openError) : null;

  // The list carries no view's groups or positions: the view is fetched whole when opened.
  const open = (view: SavedView) => {
    setOpening(view.id);
    setOpenError(null);
    queryClient
      .fetchQuery({ ...inventoryViewQuery(view.id), staleTime: 0 })
      .then(
        (whole) => {
          setOpened(false);
          props.onOpen({
            name: whole.name,
            selection: whole.selection,
            collapsed: whole.collapsed,
            pinned: whole.pinned,
          });
        },
        (error: unknown) => setOpenError(error),
      )
      .finally(() => setOpening(null));
  };

  const list = (title: string, rows: SavedView[]) =>
    rows.length > 0 && (
      <Stack gap={2} role="list" aria-label={title}>
        <Text size="xs" c="dimmed" fw={600}>
          {title}
        </Text>
        {rows.map((view) => (
          <ViewRow
            key={view.id}
            view={view}
            busy={save.isPending && overwriting === view.id}
            opening={opening === view.id}
            onOpen={() => open(view)}
            onRename={() => {
              rename.reset();
              setOpened(false);
              setForm({ view });
            }}
            onOverwrite={() => {
              setOverwriting(view.id);
              save.mutate(
                { id: view.id, body: bodyOf(props.current, view.name, view.team) },
                { onSettled: () => setOverwriting(null) },
              );
            }}
            onDelete={() => {
              setOpened(false);
              setDeleting(view);
            }}
          />
        ))}
      </Stack>
    );

  return (
    <>
      <Popover opened={opened} onChange={setOpened} position="bottom-end" width={340} shadow="md">
        <Popover.Target>
          <Button
            variant="default"
            leftSection={<IconBookmark size={16} />}
            onClick={() => setOpened((o) => !o)}
          >
            Views
          </Button>
        </Popover.Target>
        <Popover.Dropdown aria-label="Saved views">
          <Stack gap="sm">
            <Button
              size="xs"
              leftSection={<IconDeviceFloppy size={14} />}
              onClick={() => {
                save.reset();
                setOpened(false);
                setForm({ view: null });
              }}
            >
              Save current view…
            </Button>
            {views.isPending && <Loader size="xs" aria-label="Loading views" />}
            {views.error !== null && (
              <ErrorAlert error={views.error} onRetry={() => void views.refetch()} />
            )}
            {views.data !== undefined && items.length === 0 && (
              <Text size="sm" c="dimmed">
                No saved view yet: save this one to come back to it, or share it with a team.
              </Text>
            )}
            {list("My views", mine)}
            {list("Shared with me", shared)}
            {views.hasNextPage && (
              <Button
                size="xs"
                variant="default"
                loading={views.isFetchingNextPage}
                onClick={() => void views.fetchNextPage()}
              >
                More views
              </Button>
            )}
            {listError !== null && listError !== undefined && <ErrorAlert error={listError} />}
          </Stack>
        </Popover.Dropdown>
      </Popover>
      {form !== null && (
        <ViewForm
          opened
          title={form.view === null ? "Save the current view" : `Rename ${form.view.name}`}
          submitLabel={form.view === null ? "Save" : "Rename"}
          initial={{ name: form.view?.name ?? "", team: form.view?.team ?? null }}
          busy={form.view === null ? save.isPending : rename.isPending}
          error={form.view === null ? save.error : rename.error}
          onClose={() => setForm(null)}
          onSubmit={({ name, team }) => {
            const view = form.view;
            if (view === null)
              save.mutate(
                { body: bodyOf(props.current, name, team) },
                { onSuccess: () => setForm(null) },
              );
            // A rename keeps what the view holds, fetched whole (the list has none of it).
            else rename.mutate({ id: view.id, name, team }, { onSuccess: () => setForm(null) });
          }}
        />
      )}
      <ConfirmModal
        opened={deleting !== null}
        title="Delete the view"
        confirmLabel="Delete"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (deleting !== null) await remove.mutateAsync(deleting.id);
        }}
      >
        {deleting?.name} will no longer be listed
        {deleting?.team === null ? "" : ` for team ${deleting?.team}`}; the diagram is not changed.
      </ConfirmModal>
    </>
  );
}
