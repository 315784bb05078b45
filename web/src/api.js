// The dashboard's only way to the master. The API token lives in sessionStorage (this tab only, gone
// when it closes) and travels in the Authorization header; there are no cookies, so another site
// cannot make the browser send an authenticated request (no CSRF), and without CORS headers it
// cannot read an answer either.
const KEY = 'colabo.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export const whenUnauthorized = (callback) => { onUnauthorized = callback; };

export async function api(path, { method = 'GET', body, bearer } = {}) {
  const credential = bearer ?? token.get();
  const headers = { Accept: 'application/json' };
  if (credential) headers.Authorization = `Bearer ${credential}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    if (response.status === 401 && !bearer) onUnauthorized();
    throw new ApiError(response.status, data?.code ?? 'error', data?.message ?? `${response.status} ${response.statusText}`);
  }
  return data;
}

export const query = (params) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '') search.append(key, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};
