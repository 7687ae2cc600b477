import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconBolt,
  IconBuildingSkyscraper,
  IconHistory,
  IconKey,
  IconLogout,
  IconMoon,
  IconPlugConnected,
  IconSettings,
  IconSitemap,
  IconSun,
  IconTopologyStar3,
  IconUserCircle,
} from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, Outlet, useLocation } from "react-router";
import { api, unwrap } from "../api/client";
import { useAuth } from "./auth";

export const pendingRequestsKey = ["access-requests", "pending"] as const;

/** How many edit-access requests wait for an admin (the badge on Connections). */
function usePendingRequests(enabled: boolean): number {
  const pending = useQuery({
    queryKey: pendingRequestsKey,
    queryFn: () =>
      unwrap(api.GET("/api/v1/access-requests", { params: { query: { status: "pending" } } })),
    enabled,
    refetchInterval: 30_000,
  });
  return pending.data?.items.length ?? 0;
}

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  badge?: number;
  children?: { to: string; label: string }[];
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme("light");
  const next = computed === "dark" ? "light" : "dark";
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon
        variant="subtle"
        color="gray"
        aria-label={`Switch to ${next} mode`}
        onClick={() => setColorScheme(next)}
      >
        {computed === "dark" ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

/** The app's frame: header, left navigation, and the page. Later slices add their pages here. */
export function Shell() {
  const { me, isAdmin, signOut } = useAuth();
  const location = useLocation();
  const [opened, navbar] = useDisclosure();
  const close = () => navbar.close();
  const pending = usePendingRequests(isAdmin);

  const items: NavItem[] = [
    {
      to: "/connections",
      label: "Connections",
      icon: <IconPlugConnected size={18} />,
      ...(isAdmin && pending > 0 ? { badge: pending } : {}),
    },
    // Onboarding an AWS Organization is an org admin's (the API refuses others).
    ...(isAdmin
      ? [
          {
            to: "/organizations",
            label: "Organizations",
            icon: <IconBuildingSkyscraper size={18} />,
          },
        ]
      : []),
    { to: "/actions", label: "Actions", icon: <IconBolt size={18} /> },
    { to: "/workflows", label: "Workflows", icon: <IconSitemap size={18} /> },
    { to: "/runs", label: "Runs", icon: <IconHistory size={18} /> },
    { to: "/inventory", label: "Inventory", icon: <IconTopologyStar3 size={18} /> },
    { to: "/keystore", label: "Key store", icon: <IconKey size={18} /> },
    {
      to: "/settings",
      label: "Settings",
      icon: <IconSettings size={18} />,
      children: [
        { to: "/settings/users", label: "Users" },
        { to: "/settings/teams", label: "Teams" },
        { to: "/settings/tokens", label: "API tokens" },
        { to: "/settings/outbound", label: "Outbound allow-list" },
        { to: "/settings/oidc", label: "OIDC issuer" },
        { to: "/settings/audit", label: "Audit log" },
      ],
    },
  ];
  const isActive = (to: string) =>
    location.pathname === to || location.pathname.startsWith(`${to}/`);

  return (
    <AppShell
      header={{ height: 48 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        {/* One row at every width: the bar's height is fixed, and a second row ran over the page. */}
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger
              opened={opened}
              onClick={() => navbar.toggle()}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Text fw={700} component={Link} to="/" c="inherit" td="none">
              Switchboard
            </Text>
            <Text size="xs" c="dimmed" truncate>
              {me.org}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeToggle />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label="Account menu">
                  <Group gap={6} wrap="nowrap">
                    <IconUserCircle size={20} />
                    <Text size="sm" visibleFrom="sm">
                      {me.user.displayName ?? me.user.name}
                    </Text>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>
                  {me.user.name} · {me.user.role} · org {me.org}
                </Menu.Label>
                <Menu.Item component={Link} to="/settings/tokens">
                  API tokens
                </Menu.Item>
                <Menu.Item leftSection={<IconLogout size={14} />} onClick={() => void signOut()}>
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          {items.map((item) =>
            item.children === undefined ? (
              <NavLink
                key={item.to}
                component={Link}
                to={item.to}
                label={item.label}
                leftSection={item.icon}
                active={isActive(item.to)}
                onClick={close}
                rightSection={
                  item.badge !== undefined ? (
                    <Badge size="xs" color="red" circle aria-label={`${item.badge} pending`}>
                      {item.badge}
                    </Badge>
                  ) : undefined
                }
              />
            ) : (
              // A button, not Mantine's default <a> without href: that is skipped by Tab and
              // cannot be opened from the keyboard, so Settings' pages were out of reach.
              <NavLink
                key={item.to}
                component="button"
                type="button"
                label={item.label}
                leftSection={item.icon}
                defaultOpened={isActive(item.to)}
              >
                {item.children.map((child) => (
                  <NavLink
                    key={child.to}
                    component={Link}
                    to={child.to}
                    label={child.label}
                    active={isActive(child.to)}
                    onClick={close}
                  />
                ))}
              </NavLink>
            ),
          )}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
