// The API key lives in this tab's sessionStorage only: gone when the tab closes or on sign-out, never in a cookie.

const KEY = 'functrace.apiKey';
const ME = 'functrace.me';

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

/** Who the key is ({key_id, tenant, roles}), as api/me answered at sign-in. */
export function me() {
  try {
    return JSON.parse(sessionStorage.getItem(ME) ?? 'null');
  } catch {
    return null;
  }
}

export function signIn(key, who) {
  sessionStorage.setItem(KEY, key);
  sessionStorage.setItem(ME, JSON.stringify(who));
}

/** Forgets the key and everything this tab kept about its work. */
export function signOut() {
  sessionStorage.clear();
}

export function has(role) {
  const roles = me()?.roles ?? [];
  return roles.includes(role) || roles.includes('admin');
}
