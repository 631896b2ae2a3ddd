// Every call to the API: the key as X-API-Key, JSON in and out, and the error envelope turned into an ApiError.
import { apiKey } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }
}

/** Fired when the key stops working (revoked, or the service forgot it): the page goes back to sign-in. */
export const UNAUTHORIZED = 'functrace:unauthorized';

/**
 * Calls the API. `body` is sent as JSON unless it is a Blob or string; `raw` returns the Response itself.
 * Resolves to the parsed JSON, or null for 204; rejects with an ApiError.
 */
export async function api(path, { method = 'GET', body, headers, signal, raw = false, key = apiKey() } = {}) {
  const sent = new Headers(headers);
  if (key) sent.set('X-API-Key', key);
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    sent.set('Content-Type', 'application/json');
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers: sent, body: payload, signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The service could not be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (error.status === 401 && key === apiKey()) window.dispatchEvent(new CustomEvent(UNAUTHORIZED, { detail: error }));
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

async function errorOf(response) {
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    // Not the envelope (a proxy's page, say): the status says enough.
  }
  const error = envelope?.error;
  return new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    typeof error?.message === 'string' ? error.message : `The service answered ${response.status} ${response.statusText}.`,
    error?.details);
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Path segments escaped, so an id from the data can never change which route is called. */
export const segment = (value) => encodeURIComponent(String(value));

/** Saves a Blob as a file through a temporary object URL. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
