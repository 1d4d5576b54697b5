/**
 * Certificate authority and server certificates for the simulator's HTTPS listener.
 *
 * Keys are ECDSA P-256, made with WebCrypto and signed through `@peculiar/x509`. The CA lives in
 * a state folder (`ca.pem`, `ca-key.pem`) so that a restarted simulator presents a certificate
 * that clients configured with the earlier `ca.pem` still trust.
 */
import { webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
// tsyringe, a dependency of @peculiar/x509, checks for the Reflect metadata API on import, so the
// polyfill must be evaluated first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// The project compiles without the DOM library, so WebCrypto types come from `node:crypto`.
type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto);

const keyAlgorithm: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const signingAlgorithm: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const dayMs = 24 * 60 * 60 * 1000;

/** File name of the CA certificate (PEM) inside the state folder. */
export const caCertificateFileName = 'ca.pem';
/** File name of the CA private key (PKCS#8 PEM) inside the state folder. */
export const caKeyFileName = 'ca-key.pem';

/** A loaded certificate authority: its certificate and the key that signs server certificates. */
export interface CertificateAuthority {
  certificate: x509.X509Certificate;
  certificatePem: string;
  privateKey: CryptoKey;
  /** Path of `ca.pem` in the state folder. */
  certificateFile: string;
}

/** A server certificate with its private key, both PEM, ready for `https.createServer`. */
export interface ServerCredentials {
  certificatePem: string;
  privateKeyPem: string;
}

/** Host names the simulator's server certificate covers unless a caller asks for others. */
export const defaultServerHostNames: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/**
 * Loads the CA from `stateDir`, or creates one and writes it there when the folder contains none.
 *
 * Both files must exist for reuse; a folder with only one of them gets a new pair, because a
 * certificate without its key cannot sign anything.
 * @throws when the folder cannot be created or written, or when an existing file is not valid PEM.
 */
export async function loadOrCreateCertificateAuthority(stateDir: string): Promise<CertificateAuthority> {
  const certificateFile = path.join(stateDir, caCertificateFileName);
  const keyFile = path.join(stateDir, caKeyFileName);
  await mkdir(stateDir, { recursive: true });

  const existing = await readExistingPair(certificateFile, keyFile);
  if (existing) {
    const certificate = new x509.X509Certificate(existing.certificatePem);
    const privateKey = await importPkcs8PrivateKey(existing.keyPem);
    return { certificate, certificatePem: existing.certificatePem, privateKey, certificateFile };
  }

  const keys = await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: 'CN=rancher-workflows simulator CA',
    notBefore: new Date(now - dayMs),
    notAfter: new Date(now + 10 * 365 * dayMs),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certificatePem = certificate.toString('pem') + '\n';
  const keyPem = await exportPkcs8PrivateKey(keys.privateKey);
  await writeFile(keyFile, keyPem, { mode: 0o600 });
  await writeFile(certificateFile, certificatePem, { mode: 0o644 });
  return { certificate, certificatePem, privateKey: keys.privateKey, certificateFile };
}

/**
 * Issues a server certificate signed by `authority` for the given DNS names and IP addresses.
 * @throws when `hostNames` is empty.
 */
export async function issueServerCertificate(
  authority: CertificateAuthority,
  hostNames: readonly string[] = defaultServerHostNames,
): Promise<ServerCredentials> {
  if (hostNames.length === 0) {
    throw new Error('issueServerCertificate: hostNames is empty; give at least one DNS name or IP address');
  }

  const keys = await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const alternativeNames = hostNames.map((name) => ({ type: isIP(name) === 0 ? ('dns' as const) : ('ip' as const), value: name }));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: `CN=${hostNames[0]}`,
    issuer: authority.certificate.subject,
    notBefore: new Date(now - dayMs),
    notAfter: new Date(now + 365 * dayMs),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: authority.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(alternativeNames),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(authority.certificate.publicKey),
    ],
  });
  return {
    certificatePem: certificate.toString('pem') + '\n',
    privateKeyPem: await exportPkcs8PrivateKey(keys.privateKey),
  };
}

async function readExistingPair(certificateFile: string, keyFile: string): Promise<{ certificatePem: string; keyPem: string } | undefined> {
  try {
    const [certificatePem, keyPem] = await Promise.all([readFile(certificateFile, 'utf8'), readFile(keyFile, 'utf8')]);
    return { certificatePem, keyPem };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

async function exportPkcs8PrivateKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function importPkcs8PrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, keyAlgorithm, true, ['sign']);
}

/** Returns a random positive 16-byte serial number; the top bit is cleared so that DER does not read it as negative. */
function randomSerialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
