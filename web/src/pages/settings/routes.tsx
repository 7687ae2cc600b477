import { Navigate, Route } from "react-router";
import { PageHeader } from "../../components/page";

export const settingsRoutes = (
  <>
    <Route path="settings" element={<Navigate to="/settings/users" replace />} />
    <Route path="settings/users" element={<PageHeader title="Users" />} />
  </>
);
