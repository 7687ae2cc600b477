import { Center, Loader } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router";
import { api, ApiError, setUnauthenticatedHandler, unwrap, type Ok } from "../api/client";

export type Whoami = Ok<"/api/v1/whoami", "get">;

interface Auth {
  me: Whoami;
  isAdmin: boolean;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

const PUBLIC_PAGES = ["/login", "/setup"];

export const whoamiKey = ["whoami"] as const;

/** Loads who is signed in; sends everyone else to /login and back where they were going. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const isPublic = PUBLIC_PAGES.includes(location.pathname);
  const whoami = useQuery({
    queryKey: whoamiKey,
    queryFn: () => unwrap(api.GET("/api/v1/whoami")),
    enabled: !isPublic,
    retry: false,
    staleTime: 60_000,
  });

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      queryClient.clear();
      const next = window.location.pathname + window.location.search;
      void navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    });
  }, [navigate, queryClient]);

  if (isPublic) return <>{children}</>;
  if (whoami.error instanceof ApiError && whoami.error.status === 401) return null;
  if (whoami.data === undefined) {
    return (
      <Center h="100vh">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  }
  const auth: Auth = {
    me: whoami.data,
    isAdmin: whoami.data.user.role === "admin",
    signOut: async () => {
      await api.POST("/api/v1/auth/logout");
      queryClient.clear();
      void navigate("/login", { replace: true });
    },
  };
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error("useAuth outside a signed-in page");
  return auth;
}
