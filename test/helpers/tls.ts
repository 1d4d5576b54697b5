/**
 * Test certificates made on the fly: a private CA and a server certificate it signs, both ECDSA
 * P-256, so client tests can run a real HTTPS server on loopback without files on disk.
 */
import { webcrypto } from 'node:crypto';
// tsyringe, a dependency of @peculiar/x509, needs Reflect metadata before the import runs.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;

/** PEM texts for a CA certificate and a server certificate with its private key. */
export interface TestCertificates {
  caCert: string;
  cert: string;
  key: string;
}

/** Options for {@link createTestCertificates}. */
export interface TestCertificateOptions {
  /** DNS names in the server certificate's subjectAltName; default `localhost`. */
  dnsNames?: string[];
  /** IP addresses in the subjectAltName; default `127.0.0.1` and `::1`. */
  ipAddresses?: string[];
  /** Validity end of the server certificate; default one day from now. */
  notAfter?: Date;
}

function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Generates a CA and a server certificate signed by it.
 * Rejects only when WebCrypto fails, which would be a broken runtime.
 */
export async function createTestCertificates(options: TestCertificateOptions = {}): Promise<TestCertificates> {
  const now = Date.now();
  const notBefore = new Date(now - dayMs);
  const notAfter = options.notAfter ?? new Date(now + dayMs);
  if (notAfter.getTime() <= notBefore.getTime()) {
    // An already expired certificate still needs a validity window that starts before it ends.
    notBefore.setTime(notAfter.getTime() - dayMs);
  }

  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=rancher-workflows test CA',
    notBefore: new Date(now - dayMs),
    notAfter: new Date(now + 2 * dayMs),
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const serverKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const dnsNames = options.dnsNames ?? ['localhost'];
  const ipAddresses = options.ipAddresses ?? ['127.0.0.1', '::1'];
  const serverCert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${dnsNames[0] ?? ipAddresses[0] ?? 'server'}`,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });

  const keyDer = await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
  return {
    caCert: caCert.toString('pem'),
    cert: serverCert.toString('pem'),
    key: toPem('PRIVATE KEY', keyDer),
  };
}
