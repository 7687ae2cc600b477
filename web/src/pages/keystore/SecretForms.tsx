import {
  Alert,
  Button,
  Code,
  FileButton,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconFileUpload, IconLock } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { useStoreSecret, type SecretBody } from "../../api/keystore";
import { ErrorAlert } from "../../components/page";
import { fieldError, otherError } from "../../components/field-errors";
import { normalizePem, projectPrefix, SYSTEM_PREFIX, type Target } from "./secret-tree";

type SecretType = NonNullable<SecretBody["type"]>;

const TYPES: { value: SecretType; label: string }[] = [
  { value: "password", label: "Password / key" },
  { value: "key-pair", label: "Private key (PEM)" },
];

/**
 * The value field: a password input (never shown in clear on the page), and for a private key
 * a file picker, since a PEM pasted into a one-line field loses its line breaks (they are put
 * back on save).
 */
function ValueField(props: {
  type: SecretType;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  label: string;
}) {
  const [file, setFile] = useState<string | null>(null);
  return (
    <Stack gap={4}>
      <PasswordInput
        label={props.label}
        description={
          props.type === "key-pair"
            ? "Paste the PEM private key (PKCS#8 or PKCS#1), or load it from a file"
            : "Write-only: nobody can read it back, not even admins. It is encrypted before it is stored."
        }
        value={props.value}
        onChange={(e) => {
          setFile(null);
          props.onChange(e.currentTarget.value);
        }}
        error={props.error}
        required
        // A key store value is not the user's password: keep browsers' and extensions' password
        // managers from offering to save it.
        autoComplete="off"
        data-1p-ignore
        data-lpignore="true"
        data-bwignore
        visibilityToggleButtonProps={{ "aria-label": "Show or hide the value while typing" }}
      />
      {props.type === "key-pair" && (
        <Group gap="xs">
          <FileButton
            accept=".pem,.key,application/x-pem-file"
            onChange={(f) => {
              if (f === null) return;
              void f.text().then((text) => {
                props.onChange(text);
                setFile(f.name);
              });
            }}
          >
            {(fileProps) => (
              <Button
                {...fileProps}
                size="xs"
                variant="default"
                leftSection={<IconFileUpload size={14} />}
              >
                Load from a file
              </Button>
            )}
          </FileButton>
          {file !== null && (
            <Text size="xs" c="dimmed">
              {file} loaded
            </Text>
          )}
        </Group>
      )}
    </Stack>
  );
}

/**
 * The hosts an http step may send the value to, written with it. Empty: no http step sends it
 * (a connection's access key, a webhook secret need none).
 */
function HostsField(props: {
  value: string[];
  onChange: (hosts: string[]) => void;
  error: string | undefined;
}) {
  return (
    <TagsInput
      label="Hosts http steps may send it to"
      description="Only workflow http steps to these hosts may send this value (api.example.com, *.example.com, 10.0.0.5:8443). Leave empty when no http step needs it. Never a pattern others can own, such as *.amazonaws.com."
      placeholder="api.example.com, then Enter"
      value={props.value}
      onChange={props.onChange}
      error={props.error}
      splitChars={[",", " "]}
      clearable
    />
  );
}

/** The body as stored: a private key gets back the line breaks a one-line field dropped. */
function withPemLineBreaks(body: SecretBody): SecretBody {
  return body.type === "key-pair" ? { ...body, value: normalizePem(body.value) } : body;
}

/** Hosts are sent only when there are some: none means no http step may send the value. */
function hostsOf(hosts: string[]): Pick<SecretBody, "allowedHosts"> {
  return hosts.length === 0 ? {} : { allowedHosts: hosts };
}

/**
 * Adds a secret. The value lives only in this form's state while it is typed, is sent once,
 * and is cleared on success, on cancel and on close.
 */
export function AddSecretModal(props: {
  opened: boolean;
  initial: Target;
  projects: string[];
  isAdmin: boolean;
  onClose: () => void;
  onSaved: (path: string) => void;
}) {
  const store = useStoreSecret();
  const [scope, setScope] = useState(props.initial.scope);
  const [project, setProject] = useState<string | null>(
    props.initial.project ?? props.projects[0] ?? null,
  );
  const [name, setName] = useState(props.initial.folder);
  const [type, setType] = useState<SecretType>("password");
  const [value, setValue] = useState("");
  const [hosts, setHosts] = useState<string[]>([]);
  const error = store.error;

  const prefix =
    scope === "system" ? SYSTEM_PREFIX : project === null ? null : projectPrefix(project);
  const path = prefix === null ? null : `${prefix}${name.trim()}`;

  const close = () => {
    setValue("");
    store.reset();
    props.onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (path === null) return;
    store.mutate(withPemLineBreaks({ path, type, value, replace: false, ...hostsOf(hosts) }), {
      onSuccess: (saved) => {
        setValue("");
        notifications.show({ message: `Secret ${saved.path} stored`, color: "teal" });
        props.onSaved(saved.path);
      },
    });
  };

  const fields = ["path", "value", "type", "allowedHosts"];
  return (
    <Modal opened={props.opened} onClose={close} title="Add a secret" size="lg">
      <form onSubmit={submit} autoComplete="off">
        <Stack>
          {otherError(error, fields) !== null && <ErrorAlert error={error} />}
          <Stack gap={4}>
            <Text size="sm" fw={500} id="secret-scope">
              Scope
            </Text>
            <SegmentedControl
              aria-labelledby="secret-scope"
              data={[
                { value: "system", label: "System (whole org)" },
                { value: "project", label: "Project" },
              ]}
              value={scope}
              onChange={(v) => setScope(v)}
            />
            <Text size="xs" c="dimmed">
              {scope === "system"
                ? "System secrets serve the whole org (e.g. an access-key connection's secret key); only org admins write them."
                : "Project secrets are written by the project's members and org admins."}
            </Text>
          </Stack>
          {scope === "project" &&
            (props.projects.length === 0 ? (
              <Alert color="gray" variant="light">
                {props.isAdmin
                  ? "There is no project yet: create one first (New project), or store the secret in System."
                  : "You are not a member of any project; ask an admin to add you to one."}
              </Alert>
            ) : (
              <Select
                label="Project"
                data={props.projects}
                value={project}
                onChange={setProject}
                allowDeselect={false}
                required
              />
            ))}
          <TextInput
            label="Name"
            description="Letters, digits, '.', '_' or '-'; use '/' for folders, e.g. prod/aws-secret-key"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, "path")}
            required
            data-autofocus
            spellCheck={false}
          />
          {path !== null && (
            <Text size="xs" c="dimmed">
              Path: <Code>{path}</Code>
            </Text>
          )}
          <TypeField id="secret-type" value={type} onChange={setType} />
          <ValueField
            label="Value"
            type={type}
            value={value}
            onChange={setValue}
            error={fieldError(error, "value")}
          />
          <HostsField value={hosts} onChange={setHosts} error={fieldError(error, "allowedHosts")} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={store.isPending}
              disabled={path === null}
              leftSection={<IconLock size={16} />}
            >
              Store secret
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function TypeField(props: { id: string; value: SecretType; onChange: (type: SecretType) => void }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id={props.id}>
        Type
      </Text>
      <SegmentedControl
        aria-labelledby={props.id}
        data={TYPES}
        value={props.value}
        onChange={(v) => props.onChange(v)}
      />
    </Stack>
  );
}

/** Replaces a secret's value; the old value is never shown, and the new one is cleared once sent. */
export function ReplaceSecretModal(props: {
  path: string;
  type: SecretType;
  allowedHosts: string[] | null;
  onClose: () => void;
}) {
  const store = useStoreSecret();
  const [type, setType] = useState<SecretType>(props.type);
  const [value, setValue] = useState("");
  // The hosts are bound to the value: a new value starts from the current ones, which the
  // writer may keep, change or clear.
  const [hosts, setHosts] = useState<string[]>(props.allowedHosts ?? []);
  const error = store.error;

  const close = () => {
    setValue("");
    store.reset();
    props.onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = { path: props.path, type, value, replace: true, ...hostsOf(hosts) };
    store.mutate(withPemLineBreaks(body), {
      onSuccess: () => {
        setValue("");
        notifications.show({ message: `Secret ${props.path} replaced`, color: "teal" });
        props.onClose();
      },
    });
  };

  return (
    <Modal opened onClose={close} title="Replace the value" size="lg">
      <form onSubmit={submit} autoComplete="off">
        <Stack>
          {otherError(error, ["value", "type", "allowedHosts"]) !== null && (
            <ErrorAlert error={error} />
          )}
          <Text size="sm">
            <Code>{props.path}</Code> gets a new value. The current value cannot be shown; whatever
            uses this secret (connections, workflows) uses the new one from its next call.
          </Text>
          <TypeField id="replace-secret-type" value={type} onChange={setType} />
          <ValueField
            label="New value"
            type={type}
            value={value}
            onChange={setValue}
            error={fieldError(error, "value")}
          />
          <HostsField value={hosts} onChange={setHosts} error={fieldError(error, "allowedHosts")} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={store.isPending} leftSection={<IconLock size={16} />}>
              Replace value
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
