import { createContext, useContext } from "react";
import type { Role, Session } from "./auth";

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("no session");
  return s;
}

export function useIsAdmin(): boolean {
  return useSession().role === ("admin" satisfies Role);
}
