// A small history router: the console's pages are paths (gantry-local and CloudFront
// answer index.html for them), matched against patterns such as "/environments/:name".
import { useEffect, useState } from "react";

export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useLocation(): string {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const on = () => setPath(location.pathname + location.search);
    window.addEventListener("popstate", on);
    return () => window.removeEventListener("popstate", on);
  }, []);
  return path;
}

/** match returns pattern's parameters in path (without its query), or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("?")[0].split("/").filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}

export function query(path: string): URLSearchParams {
  const i = path.indexOf("?");
  return new URLSearchParams(i < 0 ? "" : path.slice(i + 1));
}

/** linkProps makes a Cloudscape link or button follow the router rather than reload. */
export function follow(e: CustomEvent<{ href?: string; external?: boolean }> | { preventDefault(): void; detail: { href?: string } }) {
  const href = e.detail.href;
  if (href && href.startsWith("/")) {
    e.preventDefault();
    navigate(href);
  }
}
