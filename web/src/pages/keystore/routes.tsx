import { Route } from "react-router";
import { PageHeader } from "../../components/page";

export const keystoreRoutes = <Route path="keystore" element={<PageHeader title="Key store" />} />;
