import { Navigate, Route } from "react-router";
import { AuditPage } from "./AuditPage";
import { OidcPage } from "./OidcPage";
import { OutboundPage } from "./OutboundPage";
import { TeamsPage } from "./TeamsPage";
import { TokensPage } from "./TokensPage";
import { UsersPage } from "./UsersPage";

export const settingsRoutes = (
  <>
    <Route path="settings" element={<Navigate to="/settings/users" replace />} />
    <Route path="settings/users" element={<UsersPage />} />
    <Route path="settings/teams" element={<TeamsPage />} />
    <Route path="settings/tokens" element={<TokensPage />} />
    <Route path="settings/outbound" element={<OutboundPage />} />
    <Route path="settings/oidc" element={<OidcPage />} />
    <Route path="settings/audit" element={<AuditPage />} />
  </>
);
