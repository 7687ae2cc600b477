import { Route } from "react-router";
import { PageHeader } from "../../components/page";

export const actionRoutes = (
  <>
    <Route path="actions" element={<PageHeader title="Actions" />} />
    <Route path="runs" element={<PageHeader title="Runs" />} />
  </>
);
