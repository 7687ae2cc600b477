import {
  Button,
  Center,
  Code,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorAlert } from "../../components/page";

/** Only same-site paths are followed after sign-in, never another origin. */
function safeNext(next: string | null): string {
  return next !== null && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [org, setOrg] = useState("default");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST("/api/v1/auth/login", { body: { org, username, password } }));
      queryClient.clear();
      void navigate(safeNext(params.get("next")), { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder p="xl" w="100%" maw={400} radius="md">
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <div>
              <Title order={1} fz="h3">
                Sign in to Switchboard
              </Title>
              {params.get("setup") === "done" && (
                <Text size="sm" c="teal" mt={4} role="status">
                  Password set. Sign in with it now.
                </Text>
              )}
            </div>
            {error !== null && <ErrorAlert error={error} title="Sign-in failed" />}
            <TextInput
              label="Organization"
              value={org}
              onChange={(e) => setOrg(e.currentTarget.value)}
              required
              autoComplete="organization"
            />
            <TextInput
              label="Username"
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              required
              autoFocus
              autoComplete="username"
            />
            <PasswordInput
              label="Password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              required
              autoComplete="current-password"
            />
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
            <FirstSignIn />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

/**
 * What a new install's first person needs (src/access/bootstrap.ts): the first start creates the
 * user `admin` in the org `default` without a password, and logs a one-time link to set it.
 */
function FirstSignIn() {
  return (
    <Text size="xs" c="dimmed" component="div">
      <Text fw={600} size="xs" span>
        First sign-in on a new install?
      </Text>{" "}
      The first user is <Code>admin</Code> in the organization <Code>default</Code>. Set its
      password first with the one-time link the server logged at its start, on the line{" "}
      <Code>set the admin password within 24 hours at …</Code>; each start logs a new link while
      admin has no password. A server started with <Code>SWITCHBOARD_BOOTSTRAP_TOKEN</Code> logs
      none: that token is admin&apos;s API token, to use as <Code>SWITCHBOARD_TOKEN</Code> with{" "}
      <Code>switchboard users edit admin --password-stdin</Code>.
    </Text>
  );
}
