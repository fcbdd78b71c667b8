// Where tokenwarden is willing to fetch keys from: https anywhere, plain http only on this
// machine (local development and tests). Checked for configured URLs and for every URL that
// discovery metadata hands us.

const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    host === '::1' ||
    LOOPBACK_V4.test(host)
  );
}

/** Parses `value` as a URL we may fetch from, or returns a reason it is not one. */
export function parseFetchableUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  return 'must use https (plain http is allowed only for loopback hosts)';
}
