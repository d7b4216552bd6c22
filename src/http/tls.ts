// The self-signed certificate for the HTTPS listener: made once under the data folder, valid for 127.0.0.1,
// ::1 and localhost, so unmodified clients get in with NODE_EXTRA_CA_CERTS pointing at cert.pem.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Certificate {
  key: string;
  cert: string;
  certPath: string;
  created: boolean;
}

export async function ensureCertificate(dataDir: string): Promise<Certificate> {
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath, created: false };
  }
  mkdirSync(dir, { recursive: true });
  // Loaded only to make a certificate: it pulls in ~700 KB of ASN.1 code (issue 10: start-up time).
  const { generate } = await import('selfsigned');
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'openlines local' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert);
  return { key: pems.private, cert: pems.cert, certPath, created: true };
}

/** A certificate and key given by path (TLS_CERT, TLS_KEY); read once at start. */
export function loadCertificate(certPath: string, keyPath: string): Certificate {
  try {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, created: false };
  } catch (error) {
    throw new Error(`cannot read TLS_CERT/TLS_KEY: ${(error as Error).message}`);
  }
}
