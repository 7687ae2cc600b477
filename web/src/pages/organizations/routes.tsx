import { Route } from "react-router";
import { OnboardPage } from "./OnboardPage";
import { OrganizationPage } from "./OrganizationPage";
import { OrganizationsPage } from "./OrganizationsPage";
import { TemplatePage } from "./TemplatePage";

/** AWS Organizations: the list, one organization's tree, the onboarding wizard, the template. */
export const organizationRoutes = (
  <Route path="organizations">
    <Route index element={<OrganizationsPage />} />
    <Route path=":name" element={<OrganizationPage />} />
    <Route path=":name/onboard" element={<OnboardPage />} />
    <Route path=":name/template" element={<TemplatePage />} />
  </Route>
);
