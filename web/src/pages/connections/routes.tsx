import { Route } from "react-router";
import { PageHeader } from "../../components/page";

export const connectionRoutes = (
  <Route path="connections" element={<PageHeader title="Connections" />} />
);
