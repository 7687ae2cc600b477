// An IAM OIDC provider's URL must begin with https:// and carry no query (IAM API reference,
// CreateOpenIDConnectProvider Url; botocore's OpenIDConnectProviderUrlType: 1 to 255 characters).
const HTTPS = /^https:\/\/[^/?#\s]+(?:\/[^?#\s]*)?$/;
// The one exception the emulator makes: a test issuer served over HTTP on loopback, which AWS
// could not reach at all.
const LOOPBACK_HTTP =
  /^http:\/\/(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d+)?(?:\/[^?#\s]*)?$/;

/** Whether IAM (and the emulator) would register an OIDC provider at `url`. */
export function isProviderUrl(url: string): boolean {
  return url.length >= 1 && url.length <= 255 && (HTTPS.test(url) || LOOPBACK_HTTP.test(url));
}
