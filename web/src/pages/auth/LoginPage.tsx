import { Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
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
      <Paper withBorder p="xl" w={380} radius="md">
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
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
