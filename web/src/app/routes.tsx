import { Button } from "@mantine/core";
import { Link, Navigate, Route, Routes } from "react-router";
import { Empty } from "../components/page";
import { actionRoutes } from "../pages/actions/routes";
import { LoginPage } from "../pages/auth/LoginPage";
import { SetupPage } from "../pages/auth/SetupPage";
import { connectionRoutes } from "../pages/connections/routes";
import { inventoryRoutes } from "../pages/inventory/routes";
import { keystoreRoutes } from "../pages/keystore/routes";
import { organizationRoutes } from "../pages/organizations/routes";
import { runRoutes } from "../pages/runs/routes";
import { settingsRoutes } from "../pages/settings/routes";
import { workflowRoutes } from "../pages/workflows/routes";
import { Shell } from "./Shell";

function NotFound() {
  return (
    <Empty
      title="No such page"
      description="The address does not match any page of Switchboard."
      action={
        <Button component={Link} to="/connections">
          Go to connections
        </Button>
      }
    />
  );
}

/** Every page has a real URL; each area (connections, actions, …) declares its own routes. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route element={<Shell />}>
        <Route index element={<Navigate to="/connections" replace />} />
        {connectionRoutes}
        {organizationRoutes}
        {actionRoutes}
        {workflowRoutes}
        {runRoutes}
        {inventoryRoutes}
        {keystoreRoutes}
        {settingsRoutes}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
